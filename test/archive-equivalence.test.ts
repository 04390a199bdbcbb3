// The same local days through the API and through the archive, each on its own lake, all the way to prod: the same
// dev.measurements (but source, raw_key, ingested_at and has_flags, which the archive does not carry) and the same
// prod.daily_averages. Data: the simulator, whose API and archive serve one dataset — 8 locations in 6 zones, hourly
// and 15-minute sensors, gaps, negatives, sentinels, a 25-hour DST day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readableDevRoots, resolveDevTables } from '../src/lake/dev-files.js';
import { ArchiveClient } from '../src/openaq/archive.js';
import { catalogDay } from '../src/pipeline/catalog-task.js';
import { extractArchiveTask } from '../src/pipeline/extract-archive.js';
import type { ExtractContext } from '../src/pipeline/extract-context.js';
import { extractLocations } from '../src/pipeline/extract-locations.js';
import { extractMeasurements } from '../src/pipeline/extract-measurements.js';
import { publishDay } from '../src/pipeline/publish.js';
import { transformDays } from '../src/pipeline/transform.js';
import { validateDay } from '../src/pipeline/validate.js';
import { startSimulator } from '../src/simulator/index.js';
import { lakeExtractContext, openTestLake, removeTestLake, type TestLake } from './helpers/transform-lake.js';

const FROM = '2024-11-02';
const TO = '2024-11-04'; // 11-03: clocks go back in New York and Denver, a 25-hour day
const NOW = new Date('2024-11-12T00:00:00Z');
const MEASUREMENTS_ROUTE = '/v3/sensors/{id}/measurements';

let sim: Awaited<ReturnType<typeof startSimulator>>;
let locationIds: number[];
const lakes: TestLake[] = [];

function extractContext(lake: TestLake): ExtractContext {
  return lakeExtractContext(lake, sim.url, { interval: { from: FROM, to: TO }, locations: locationIds });
}

function archiveClient(): ArchiveClient {
  return new ArchiveClient({
    baseUrl: sim.url.replace(/\/v3$/, '/archive'),
    timeoutMs: 20_000,
    maxRetries: 0,
  });
}

/** transform → catalog → validate → publish for every day, as the DAG runs them. */
async function toProd(lake: TestLake) {
  const days = await transformDays(lake, FROM, TO);
  const ctx = Object.assign(lake, { now: () => NOW });
  for (const day of days) {
    await catalogDay(lake, day.localDate, { versionId: day.versionId });
    await validateDay(ctx, day.localDate, { versionId: day.versionId });
    await publishDay(ctx, day.localDate, { versionId: day.versionId });
  }
  return days;
}

async function query(lake: TestLake, sql: string): Promise<unknown[][]> {
  const tables = await resolveDevTables(lake);
  const session = await lake.engine.openReadOnlySession({
    tables,
    allowedDirectories: readableDevRoots(tables, lake.home),
  });
  try {
    return (await session.query(sql)).rows;
  } finally {
    session.close();
  }
}

/**
 * Row-by-row equality where doubles may differ in the last bits: DuckDB sums a mean's values in whatever order its
 * threads and files give, so two runs over the same values can differ by an ulp (ARCHITECTURE §5: 1e-12).
 */
function expectSameRows(actual: unknown[][], expected: unknown[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => {
    const want = expected[i]!;
    expect(row.length).toBe(want.length);
    row.forEach((cell, j) => {
      const w = want[j];
      if (typeof cell === 'number' && typeof w === 'number' && !Number.isInteger(w))
        expect(Math.abs(cell - w), `row ${i} column ${j}: ${cell} vs ${w}`).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(w)),
        );
      else expect(cell, `row ${i} column ${j}`).toEqual(w);
    });
  });
}

const MEASUREMENTS =
  'SELECT * EXCLUDE (source, raw_key, ingested_at, has_flags) FROM dev.measurements ORDER BY sensor_id, period_end_utc';
const DAILY = 'SELECT * FROM prod.daily_averages ORDER BY sensor_id, local_date';

