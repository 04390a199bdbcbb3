// The catalog step on real Parquet (schema versions, drift), the commit (one object per day in the tree, versions
// kept under _versions/ for the retention), vacuum, and the dimension tables.
import { utimes } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDuckDbInstance, sqlString, withSession } from '../src/engines/duckdb/duckdb-instance.js';
import {
  getPartitionVersion,
  listSchemaVersions,
  listTableFiles,
  SchemaDriftError,
  stagePartition,
  vacuumLake,
} from '../src/lake/catalog/index.js';
import { commitVersions, upgradeLegacyLayout } from '../src/lake/commit.js';
import { currentObjectKey, versionObjectKey } from '../src/lake/keys.js';
import { transformWorkRoot } from '../src/lake/scratch.js';
import { COPY_TMP_DIR } from '../src/lake/store/local/local-store.js';
import { catalogDay } from '../src/pipeline/catalog-task.js';
import { refreshDimensions, transformDay } from '../src/pipeline/transform.js';
import { currentPaths, transformAndCommit } from './helpers/lake-steps.js';
import { PM25, writeHourlyStation, writeRawLocations } from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

let lake: TestLake;
const station = { id: 5, timezone: 'Europe/Berlin', latitude: 52.5, longitude: 13.4, name: 'Mitte' };

beforeEach(async () => {
  lake = openTestLake();
  await writeHourlyStation(lake.store, lake.meta, {
    location: { ...station, sensors: [{ id: 50, parameter: PM25 }] },
    locationsFetchedAt: '2024-06-01T00:00:00Z',
    fromUtc: '2024-06-09T22:00:00Z',
    toUtc: '2024-06-11T22:00:00Z',
    value: (i) => i,
    fetchedAt: '2024-06-12T00:00:00Z',
  });
});
afterEach(() => removeTestLake(lake));

/** Rewrites a staged file with DuckDB (a writer whose schema differs) and stages it as a new version. */
async function stageRewritten(localDate: string, select: string): Promise<number> {
  const [source] = await currentPaths(lake, 'measurements', localDate);
  const key = versionObjectKey('dev', 'measurements', localDate, `rewritten-${Date.now()}`);
  const target = lake.store.pathOf(key);
  const instance = await createDuckDbInstance({
    memoryLimit: '128MB',
    threads: 1,
    tempDirectory: `${lake.home}/_tmp/t`,
  });
  try {
    await withSession(instance, (db) =>
      db.run(
        `COPY (SELECT ${select} FROM read_parquet($src, hive_partitioning = false)) TO ${sqlString(target)} (FORMAT parquet)`,
        {
          src: source!,
        },
      ),
    );
  } finally {
    instance.closeSync();
  }
  const info = (await lake.store.head(key))!;
  return stagePartition(lake.meta, {
    table: 'measurements',
    localDate,
    files: [{ key, rows: 24, bytes: info.bytes }],
    schema: [],
  });
}

describe('catalog on real Parquet', () => {
  it('records schema version 1, a new version for a new column, and refuses a type change by name', async () => {
    await transformAndCommit(lake, '2024-06-10');
    expect(listSchemaVersions(lake.meta, 'measurements').map((s) => s.version)).toEqual([1]);
    expect(listSchemaVersions(lake.meta, 'measurements')[0]?.columns.slice(0, 3)).toEqual([
      { name: 'location_id', type: 'BIGINT' },
      { name: 'sensor_id', type: 'BIGINT' },
      { name: 'parameter_id', type: 'INTEGER' },
    ]);

    const withColumn = await stageRewritten('2024-06-10', "*, 'calibrated' AS calibration");
    const evolved = await catalogDay(lake, '2024-06-10', { versionId: withColumn });
    expect(evolved).toMatchObject({
      schemaVersion: 2,
      schemaChange: 'evolved',
      addedColumns: ['calibration'],
    });

    const retyped = await stageRewritten('2024-06-10', '* REPLACE (CAST(value AS VARCHAR) AS value)');
    const attempt = catalogDay(lake, '2024-06-10', { versionId: retyped });
    await expect(attempt).rejects.toBeInstanceOf(SchemaDriftError);
    await expect(catalogDay(lake, '2024-06-10', { versionId: retyped })).rejects.toThrow(
      'schema drift in dev.measurements: column value changed type from DOUBLE to VARCHAR, which is not compatible; dev.measurements (schema version 2) keeps DOUBLE',
    );
    // A drifted version was never cataloged, so publish cannot commit it.
    await expect(
      commitVersions(lake, [{ table: 'measurements', localDate: '2024-06-10', versionId: retyped }]),
    ).rejects.toThrow(/has not been cataloged/);
  });

  it('catalogs the newest staged version of a day when none is named, and fails clearly when there is none', async () => {
    const staged = await transformDay(lake, '2024-06-10');
    await expect(catalogDay(lake, '2024-06-10')).resolves.toMatchObject({
      versionId: staged.versionId,
      rows: 24,
    });
    await expect(catalogDay(lake, '2024-06-20')).rejects.toThrow(
      'catalog: no staged version of dev.measurements for 2024-06-20; run transform for that day first',
    );
  });
});

