import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbInstance, sqlString, withSession } from '../src/engines/duckdb/duckdb-instance.js';
import { MEASUREMENTS_COLUMNS } from '../src/engines/duckdb/transform-measurements.js';
import { getCurrentVersion, recordCatalogScan, stagePartition } from '../src/lake/catalog/index.js';
import { versionObjectKey } from '../src/lake/keys.js';
import { createObjectStore } from '../src/lake/store/create-store.js';
import type { ObjectStore } from '../src/lake/store/index.js';
import { publishDay } from '../src/pipeline/publish.js';
import { validateDay } from '../src/pipeline/validate.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';
import {
  duplicateKeys,
  filesUnder,
  mirrorBucket,
  querySql,
  readTreeWithDuckDbProcess,
  readTreeWithHyparquet,
  sortRows,
  type TreeRow,
  type TreeTable,
} from './helpers/lake-readers.js';
import { type S3rverHandle, s3rverClient, s3rverEnv, startS3rver } from './helpers/s3rver.js';
import { runTransformChild } from './helpers/transform-child-run.js';
import { openTestLake } from './helpers/transform-lake.js';

const TABLES: TreeTable[] = ['measurements', 'locations', 'sensors'];
const LOCATIONS = '1001,1003';
const run = (from: string, to: string) =>
  ['run', '--from', from, '--to', to, '--locations', LOCATIONS, '--source', 'api'] as string[];
/** One object per partition: the only file names a table folder may hold. */
const TREE_FILE = /^(year=\d{4}\/month=\d{2}\/day=\d{2}\/)?data\.parquet$/;

describe.each(['local', 's3'] as const)('the open lake on the %s store', (storeKind) => {
  const clock = new Date('2024-11-06T12:00:00Z');
  let sim: RunningSimulator;
  let s3: S3rverHandle | null = null;
  let client: S3Client | null = null;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const scratch: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ seed: 23, now: () => clock });
    home = mkdtempSync(join(tmpdir(), `aqlake-conformance-${storeKind}-`));
    env = { AQLAKE_HOME: home, OPENAQ_API_URL: sim.url, AQLAKE_STORE: storeKind };
    if (storeKind === 's3') {
      s3 = await startS3rver('conformance');
      client = s3rverClient(s3);
      Object.assign(env, s3rverEnv(s3));
    }
  }, 60_000);

  afterAll(async () => {
    await sim?.close();
    await s3?.stop();
    for (const dir of [home, ...scratch]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<string> {
    const out = await runCli(args, { env, timeoutMs: 240_000 });
    expect(out.code, out.stderr).toBe(0);
    return out.stdout;
  }

  /** The tree as another tool gets it: the lake folder itself, or a fresh copy of the bucket's table folders. */
  async function treeRoot(): Promise<string> {
    if (storeKind === 'local') return home;
    const dir = mkdtempSync(join(tmpdir(), 'aqlake-conformance-mirror-'));
    scratch.push(dir);
    for (const table of TABLES) await mirrorBucket(client!, s3!.bucket, `dev/${table}/`, dir);
    return dir;
  }

  async function expectTreeEqualsQuery(): Promise<void> {
    const root = await treeRoot();
    for (const table of TABLES) {
      const files = await filesUnder(join(root, 'dev', table));
      expect(files.length, table).toBeGreaterThan(0);
      for (const f of files) expect(f, `${table}: ${f}`).toMatch(TREE_FILE);
      const queried = sortRows(
        JSON.parse(await cli(['query', '--format', 'json', querySql(table)])) as TreeRow[],
      );
      expect(queried.length, table).toBeGreaterThan(0);
      const [duck, hyp] = await Promise.all([
        readTreeWithDuckDbProcess(root, table),
        readTreeWithHyparquet(root, table),
      ]);
      expect(sortRows(duck), `${table} via a DuckDB glob`).toEqual(queried);
      expect(sortRows(hyp), `${table} via hyparquet`).toEqual(queried);
      expect(duplicateKeys(table, duck), table).toEqual([]);
    }
  }

  /** The lake as the test process opens it (for steps no CLI command exposes on their own). */
  async function openLake() {
    const lake = openTestLake(home);
    const store: ObjectStore =
      storeKind === 's3' ? await createObjectStore(lake.config, { ...process.env, ...env }) : lake.store;
    return { ...lake, store, now: () => clock };
  }

  it('(a) after a run', async () => {
    await cli(run('2024-11-02', '2024-11-04'));
    await expectTreeEqualsQuery();
  }, 300_000);

  it('(b) after a re-run of overlapping days', async () => {
    await cli(run('2024-11-03', '2024-11-05'));
    await expectTreeEqualsQuery();
  }, 300_000);

  it('(c) after a day whose error check fails', async () => {
    const lake = await openLake();
    const day = '2024-11-03';
    try {
      // A version of the day with duplicate keys (another value for some hours), staged as transform stages one.
      const current = getCurrentVersion(lake.meta, 'measurements', day)!;
      const source = await lake.store.localPath(current.files.find((f) => f.kind === 'data')!.key);
      const local = join(home, '_tmp', 'bad-day.parquet');
      const instance = await createDuckDbInstance({
        memoryLimit: '128MB',
        threads: 1,
        tempDirectory: join(home, '_tmp'),
      });
      let rows = 0;
      try {
        await withSession(instance, async (db) => {
          await db.run(
            `COPY (SELECT * FROM read_parquet($src) UNION ALL (SELECT * REPLACE (value + 1 AS value) FROM read_parquet($src) LIMIT 3))
             TO ${sqlString(local)} (FORMAT parquet, COMPRESSION snappy)`,
            { src: source },
          );
          rows = Number(
            (await db.rows<{ n: number }>('SELECT count(*) AS n FROM read_parquet($p)', { p: local }))[0]!.n,
          );
        });
      } finally {
        instance.closeSync();
      }
      const key = versionObjectKey('dev', 'measurements', day, 'duplicates');
      await lake.store.putFile(key, local);
      const versionId = stagePartition(lake.meta, {
        table: 'measurements',
        localDate: day,
        files: [{ key, rows, bytes: 1 }],
        schema: MEASUREMENTS_COLUMNS,
        stats: { rawRows: rows, quarantinedRows: 0, duplicatesDropped: 0 },
      });
      recordCatalogScan(lake.meta, versionId, { columns: MEASUREMENTS_COLUMNS, rows });
      await expect(validateDay(lake, day, { versionId })).rejects.toThrow(
        /check unique_sensor_period failed/,
      );
      await expect(publishDay(lake, day, { versionId })).rejects.toThrow(/check unique_sensor_period failed/);
    } finally {
      await lake.close();
    }
    await expectTreeEqualsQuery();
  }, 300_000);

  it('(d) after a SIGKILL mid-commit, then the next command', async () => {
    for (const pauseAt of ['intent-recorded', 'key-replaced', 'in-finish'] as const) {
      const outcome = await runTransformChild(home, '2024-11-04', pauseAt, { env, timeoutMs: 100_000 });
      expect(outcome.marker, pauseAt).toBe(`PAUSED ${pauseAt}`);
      // `aqlake query` (inside expectTreeEqualsQuery) is the next command: it rolls the commit forward.
      await expectTreeEqualsQuery();
    }
  }, 300_000);
});
