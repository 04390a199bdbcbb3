// Local compute on S3 storage, end to end: `aqlake run` with AQLAKE_STORE=s3 against s3rver over HTTP puts raw and
// dev in the bucket (nothing in {home}/raw or {home}/dev), and `aqlake query` answers exactly as on a local-store lake.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { bucketKeys } from './helpers/lake-readers.js';
import type { DailyRow } from './helpers/prod-rows.js';
import { type S3rverHandle, s3rverClient, s3rverEnv, startS3rver } from './helpers/s3rver.js';
import { tempDir } from './helpers/temp-dir.js';

const RUN = [
  'run',
  '--from',
  '2024-11-02',
  '--to',
  '2024-11-04',
  '--locations',
  '1001,1003',
  '--source',
  'api',
];
const DAILY = `SELECT sensor_id, CAST(local_date AS VARCHAR) AS local_date, value_avg, value_min, value_max,
  value_median, hour_count, coverage_pct FROM prod.daily_averages ORDER BY sensor_id, local_date`;

describe('aqlake run with local compute on an S3 store', () => {
  const clock = new Date('2024-11-06T12:00:00Z');
  let sim: RunningSimulator;
  let s3: S3rverHandle;
  let client: S3Client;
  let s3Home: string;
  let localHome: string;
  let s3Env: NodeJS.ProcessEnv;
  let localEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [sim, s3] = await Promise.all([startSimulator({ seed: 11, now: () => clock }), startS3rver('aq-lake')]);
    client = s3rverClient(s3);
    s3Home = tempDir('aqlake-s3-pipeline-');
    localHome = tempDir('aqlake-local-pipeline-');
    s3Env = {
      AQLAKE_HOME: s3Home,
      OPENAQ_API_URL: sim.url,
      AQLAKE_ENGINE: 'local',
      AQLAKE_STORE: 's3',
      ...s3rverEnv(s3),
    };
    localEnv = { AQLAKE_HOME: localHome, OPENAQ_API_URL: sim.url, AQLAKE_STORE: 'local' };
    const [onS3, onDisk] = await Promise.all([
      runCli(RUN, { env: s3Env, timeoutMs: 240_000 }),
      runCli(RUN, { env: localEnv, timeoutMs: 240_000 }),
    ]);
    expect(onS3.code, onS3.stderr).toBe(0);
    expect(onDisk.code, onDisk.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    client?.destroy();
    await Promise.all([sim?.close(), s3?.stop()]);
  });

  const keysUnder = (prefix: string): Promise<string[]> => bucketKeys(client, s3.bucket, prefix);

  async function query<T>(env: NodeJS.ProcessEnv, sql: string): Promise<T[]> {
    const out = await runCli(['query', '--format', 'json', sql], { env });
    expect(out.code, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as T[];
  }

  it('puts every raw object of the manifest in the bucket, byte for byte', async () => {
    const meta = openMetaDb(s3Home);
    const rows = meta.prepare('SELECT raw_key, sha256, bytes FROM raw_objects').all() as {
      raw_key: string;
      sha256: string;
      bytes: number;
    }[];
    meta.close();
    expect(rows.length).toBeGreaterThan(3);
    const inBucket = new Set(await keysUnder('raw/'));
    for (const row of rows) {
      expect(inBucket.has(row.raw_key), row.raw_key).toBe(true);
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: row.raw_key }));
      const bytes = await got.Body!.transformToByteArray();
      expect(bytes.length, row.raw_key).toBe(row.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), row.raw_key).toBe(row.sha256);
    }
  });

  it('writes the dev Parquet files of the catalog to the bucket', async () => {
    const meta = openMetaDb(s3Home);
    const catalogKeys = (
      meta
        .prepare(
          `SELECT f.key FROM catalog_files f JOIN catalog_versions v ON v.version_id = f.version_id
           WHERE v.state = 'current'`,
        )
        .all() as { key: string }[]
    ).map((r) => r.key);
    meta.close();
    // dev versions, and the prod days committed with them (prod/_versions/…)
    const inBucket = new Set([...(await keysUnder('dev/')), ...(await keysUnder('prod/'))]);
    expect([...inBucket].some((k) => k.startsWith('dev/measurements/') && k.endsWith('.parquet'))).toBe(true);
    expect(catalogKeys.length).toBeGreaterThan(0);
    for (const key of catalogKeys) expect(inBucket.has(key), key).toBe(true);
  });

  it('leaves no lake data on the local disk outside the cache', () => {
    expect(existsSync(join(s3Home, 'raw'))).toBe(false);
    expect(existsSync(join(s3Home, 'dev'))).toBe(false);
    const allowed = new Set(['_meta', '_cache', '_tmp', '_logs', 'logs', 'aqlake.jsonc']);
    expect(readdirSync(s3Home).filter((name) => !allowed.has(name))).toEqual([]);
    // Local layout for comparison: the same run on the filesystem store does write there.
    expect(readdirSync(join(localHome, 'raw')).length).toBeGreaterThan(0);
  });

  it('answers prod.daily_averages exactly as the same run on a local-store lake', async () => {
    const [fromS3, fromDisk] = await Promise.all([
      query<DailyRow>(s3Env, DAILY),
      query<DailyRow>(localEnv, DAILY),
    ]);
    expect(fromDisk.length).toBeGreaterThan(5);
    // avg of doubles depends on DuckDB's (parallel) summation order: equal to the last bits, not bit for bit.
    const exact = (rows: DailyRow[]) => rows.map(({ value_avg: _, ...rest }) => rest);
    expect(exact(fromS3)).toEqual(exact(fromDisk));
    fromS3.forEach((row, i) => {
      expect(
        Math.abs(row.value_avg - fromDisk[i]!.value_avg),
        `${row.sensor_id} ${row.local_date}`,
      ).toBeLessThan(1e-9);
    });
  });

  it('a re-run replaces the day in the bucket (one object per day), and vacuum deletes the replaced version', async () => {
    const before = new Set(await keysUnder('dev/_versions/measurements/'));
    const again = await runCli(
      ['run', '--from', '2024-11-03', '--to', '2024-11-03', '--locations', '1001,1003', '--source', 'api'],
      { env: s3Env, timeoutMs: 240_000 },
    );
    expect(again.code, again.stderr).toBe(0);
    const meta = openMetaDb(s3Home);
    const superseded = (
      meta
        .prepare(
          `SELECT f.key FROM catalog_files f JOIN catalog_versions v ON v.version_id = f.version_id
           WHERE v.state = 'superseded' AND v.table_name = 'measurements'`,
        )
        .all() as { key: string }[]
    ).map((r) => r.key);
    meta.close();
    expect(superseded.length).toBeGreaterThan(0);
    for (const key of superseded) expect(before.has(key), key).toBe(true);
    // The table location holds exactly one object per day, whatever was re-run.
    expect((await keysUnder('dev/measurements/')).sort()).toEqual([
      'dev/measurements/year=2024/month=11/day=02/data.parquet',
      'dev/measurements/year=2024/month=11/day=03/data.parquet',
      'dev/measurements/year=2024/month=11/day=04/data.parquet',
    ]);

    // Within the retention the replaced version stays (history, rollback); with none, vacuum deletes it.
    const keep = await runCli(['vacuum', '--grace-minutes', '0', '--json'], { env: s3Env });
    expect(keep.code, keep.stderr).toBe(0);
    for (const key of superseded) expect(new Set(await keysUnder('dev/_versions/')).has(key), key).toBe(true);
    const vacuum = await runCli(['vacuum', '--grace-minutes', '0', '--retention-days', '0', '--json'], {
      env: s3Env,
    });
    expect(vacuum.code, vacuum.stderr).toBe(0);
    const after = new Set(await keysUnder('dev/'));
    for (const key of superseded) expect(after.has(key), key).toBe(false);
    const [day] = await query<{ n: number }>(
      s3Env,
      `SELECT count(*)::INTEGER AS n FROM prod.daily_averages WHERE local_date = DATE '2024-11-03'`,
    );
    expect(day!.n).toBeGreaterThan(0);
  });
});
