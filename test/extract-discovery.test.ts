import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { findRawObjects } from '../src/lake/manifest.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { LocalObjectStore } from '../src/lake/store/index.js';
import { createLogger } from '../src/logging.js';
import { OpenAQClient } from '../src/openaq/index.js';
import { extractLocations } from '../src/pipeline/extract-locations.js';
import { latestLocationsSnapshot } from '../src/pipeline/raw-snapshots.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { tempDir } from './helpers/temp-dir.js';

describe('extract_locations with a discovery scope', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, now: () => new Date('2024-11-20T12:00:00Z') });
  });
  afterAll(() => sim?.close());

  function contextFor(scope: Record<string, unknown>) {
    const home = tempDir('aqlake-discovery-');
    const config = parseConfig({ home, scope, api: { url: sim.url } });
    const logger = createLogger({ level: 'silent' });
    return {
      config,
      store: new LocalObjectStore(home),
      meta: openMetaDb(home),
      logger,
      now: () => new Date(),
      signal: new AbortController().signal,
      runId: null,
      interval: { from: '2024-11-18', to: '2024-11-18' },
      openaq: new OpenAQClient({
        baseUrl: sim.url,
        rateLimit: { perMinute: 1000, perHour: 10_000 },
        timeoutMs: 5000,
        maxRetries: 1,
        logger,
      }),
    };
  }

  it('finds the locations of a country, lands the page, and later tasks read the same scope back', async () => {
    const ctx = contextFor({ countries: ['IN'] });
    const snapshot = await extractLocations(ctx);
    expect(snapshot.locations.map((l) => l.id).sort()).toEqual(
      sim.dataset.locations
        .filter((l) => l.country.code === 'IN')
        .map((l) => l.id)
        .sort(),
    );
    const pages = findRawObjects(ctx.meta, { endpoint: 'locations' });
    expect(pages).toHaveLength(1);
    expect(pages[0]!.params).toMatchObject({ iso: 'IN', limit: '1000', page: '1' });
    expect((await latestLocationsSnapshot(ctx)).map((l) => l.id).sort()).toEqual(
      snapshot.locations.map((l) => l.id).sort(),
    );
  });

  it('caps a discovery at scope.maxLocations', async () => {
    const ctx = contextFor({ parameters: [2], maxLocations: 2 });
    const snapshot = await extractLocations(ctx);
    expect(snapshot.locations).toHaveLength(2);
  });
});
