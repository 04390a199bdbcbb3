import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedTreeKeys, listTableFiles, vacuumLake } from '../src/lake/catalog/index.js';
import { recoverCommits } from '../src/lake/commit.js';
import { transformWorkRoot } from '../src/lake/scratch.js';
import { COPY_TMP_DIR } from '../src/lake/store/local/local-store.js';
import { transformAndCommit } from './helpers/lake-steps.js';
import { hourlyRecords, PM25, writeRawLocations, writeRawMeasurements } from './helpers/raw-objects.js';
import type { PausePoint } from './helpers/transform-child.js';
import { runTransformChild } from './helpers/transform-child-run.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

const DAY = '2024-09-10';
const SENSORS = 40;
const OLD_VALUE = 1;
const NEW_VALUE = 2;
let lake: TestLake | null = null;

afterEach(async () => {
  if (lake) await removeTestLake(lake);
  lake = null;
});

/** A lake whose DAY is committed with OLD_VALUE everywhere, and raw data that revises every value to NEW_VALUE. */
async function lakeWithRevision(): Promise<TestLake> {
  const l = openTestLake();
  const sensors = Array.from({ length: SENSORS }, (_, i) => ({ id: 1000 + i, parameter: PM25 }));
  await writeRawLocations(l.store, l.meta, {
    fetchedAt: '2024-09-01T00:00:00Z',
    locations: [{ id: 9, timezone: 'America/Sao_Paulo', latitude: -23.5, longitude: -46.6, sensors }],
  });
  const window = { fromUtc: '2024-09-09T00:00:00Z', toUtc: '2024-09-13T00:00:00Z' };
  const land = async (value: number, fetchedAt: string) => {
    for (const s of sensors)
      await writeRawMeasurements(l.store, l.meta, {
        sensorId: s.id,
        locationId: 9,
        window,
        records: hourlyRecords(window.fromUtc, window.toUtc, () => value),
        fetchedAt,
      });
  };
  await land(OLD_VALUE, '2024-09-13T01:00:00Z');
  await transformAndCommit(l, DAY);
  await land(NEW_VALUE, '2024-09-14T01:00:00Z');
  return l;
}

/** What a reader sees now: the values of DAY resolved through the catalog and read with DuckDB. */
async function readDay(l: TestLake): Promise<{ values: Set<number>; rows: number; keys: string[] }> {
  const files = listTableFiles(l.meta, 'measurements').filter((f) => f.localDate === DAY);
  const rows = await readParquetRows(await Promise.all(files.map((f) => l.store.localPath(f.key))));
  return {
    values: new Set(rows.map((r) => r.value as number)),
    rows: rows.length,
    keys: files.map((f) => f.key),
  };
}

/** What another engine sees: every file in the day's folder of the tree, read with DuckDB. */
async function readTreeDay(l: TestLake): Promise<{ values: Set<number>; rows: number; files: string[] }> {
  const folder = 'dev/measurements/year=2024/month=09/day=10/';
  const files: string[] = [];
  for await (const o of l.store.list(folder)) files.push(o.key);
  const rows = await readParquetRows(files.map((k) => l.store.pathOf(k)));
  return { values: new Set(rows.map((r) => r.value as number)), rows: rows.length, files };
}

async function keysUnder(l: TestLake, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of l.store.list(prefix)) keys.push(o.key);
  return keys.sort();
}

const ROWS = SENSORS * 24;