let viaApi: TestLake;
let viaArchive: TestLake;
let viaBoth: TestLake;
let archiveMeasurementRequests = -1;
let apiDays: Awaited<ReturnType<typeof toProd>>;
let bothDays: Awaited<ReturnType<typeof toProd>>;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, now: () => NOW, historyDays: 40 });
  locationIds = sim.dataset.locations.map((l) => l.id);

  viaApi = openTestLake();
  lakes.push(viaApi);
  await extractLocations(extractContext(viaApi));
  await extractMeasurements(extractContext(viaApi));
  apiDays = await toProd(viaApi);

  viaArchive = openTestLake();
  lakes.push(viaArchive);
  const before = sim.stats().byRoute[MEASUREMENTS_ROUTE] ?? 0;
  const ctx = extractContext(viaArchive);
  await extractLocations(ctx);
  await extractArchiveTask({ ...ctx, archive: archiveClient() }, { from: FROM, to: TO });
  archiveMeasurementRequests = (sim.stats().byRoute[MEASUREMENTS_ROUTE] ?? 0) - before;
  await toProd(viaArchive);

  // Both sources for the same days: the archive is fetched last, so its rows win the dedup.
  viaBoth = openTestLake();
  lakes.push(viaBoth);
  const both = extractContext(viaBoth);
  await extractLocations(both);
  await extractMeasurements(both);
  await extractArchiveTask({ ...both, archive: archiveClient() }, { from: FROM, to: TO });
  bothDays = await toProd(viaBoth);
});

afterAll(async () => {
  for (const lake of lakes) await removeTestLake(lake);
  await sim?.close();
});

describe('API and archive give the same lake', () => {
  it('the archive lake asked the API for no measurements', () => {
    expect(archiveMeasurementRequests).toBe(0);
  });

  it('dev.measurements: the same rows, values, instants, local days, intervals, coordinates and quality', async () => {
    const api = await query(viaApi, MEASUREMENTS);
    const archive = await query(viaArchive, MEASUREMENTS);
    expect(api.length).toBe(apiDays.reduce((n, d) => n + d.rows, 0));
    expect(api.length).toBeGreaterThan(1500);
    expect(archive).toEqual(api);
    // The data has what makes the comparison worth something: 15-minute sensors, sentinels, negatives.
    expect(await query(viaApi, 'SELECT DISTINCT interval_seconds FROM dev.measurements ORDER BY 1')).toEqual([
      [900],
      [3600],
    ]);
    const qualities = (await query(viaApi, 'SELECT DISTINCT quality FROM dev.measurements')).flat();
    expect(qualities).toEqual(expect.arrayContaining(['ok', 'negative']));
  });

  it('differs only in lineage: source, raw_key; the archive has no flag column (has_flags is NULL)', async () => {
    expect(await query(viaApi, 'SELECT DISTINCT source FROM dev.measurements')).toEqual([['api']]);
    expect(await query(viaArchive, 'SELECT DISTINCT source, has_flags FROM dev.measurements')).toEqual([
      ['archive', null],
    ]);
    const keys = (
      await query(viaArchive, 'SELECT DISTINCT raw_key FROM dev.measurements')
    ).flat() as string[];
    for (const k of keys)
      expect(k).toMatch(
        /^raw\/openaq-archive\/locationid=\d+\/year=2024\/month=11\/location-\d+-2024110[2-4]\.[0-9a-f]{16}\.csv\.gz$/,
      );
  });

  it('prod.daily_averages: the same numbers', async () => {
    const api = await query(viaApi, DAILY);
    expect(api.length).toBeGreaterThan(40);
    expectSameRows(await query(viaArchive, DAILY), api);
  });

  it('with both sources for the same days, each key is kept once: the newer fetch (the archive) wins', async () => {
    expect(await query(viaBoth, MEASUREMENTS)).toEqual(await query(viaApi, MEASUREMENTS));
    expect(await query(viaBoth, 'SELECT DISTINCT source FROM dev.measurements')).toEqual([['archive']]);
    const dropped = bothDays.reduce((n, d) => n + d.duplicatesDropped, 0);
    expect(dropped).toBe(apiDays.reduce((n, d) => n + d.rows, 0));
    expectSameRows(await query(viaBoth, DAILY), await query(viaApi, DAILY));
  });
});
