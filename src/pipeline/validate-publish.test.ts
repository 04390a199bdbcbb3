// validate and publish on a real lake (raw → transform → catalog → validate → publish): a day becomes visible only
// after its checks pass; a failing error check keeps the previous version and names the check and the partition.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentPaths } from '../../test/helpers/lake-steps.js';
import {
  hourlyRecords,
  PM25,
  writeHourlyStation,
  writeRawMeasurements,
} from '../../test/helpers/raw-objects.js';
import {
  openTestLake,
  readParquetRows,
  removeTestLake,
  type TestLake,
} from '../../test/helpers/transform-lake.js';
import { measurement, naive, writeMeasurementsParquet } from '../../test/prod-views-support.js';
import { MEASUREMENTS_COLUMNS } from '../engines/duckdb/transform-measurements.js';
import { PipelineError } from '../errors.js';
import {
  getCurrentVersion,
  getPartitionVersion,
  listTableFiles,
  recordCatalogScan,
  stagePartition,
  vacuumLake,
} from '../lake/catalog/index.js';
import { listCheckResults } from '../lake/check-results.js';
import { readableDevRoots, resolveDevTables } from '../lake/dev-files.js';
import { currentObjectKey, versionObjectKey } from '../lake/keys.js';
import { catalogDay } from './catalog-task.js';
import { publishDay } from './publish.js';
import { transformDay } from './transform.js';
import { type CheckContext, validateDay } from './validate.js';

const DAY = '2024-03-10'; // spring forward in New York: 23 local hours
const SENSOR = 11;
let lake: TestLake;
let ctx: CheckContext & TestLake;

beforeAll(async () => {
  lake = openTestLake();
  ctx = Object.assign(lake, { now: () => new Date('2024-03-11T12:00:00Z') });
  // The local day 2024-03-10 in New York: period ends in (05:00Z, next day 04:00Z]; values 1…23.
  await writeHourlyStation(lake.store, lake.meta, {
    location: {
      id: 1,
      timezone: 'America/New_York',
      latitude: 40.7,
      longitude: -74,
      sensors: [{ id: SENSOR, parameter: PM25 }],
    },
    locationsFetchedAt: '2024-03-01T00:00:00Z',
    locationId: null,
    fromUtc: '2024-03-10T05:00:00Z',
    toUtc: '2024-03-11T04:00:00Z',
    value: (i) => i + 1,
    fetchedAt: '2024-03-11T05:00:00Z',
  });
});

afterAll(() => removeTestLake(lake));

async function dailyAverage(): Promise<unknown[][]> {
  const tables = await resolveDevTables(lake);
  const session = await lake.engine.openReadOnlySession({
    tables,
    allowedDirectories: readableDevRoots(tables, lake.home),
  });
  try {
    const r = await session.query(
      'SELECT value_avg, hour_count FROM prod.daily_averages WHERE sensor_id = $sensor AND local_date = $day',
      { params: { sensor: SENSOR, day: DAY } },
    );
    return r.rows;
  } finally {
    session.close();
  }
}

/** The objects in the day's folder of the tree (what another engine globs). */
async function treeDayKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of lake.store.list('dev/measurements/year=2024/month=03/day=10/')) keys.push(o.key);
  return keys;
}

