// The commit API other parts build on: several items at once (a dev day with its prod days), keys only, concurrent
// commits of one partition serialised, a commit interrupted by a store error rolled forward, rollback.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCommits } from './catalog/catalog.js';
import {
  getCurrentVersion,
  getPartitionVersion,
  recordCatalogScan,
  stagePartition,
} from './catalog/index.js';
import { commitVersions, recoverCommits, rollbackPartition } from './commit.js';
import { currentObjectKey, type TableZone, versionObjectKey } from './keys.js';
import { type MetaDb, openMetaDb } from './meta/meta-db.js';
import { LocalObjectStore } from './store/index.js';

const COLUMNS = [{ name: 'v', type: 'VARCHAR' }];
let home: string;
let meta: MetaDb;
let store: LocalObjectStore;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-commit-'));
  meta = openMetaDb(home);
  store = new LocalObjectStore(home);
});
afterEach(() => {
  meta.close();
  rmSync(home, { recursive: true, force: true });
});

/** Writes a version object holding `text` and stages + catalogs it, as a transform (or a Glue job) would. */
async function version(
  zone: TableZone,
  table: string,
  localDate: string | null,
  text: string,
): Promise<number> {
  const key = versionObjectKey(zone, table, localDate, text.replace(/[^A-Za-z0-9-]/g, '-'));
  await store.put(key, text);
  const id = stagePartition(meta, {
    zone,
    table,
    localDate,
    files: [{ key, rows: 1, bytes: text.length }],
    schema: COLUMNS,
  });
  recordCatalogScan(meta, id, { columns: COLUMNS, rows: 1 });
  return id;
}

const read = async (key: string) => Buffer.from(await store.get(key)).toString();
const lake = () => ({ store, meta });

describe('commitVersions', () => {
  it('commits a dev day and its prod days together, each at its key, by keys only', async () => {
    const dev = await version('dev', 'measurements', '2024-06-01', 'dev-1');
    const hourly = await version('prod', 'hourly', '2024-06-01', 'hourly-1');
    const daily = await version('prod', 'daily_averages', '2024-06-01', 'daily-1');
    const result = await commitVersions(lake(), [
      { table: 'measurements', localDate: '2024-06-01', versionId: dev },
      { table: 'hourly', localDate: '2024-06-01', versionId: hourly },
      { table: 'daily_averages', localDate: '2024-06-01', versionId: daily },
    ]);
    expect(result.items.map((i) => [i.table, i.versionId, i.previousVersionId])).toEqual(
      expect.arrayContaining([
        ['measurements', dev, null],
        ['hourly', hourly, null],
        ['daily_averages', daily, null],
      ]),
    );
    expect(await read('dev/measurements/year=2024/month=06/day=01/data.parquet')).toBe('dev-1');
    expect(await read('prod/hourly/year=2024/month=06/day=01/data.parquet')).toBe('hourly-1');
    expect(await read(currentObjectKey('prod', 'daily_averages', '2024-06-01'))).toBe('daily-1');
    expect(openCommits(meta)).toEqual([]);
    // Committing a current version again does nothing.
    expect(
      await commitVersions(lake(), [{ table: 'measurements', localDate: '2024-06-01', versionId: dev }]),
    ).toEqual({ commitId: null, items: [] });
  });

  it('serialises two commits of one partition: the tree ends with the version the catalog calls current', async () => {
    const a = await version('dev', 'locations', null, 'locations-a');
    const b = await version('dev', 'locations', null, 'locations-b');
    await Promise.all([
      commitVersions(lake(), [{ table: 'locations', localDate: null, versionId: a }]),
      commitVersions(lake(), [{ table: 'locations', localDate: null, versionId: b }]),
    ]);
    const current = getCurrentVersion(meta, 'locations', null)!;
    expect([a, b]).toContain(current.versionId);
    expect(await read('dev/locations/data.parquet')).toBe(
      current.versionId === a ? 'locations-a' : 'locations-b',
    );
    expect(getPartitionVersion(meta, current.versionId === a ? b : a)?.state).toBe('superseded');
  });

  it('leaves the intent when a copy fails, and the next command rolls it forward', async () => {
    const first = await version('dev', 'measurements', '2024-06-02', 'first');
    await commitVersions(lake(), [{ table: 'measurements', localDate: '2024-06-02', versionId: first }]);
    const second = await version('dev', 'measurements', '2024-06-02', 'second');
    const failing = Object.assign(Object.create(store) as LocalObjectStore, {
      copy: async () => {
        throw new Error('network down');
      },
    });
    await expect(
      commitVersions({ store: failing, meta }, [
        { table: 'measurements', localDate: '2024-06-02', versionId: second },
      ]),
    ).rejects.toThrow('network down');
    expect(openCommits(meta)).toHaveLength(1);
    expect(getCurrentVersion(meta, 'measurements', '2024-06-02')?.versionId).toBe(first);

    expect(await recoverCommits(lake())).toHaveLength(1);
    expect(getCurrentVersion(meta, 'measurements', '2024-06-02')?.versionId).toBe(second);
    expect(await read('dev/measurements/year=2024/month=06/day=02/data.parquet')).toBe('second');
    expect(openCommits(meta)).toEqual([]);
  });

  it('rolls a day back to the version it replaced, and refuses one that was never current', async () => {
    const first = await version('dev', 'measurements', '2024-06-03', 'one');
    await commitVersions(lake(), [{ table: 'measurements', localDate: '2024-06-03', versionId: first }]);
    const second = await version('dev', 'measurements', '2024-06-03', 'two');
    await commitVersions(lake(), [{ table: 'measurements', localDate: '2024-06-03', versionId: second }]);
    const back = await rollbackPartition(lake(), 'measurements', '2024-06-03');
    expect(back).toMatchObject({ versionId: first, previousVersionId: second });
    expect(await read('dev/measurements/year=2024/month=06/day=03/data.parquet')).toBe('one');
    const staged = await version('dev', 'measurements', '2024-06-03', 'three');
    await expect(rollbackPartition(lake(), 'measurements', '2024-06-03', staged)).rejects.toThrow(
      /is staged; only a version that was current before can come back/,
    );
  });
});