describe('killing the transform/commit process', () => {
  // tree: what a glob of the tree sees right after the kill; recovered: what everyone sees after the next command.
  const cases: { pauseAt: PausePoint | null; tree: 'old' | 'new'; recovered: 'old' | 'new' }[] = [
    { pauseAt: 'engine-done', tree: 'old', recovered: 'old' },
    { pauseAt: 'file-uploaded', tree: 'old', recovered: 'old' },
    { pauseAt: 'staged', tree: 'old', recovered: 'old' },
    { pauseAt: 'before-commit', tree: 'old', recovered: 'old' },
    { pauseAt: 'intent-recorded', tree: 'old', recovered: 'new' },
    { pauseAt: 'key-replaced', tree: 'new', recovered: 'new' },
    { pauseAt: 'keys-replaced', tree: 'new', recovered: 'new' },
    { pauseAt: 'in-finish', tree: 'new', recovered: 'new' },
    { pauseAt: 'after-commit', tree: 'new', recovered: 'new' },
    { pauseAt: null, tree: 'new', recovered: 'new' },
  ];
  const expectedValue = (v: 'old' | 'new') => (v === 'old' ? OLD_VALUE : NEW_VALUE);

  for (const { pauseAt, tree, recovered } of cases) {
    it(`${pauseAt ? `SIGKILL at ${pauseAt}` : 'no kill'}: the tree holds the ${tree} day, then everyone sees the ${recovered} one; vacuum cleans up`, async () => {
      lake = await lakeWithRevision();
      const before = await readDay(lake);
      expect(before).toMatchObject({ rows: ROWS, values: new Set([OLD_VALUE]) });

      const outcome = await runTransformChild(lake.home, DAY, pauseAt, { timeoutMs: 50_000 });
      if (pauseAt) expect(outcome).toMatchObject({ marker: `PAUSED ${pauseAt}`, signal: 'SIGKILL' });
      else expect(outcome).toMatchObject({ code: 0 });

      // A fresh reader of the tree, before any aqlake command ran: exactly one version of the day, one object.
      const raw = await readTreeDay(lake);
      expect(raw.files).toEqual(['dev/measurements/year=2024/month=09/day=10/data.parquet']);
      expect(raw.rows).toBe(ROWS);
      expect(raw.values).toEqual(new Set([expectedValue(tree)]));

      // The next command opens the lake (and rolls an open commit forward, as openLakeRuntime does).
      const reader = openTestLake(lake.home);
      try {
        await recoverCommits(reader);
        const seen = await readDay(reader);
        expect(seen.rows).toBe(ROWS);
        expect(seen.values).toEqual(new Set([expectedValue(recovered)]));
        if (recovered === 'old') expect(seen.keys).toEqual(before.keys);
        const treeNow = await readTreeDay(reader);
        expect(treeNow.rows).toBe(ROWS);
        expect(treeNow.values).toEqual(seen.values);

        const result = await vacuumLake(reader.store, reader.meta, {
          graceMinutes: 0,
          stagedMaxAgeMinutes: 0,
          retentionDays: 0,
          now: new Date(Date.now() + 1000),
          workDirs: [transformWorkRoot(reader.home), reader.store.pathOf(COPY_TMP_DIR)],
        });
        expect(result.errors).toEqual([]);
        // The table locations hold exactly the current keys; _versions/ only the current versions' objects.
        const current = [
          ...listTableFiles(reader.meta, 'measurements', { kind: 'data' }),
          ...listTableFiles(reader.meta, 'measurements', { kind: 'quarantine' }),
          ...listTableFiles(reader.meta, 'locations'),
          ...listTableFiles(reader.meta, 'sensors'),
        ].map((f) => f.key);
        expect(await keysUnder(reader, 'dev/_versions/')).toEqual(current.sort());
        const treeKeys = (await keysUnder(reader, 'dev/')).filter((k) => !k.startsWith('dev/_versions/'));
        expect(treeKeys).toEqual([...expectedTreeKeys(reader.meta)].sort());
        expect(await readDay(reader)).toEqual(seen);
        expect(readdirSafe(transformWorkRoot(reader.home))).toEqual([]);
        expect(readdirSafe(reader.store.pathOf(COPY_TMP_DIR))).toEqual([]);
      } finally {
        await reader.close();
      }
    });
  }

  it('vacuum leaves a young orphan alone (a transform may still be writing it)', async () => {
    lake = await lakeWithRevision();
    const dir = lake.store.pathOf(`dev/_versions/measurements/2024-09-10`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/in-flight.parquet`, 'x');
    const result = await vacuumLake(lake.store, lake.meta, { graceMinutes: 60 });
    expect(result).toMatchObject({ deleted: [], keptYoung: 1 });
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
