// One location-year through the OpenAQ archive vs through the API, both against the simulator on 127.0.0.1: requests,
// seconds (extract, transform) and rows per second; plus the time the API requests need under OpenAQ's rate limits
// (60/min, 2,000/h), which the loopback run does not feel and the archive (a public bucket) does not have.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/config/index.js';
import { createEngine } from '../src/engines/index.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { LocalObjectStore } from '../src/lake/store/index.js';
import { createLogger } from '../src/logging.js';
import { ArchiveClient } from '../src/openaq/archive.js';
import { extractArchiveTask } from '../src/pipeline/extract-archive.js';
import { extractLocations } from '../src/pipeline/extract-locations.js';
import { extractMeasurements } from '../src/pipeline/extract-measurements.js';
import { rateLimitedSeconds } from '../src/pipeline/source-choice.js';
import { transformDays } from '../src/pipeline/transform.js';
import { startSimulator } from '../src/simulator/index.js';
import { lakeExtractContext } from '../test/helpers/transform-lake.js';

const LOCATION = 1001; // Brooklyn: 5 hourly sensors (pm25, pm10, o3, no2, temperature)
const FROM = '2024-01-01';
const TO = '2024-12-31';
const NOW = new Date('2025-01-10T00:00:00Z');
const OPENAQ_LIMITS = { perMinute: 60, perHour: 2000 };

type Source = 'api' | 'archive';

async function runOne(sim: Awaited<ReturnType<typeof startSimulator>>, source: Source) {
  const home = mkdtempSync(join(tmpdir(), `aqlake-bench-archive-${source}-`));
  const config = { ...parseConfig({ scope: { locations: [LOCATION] } }), home };
  const meta = openMetaDb(home);
  const store = new LocalObjectStore(home);
  const engine = await createEngine(config);
  const logger = createLogger({ level: 'silent' });
  // The API client is unthrottled here: the loopback time is measured; the rate limits are applied by arithmetic below.
  const ctx = lakeExtractContext({ config, store, meta, logger }, sim.url, {
    interval: { from: FROM, to: TO },
    locations: [LOCATION],
  });
  const before = sim.stats().requests;
  try {
    const t0 = performance.now();
    await extractLocations(ctx);
    let archiveRequests = 0;
    if (source === 'api') await extractMeasurements(ctx);
    else {
      const archive = new ArchiveClient({
        baseUrl: sim.url.replace(/\/v3$/, '/archive'),
        timeoutMs: 30_000,
        maxRetries: 2,
      });
      archiveRequests = (await extractArchiveTask({ ...ctx, archive }, { from: FROM, to: TO })).requests;
    }
    const t1 = performance.now();
    const days = await transformDays({ config, store, meta, engine, logger, runId: null }, FROM, TO);
    const t2 = performance.now();
    const requests = sim.stats().requests - before;
    const apiRequests = requests - archiveRequests;
    const rows = days.reduce((n, d) => n + d.rows, 0);
    const extractSeconds = (t1 - t0) / 1000;
    const transformSeconds = (t2 - t1) / 1000;
    return {
      requests,
      apiRequests,
      archiveRequests,
      rows,
      extractSeconds: round(extractSeconds),
      transformSeconds: round(transformSeconds),
      rowsPerSecond: Math.round(rows / (extractSeconds + transformSeconds)),
      // What the same API requests cost against api.openaq.org with one key: the wait the limits impose.
      secondsUnderRateLimits: round(
        rateLimitedSeconds(apiRequests, OPENAQ_LIMITS) + extractSeconds + transformSeconds,
      ),
    };
  } finally {
    await engine.close();
    meta.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

export async function archiveBenchmark(): Promise<Record<string, number | string>> {
  const sim = await startSimulator({ seed: 42, now: () => NOW, historyDays: 400 });
  try {
    const api = await runOne(sim, 'api');
    const archive = await runOne(sim, 'archive');
    const figures: Record<string, number | string> = { location: LOCATION, days: 366 };
    for (const [name, r] of Object.entries({ api, archive }))
      for (const [key, value] of Object.entries(r)) figures[`${name}.${key}`] = value;
    figures.sameRows = api.rows === archive.rows ? 'yes' : 'no';
    // Scale is where the sources part: one key's hourly budget buys this many location-years through the API.
    figures['api.locationYearsPerHourUnderRateLimits'] = Math.floor(OPENAQ_LIMITS.perHour / api.apiRequests);
    return figures;
  } finally {
    await sim.close();
  }
}