describe('commit and vacuum', () => {
  it('keeps one object per day in the tree, replaced versions until the retention, and vacuum removes only old unreferenced files', async () => {
    const [first] = await transformAndCommit(lake, '2024-06-10');
    const oldKeys = getPartitionVersion(lake.meta, first!.versionId)!.files.map((f) => f.key);
    const [second] = await transformAndCommit(lake, '2024-06-10');
    const treeKey = currentObjectKey('dev', 'measurements', '2024-06-10');
    const tree: string[] = [];
    for await (const o of lake.store.list('dev/measurements/')) tree.push(o.key);
    expect(tree).toEqual([treeKey]);
    // The replaced version is kept under _versions/ (history, rollback) within the retention.
    for (const key of oldKeys) expect(key.startsWith('dev/_versions/measurements/2024-06-10/')).toBe(true);
    const keep = await vacuumLake(lake.store, lake.meta, { graceMinutes: 0, retentionDays: 7 });
    expect(keep.deleted).toEqual([]);
    for (const key of oldKeys) expect(await lake.store.head(key)).not.toBeNull();
    const current = listTableFiles(lake.meta, 'measurements').map((f) => f.key);
    expect(current).toEqual(getPartitionVersion(lake.meta, second!.versionId)!.files.map((f) => f.key));

    // Leftovers of a crash: an old orphan version object, a young one, a stray file in the table location, an old
    // staged version, an old scratch folder.
    const src = await lake.store.localPath(current[0]!);
    const oldOrphan = versionObjectKey('dev', 'measurements', '2024-06-10', 'orphan-old');
    const youngOrphan = versionObjectKey('dev', 'measurements', '2024-06-10', 'orphan-young');
    const stray = 'dev/measurements/year=2024/month=06/day=10/part-0.parquet';
    for (const key of [oldOrphan, youngOrphan, stray]) await lake.store.putFile(key, src);
    const hourAgo = new Date(Date.now() - 2 * 3_600_000);
    for (const key of [oldOrphan, stray]) await utimes(lake.store.pathOf(key), hourAgo, hourAgo);
    const stale = await transformDay(lake, '2024-06-11');
    const staleKeys = getPartitionVersion(lake.meta, stale.versionId)!.files.map((f) => f.key);
    for (const key of staleKeys) await utimes(lake.store.pathOf(key), hourAgo, hourAgo);
    // The files were backdated: so is the catalog, or vacuum would take it for one younger than its files.
    lake.meta
      .prepare('UPDATE schema_migrations SET applied_at = ?')
      .run(new Date(Date.now() - 3 * 3_600_000).toISOString());
    const later = new Date(Date.now() + 8 * 24 * 3_600_000 - 3_600_000);

    const dry = await vacuumLake(lake.store, lake.meta, { graceMinutes: 60, dryRun: true });
    expect(dry.deleted.map((d) => d.key).sort()).toEqual([oldOrphan, stray].sort());
    expect(await lake.store.head(oldOrphan)).not.toBeNull();

    const result = await vacuumLake(lake.store, lake.meta, {
      graceMinutes: 60,
      now: later,
      stagedMaxAgeMinutes: 7 * 24 * 60,
      retentionDays: 7,
      workDirs: [transformWorkRoot(lake.home), lake.store.pathOf(COPY_TMP_DIR)],
    });
    expect(result.errors).toEqual([]);
    expect(result.discardedVersions).toEqual([stale.versionId]);
    expect(result.deleted.map((d) => [d.key, d.reason]).sort()).toEqual(
      [
        [oldOrphan, 'orphan'],
        [youngOrphan, 'orphan'],
        [stray, 'orphan'],
        ...oldKeys.map((k) => [k, 'superseded']),
        ...staleKeys.map((k) => [k, 'discarded']),
      ].sort(),
    );
    for (const key of [...current, treeKey]) expect(await lake.store.head(key)).not.toBeNull();
    expect(getPartitionVersion(lake.meta, stale.versionId)?.state).toBe('discarded');
    expect(getPartitionVersion(lake.meta, first!.versionId)?.filesDeletedAt).not.toBeNull();
    const rows = await readParquetRows(await currentPaths(lake));
    expect(rows).toHaveLength(24);
    expect(await readParquetRows([lake.store.pathOf(treeKey)])).toEqual(rows);
  });
});