describe('validate → publish', () => {
  it('publishes a day whose checks pass, and readers then see it', async () => {
    const staged = await transformDay(lake, DAY);
    await catalogDay(lake, DAY, { versionId: staged.versionId });
    expect(await dailyAverage()).toEqual([]); // staged is invisible

    const validated = await validateDay(ctx, DAY);
    expect(validated.versionId).toBe(staged.versionId);
    expect(validated.results.filter((r) => r.severity === 'error').map((r) => [r.check, r.status])).toEqual([
      ['local_date_matches_partition', 'pass'],
      ['not_null_keys', 'pass'],
      ['reconciliation', 'pass'],
      ['unique_sensor_period', 'pass'],
    ]);
    // 23 of 24 hours, and the newest value (04:00Z) is 32 h old on 2024-03-11 12:00Z: no warning either
    expect(validated.warnings).toEqual([]);
    expect(listCheckResults(lake.meta, { versionId: staged.versionId })).toHaveLength(7);

    const published = await publishDay(ctx, DAY);
    expect(published).toMatchObject({
      versionId: staged.versionId,
      previousVersionId: null,
      alreadyCurrent: false,
    });
    expect(published.views).toEqual(expect.arrayContaining(['prod.daily_averages', 'prod.who_exceedances']));
    expect(getCurrentVersion(lake.meta, 'measurements', DAY)?.versionId).toBe(staged.versionId);
    expect(await dailyAverage()).toEqual([[12, 23]]);
  });

  it('replaces the day with revised data: one object in the tree, the replaced version kept until the retention', async () => {
    const oldPaths = await currentPaths(lake, 'measurements', DAY);
    // A later fetch revises every value to 100: the newest fetch wins.
    await writeRawMeasurements(lake.store, lake.meta, {
      sensorId: SENSOR,
      locationId: 1,
      window: { fromUtc: '2024-03-10T05:00:00Z', toUtc: '2024-03-11T04:00:00Z' },
      records: hourlyRecords('2024-03-10T05:00:00Z', '2024-03-11T04:00:00Z', () => 100),
      fetchedAt: '2024-03-12T05:00:00Z',
    });
    const staged = await transformDay(lake, DAY);
    await catalogDay(lake, DAY, { versionId: staged.versionId });
    await validateDay(ctx, DAY);
    const published = await publishDay(ctx, DAY);
    expect(published.previousVersionId).not.toBeNull();
    expect(oldPaths.length).toBe(1);
    expect(await dailyAverage()).toEqual([[100, 23]]);
    // The tree: one object for the day, holding the new version.
    const tree = await treeDayKeys();
    expect(tree).toEqual([currentObjectKey('dev', 'measurements', DAY)]);
    expect(new Set((await readParquetRows([lake.store.pathOf(tree[0]!)])).map((r) => r.value))).toEqual(
      new Set([100]),
    );
    // The replaced version stays under _versions/ (history, rollback) until vacuum's retention has passed.
    for (const p of oldPaths) expect(existsSync(p)).toBe(true);
    await vacuumLake(lake.store, lake.meta, { retentionDays: 7, graceMinutes: 0, now: ctx.now() });
    for (const p of oldPaths) expect(existsSync(p)).toBe(true);
    await vacuumLake(lake.store, lake.meta, {
      retentionDays: 7,
      graceMinutes: 0,
      now: new Date(ctx.now().getTime() + 8 * 86_400_000),
    });
    for (const p of oldPaths) expect(existsSync(p)).toBe(false);
    expect(await dailyAverage()).toEqual([[100, 23]]);
  });

  it('keeps a day whose error check fails out of sight, naming the check and the partition', async () => {
    const before = getCurrentVersion(lake.meta, 'measurements', DAY)!.versionId;
    // A version with duplicate keys, staged the way transform stages one.
    const rows = Array.from({ length: 23 }, (_, i) =>
      measurement({
        sensor_id: SENSOR,
        timezone: 'America/New_York',
        period_end_utc: naive(new Date(Date.parse('2024-03-10T06:00:00Z') + i * 3_600_000)),
        value: 7,
      }),
    );
    rows.push({ ...rows[0]!, value: 700 }, { ...rows[1]!, value: 700 }, { ...rows[1]!, value: 701 });
    const key = versionObjectKey('dev', 'measurements', DAY, 'duplicates');
    await writeMeasurementsParquet(lake.store.pathOf(key), rows);
    const treeBefore = await treeDayKeys();
    const versionId = stagePartition(lake.meta, {
      table: 'measurements',
      localDate: DAY,
      files: [{ key, rows: rows.length, bytes: 1 }],
      schema: MEASUREMENTS_COLUMNS,
      stats: { rawRows: rows.length, quarantinedRows: 0, duplicatesDropped: 0 },
    });
    recordCatalogScan(lake.meta, versionId, { columns: MEASUREMENTS_COLUMNS, rows: rows.length });

    const err = await validateDay(ctx, DAY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as PipelineError).message).toBe(
      `validate ${DAY}: check unique_sensor_period failed on dev.measurements day=${DAY} ` +
        '(2 duplicate keys, e.g. sensor 11 at 2024-03-10 06:00:00 UTC (2 rows))',
    );
    expect((err as PipelineError).task).toBe('validate');
    expect((err as PipelineError).day).toBe(DAY);

    // publish refuses it, whoever calls it; readers keep the last good version
    const refused = await publishDay(ctx, DAY, { versionId }).catch((e: unknown) => e);
    expect((refused as PipelineError).message).toMatch(
      /^publish 2024-03-10: check unique_sensor_period failed on dev\.measurements day=2024-03-10/,
    );
    expect(getCurrentVersion(lake.meta, 'measurements', DAY)!.versionId).toBe(before);
    expect(getPartitionVersion(lake.meta, versionId)!.state).toBe('staged');
    expect(await dailyAverage()).toEqual([[100, 23]]);
    expect(listTableFiles(lake.meta, 'measurements').map((f) => f.key)).not.toContain(key);
    // The tree still holds the last good version's one object, nothing of the refused one.
    expect(await treeDayKeys()).toEqual(treeBefore);
    expect(
      new Set((await readParquetRows(treeBefore.map((k) => lake.store.pathOf(k)))).map((r) => r.value)),
    ).toEqual(new Set([100]));
  });

  it('refuses to publish a version that was never validated', async () => {
    const staged = await transformDay(lake, DAY);
    await catalogDay(lake, DAY, { versionId: staged.versionId });
    const err = await publishDay(ctx, DAY, { versionId: staged.versionId }).catch((e: unknown) => e);
    expect((err as PipelineError).message).toBe(
      `publish ${DAY}: version ${staged.versionId} of dev.measurements day=${DAY} has not been validated; run validate first`,
    );
  });

  it('fails a day whose rows do not reconcile with the raw records', async () => {
    const staged = await transformDay(lake, DAY);
    await catalogDay(lake, DAY, { versionId: staged.versionId });
    lake.meta
      .prepare('UPDATE catalog_versions SET raw_rows = raw_rows + 5 WHERE version_id = ?')
      .run(staged.versionId);
    const err = await validateDay(ctx, DAY, { versionId: staged.versionId }).catch((e: unknown) => e);
    expect((err as PipelineError).message).toBe(
      `validate ${DAY}: check reconciliation failed on dev.measurements day=${DAY} ` +
        // two fetches of the day by now: 46 raw records, 23 kept, 23 dropped as older duplicates; +5 lost
        '(raw 51 ≠ dev 23 + quarantined 0 + duplicates dropped 23)',
    );
  });
});