describe('a lake written before the one-object-per-partition layout', () => {
  it('is moved to it: versions to _versions/, the current one at the day’s key, replaced files out of the folder', async () => {
    const [first] = await transformAndCommit(lake, '2024-06-10');
    const [second] = await transformAndCommit(lake, '2024-06-10');
    const rows = await readParquetRows(await currentPaths(lake));
    // Rewind to the old layout: each version's file inside the day folder, nothing at data.parquet.
    const folder = 'dev/measurements/year=2024/month=06/day=10/';
    for (const v of [first!, second!]) {
      const file = getPartitionVersion(lake.meta, v.versionId)!.files[0]!;
      const legacy = `${folder}part-${v.versionId}.parquet`;
      await lake.store.copy(file.key, legacy);
      await lake.store.delete(file.key);
      lake.meta.prepare('UPDATE catalog_files SET key = ? WHERE key = ?').run(legacy, file.key);
    }
    await lake.store.delete(`${folder}data.parquet`);
    const tree = async () => {
      const keys: string[] = [];
      for await (const o of lake.store.list('dev/measurements/')) keys.push(o.key);
      return keys.sort();
    };
    expect(await tree()).toEqual([
      `${folder}part-${first!.versionId}.parquet`,
      `${folder}part-${second!.versionId}.parquet`,
    ]);
    // vacuum must not take a current version's file for a stray one
    await vacuumLake(lake.store, lake.meta, { graceMinutes: 0, now: new Date(Date.now() + 1000) });
    expect(await lake.store.head(`${folder}part-${second!.versionId}.parquet`)).not.toBeNull();

    expect(await upgradeLegacyLayout(lake)).toEqual({ moved: 2, skipped: [] });
    expect(await tree()).toEqual([`${folder}data.parquet`]);
    const current = listTableFiles(lake.meta, 'measurements');
    expect(current.map((f) => f.key)).toEqual([
      versionObjectKey('dev', 'measurements', '2024-06-10', `legacy-v${second!.versionId}`),
    ]);
    expect(await readParquetRows(await currentPaths(lake))).toEqual(rows);
    expect(await readParquetRows([lake.store.pathOf(`${folder}data.parquet`)])).toEqual(rows);
    expect(getPartitionVersion(lake.meta, first!.versionId)?.filesDeletedAt).not.toBeNull();
    expect(await upgradeLegacyLayout(lake)).toEqual({ moved: 0, skipped: [] });
  });
});

describe('dimension tables', () => {
  it('keeps one version per change of attributes (SCD2) and ends a sensor when its location drops it', async () => {
    await refreshDimensions(lake);
    // Same attributes again: no new version of anything.
    await writeRawLocations(lake.store, lake.meta, {
      fetchedAt: '2024-06-02T00:00:00Z',
      locations: [{ ...station, sensors: [{ id: 50, parameter: PM25 }] }],
    });
    // Moved and renamed, second sensor added; then sensor 50 dropped.
    await writeRawLocations(lake.store, lake.meta, {
      fetchedAt: '2024-06-03T00:00:00Z',
      locations: [
        {
          ...station,
          name: 'Mitte (new site)',
          latitude: 52.51,
          sensors: [
            { id: 50, parameter: PM25 },
            { id: 51, parameter: PM25 },
          ],
        },
      ],
    });
    await writeRawLocations(lake.store, lake.meta, {
      fetchedAt: '2024-06-04T00:00:00Z',
      locations: [
        { ...station, name: 'Mitte (new site)', latitude: 52.51, sensors: [{ id: 51, parameter: PM25 }] },
      ],
    });
    const refresh = await refreshDimensions(lake);
    expect(refresh).toMatchObject({ changed: true, snapshots: 4 });
    expect(await refreshDimensions(lake)).toMatchObject({ changed: false });

    const read = async (table: string, order: string) =>
      readParquetRowsAny(
        await Promise.all(listTableFiles(lake.meta, table).map((f) => lake.store.localPath(f.key))),
        order,
      );
    const locations = await read('locations', 'valid_from');
    expect(locations.map((l) => [l.name, l.latitude, l.valid_from, l.valid_to, l.is_current])).toEqual([
      ['Mitte', 52.5, '2024-06-01T00:00:00Z', '2024-06-03T00:00:00Z', false],
      ['Mitte (new site)', 52.51, '2024-06-03T00:00:00Z', null, true],
    ]);
    const sensors = await read('sensors', 'sensor_id, valid_from');
    expect(sensors.map((s) => [s.sensor_id, s.valid_from, s.valid_to, s.is_current])).toEqual([
      [50, '2024-06-01T00:00:00Z', '2024-06-04T00:00:00Z', false],
      [51, '2024-06-03T00:00:00Z', null, true],
    ]);
  });
});

async function readParquetRowsAny(paths: string[], orderBy: string): Promise<Record<string, unknown>[]> {
  const instance = await createDuckDbInstance({
    memoryLimit: '128MB',
    threads: 1,
    tempDirectory: `${lake.home}/_tmp/t`,
  });
  try {
    return await withSession(instance, (db) =>
      db.rows(
        `SELECT * REPLACE (strftime(valid_from, '%Y-%m-%dT%H:%M:%SZ') AS valid_from,
                           strftime(valid_to, '%Y-%m-%dT%H:%M:%SZ') AS valid_to)
         FROM read_parquet($paths, hive_partitioning = false) ORDER BY ${orderBy}`,
        { paths },
      ),
    );
  } finally {
    instance.closeSync();
  }
}
