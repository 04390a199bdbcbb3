// AQLAKE_ENGINE=aws end to end, offline: the real CLI (`aqlake aws deploy`, `aqlake run`, `aqlake query`) in a child
// process against s3rver (S3) and the stateful fake Glue + Athena of test/helpers/fake-aws.ts, every Glue and Athena
// request checked against AWS's models. API days and archive days (the README's kind of range: past archive.lagDays,
// `--source auto` takes the archive) go through the Glue job's own script; Athena's checks read the staged version
// object, its views the tables through partition projection. prod.daily_averages must equal a local run's on the
// same data; a re-run replaces a day; a failed check leaves the day unpublished.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../src/lake/store/s3/s3-client.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { type FakeAws, startFakeAws } from './helpers/fake-aws.js';
import type { DailyRow } from './helpers/prod-rows.js';
import { type S3rverHandle, startS3rver } from './helpers/s3rver.js';

const LOCATIONS = '1001,1003';
const API_DAYS = [
  'run',
  '--from',
  '2024-11-02',
  '--to',
  '2024-11-04',
  '--locations',
  LOCATIONS,
  '--source',
  'api',
];
// Ten days before the clock: past archive.lagDays (4), so `--source auto` reads the archive for them.
const ARCHIVE_DAYS = ['run', '--from', '2024-10-28', '--to', '2024-10-29', '--locations', LOCATIONS];
const DAILY = `SELECT sensor_id, CAST(local_date AS VARCHAR) AS local_date, value_avg, value_min, value_max,
  value_median, hour_count, coverage_pct FROM prod.daily_averages ORDER BY sensor_id, local_date`;

/** The same days and counts, and values equal to 1e-9 (DuckDB sums in whatever order its threads give). */
function expectSameDaily(actual: DailyRow[], expected: DailyRow[]): void {
  expect(actual.map((r) => [r.sensor_id, r.local_date, r.hour_count])).toEqual(
    expected.map((r) => [r.sensor_id, r.local_date, r.hour_count]),
  );
  actual.forEach((r, i) => {
    const l = expected[i]!;
    for (const k of ['value_avg', 'value_min', 'value_max', 'value_median', 'coverage_pct'] as const)
      expect(Math.abs(r[k] - l[k]), `${r.sensor_id} ${r.local_date} ${k}`).toBeLessThanOrEqual(1e-9);
  });
}

describe('aqlake run with AQLAKE_ENGINE=aws (s3rver + fake Glue and Athena)', () => {
  const clock = new Date('2024-11-07T12:00:00Z');
  let sim: RunningSimulator;
  let s3: S3rverHandle;
  let client: S3Client;
  let aws: FakeAws;
  let awsEnv: NodeJS.ProcessEnv;
  let localEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [sim, s3] = await Promise.all([startSimulator({ seed: 11, now: () => clock }), startS3rver('aq-lake')]);
    client = createS3Client({
      region: 'ap-southeast-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    aws = await startFakeAws({ s3: client, bucket: s3.bucket });
    awsEnv = {
      AQLAKE_HOME: mkdtempSync(join(tmpdir(), 'aqlake-aws-e2e-')),
      OPENAQ_API_URL: sim.url,
      OPENAQ_ARCHIVE_URL: sim.archiveUrl,
      AQLAKE_ENGINE: 'aws',
      AQLAKE_STORE: 's3',
      AQLAKE_BUCKET: s3.bucket,
      AWS_REGION: 'ap-southeast-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_GLUE: aws.endpoint,
      AWS_ENDPOINT_URL_ATHENA: aws.endpoint,
      AQLAKE_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      AQLAKE_GLUE_ROLE_ARN: 'arn:aws:iam::123456789012:role/aqlake-glue',
    };
    localEnv = {
      AQLAKE_HOME: mkdtempSync(join(tmpdir(), 'aqlake-aws-e2e-local-')),
      OPENAQ_API_URL: sim.url,
      OPENAQ_ARCHIVE_URL: sim.archiveUrl,
      AQLAKE_STORE: 'local',
    };
    const deployed = await runCli(['aws', 'deploy'], { env: awsEnv });
    expect(deployed.code, deployed.stderr).toBe(0);
    const [onAws, onDisk] = await Promise.all([
      runCli(API_DAYS, { env: awsEnv, timeoutMs: 400_000 }),
      runCli(API_DAYS, { env: localEnv, timeoutMs: 400_000 }),
    ]);
    expect(onAws.code, onAws.stderr).toBe(0);
    expect(onDisk.code, onDisk.stderr).toBe(0);
    const [archiveAws, archiveLocal] = await Promise.all([
      runCli(ARCHIVE_DAYS, { env: awsEnv, timeoutMs: 400_000 }),
      runCli(ARCHIVE_DAYS, { env: localEnv, timeoutMs: 400_000 }),
    ]);
    expect(archiveAws.code, archiveAws.stderr).toBe(0);
    expect(archiveLocal.code, archiveLocal.stderr).toBe(0);
  }, 900_000);

  afterAll(async () => {
    await aws?.close();
    client?.destroy();
    await Promise.all([sim?.close(), s3?.stop()]);
  });

  async function query<T>(env: NodeJS.ProcessEnv, sql: string): Promise<T[]> {
    const out = await runCli(['query', '--format', 'json', sql], { env, timeoutMs: 120_000 });
    expect(out.code, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as T[];
  }

  async function bucketKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  }

  it('sent only requests AWS models accept, and ran the Glue job and Athena for real', () => {
    expect(aws.rejected).toEqual([]);
    const ops = new Set(aws.calls.map((c) => `${c.service}:${c.operation}`));
    for (const op of [
      'glue:StartJobRun',
      'glue:CreateTable',
      'athena:StartQueryExecution',
      'athena:GetQueryResults',
    ])
      expect(ops).toContain(op);
    expect([...aws.queries.values()].filter((q) => q.state === 'FAILED').map((q) => q.error)).toEqual([]);
  });

  it('prod.daily_averages on AWS equals the local run on the same data, for API and archive days', {
    timeout: 120_000,
  }, async () => {
    const onAws = await query<DailyRow>(awsEnv, DAILY);
    const onDisk = await query<DailyRow>(localEnv, DAILY);
    expect(onAws.length).toBeGreaterThan(8);
    expect(new Set(onAws.map((r) => r.local_date))).toEqual(
      new Set(['2024-10-28', '2024-10-29', '2024-11-02', '2024-11-03', '2024-11-04']),
    );
    expectSameDaily(onAws, onDisk);
  });

  it('the tree holds one current object per day; versions live under dev/_versions/, no marker anywhere', async () => {
    const dev = await bucketKeys('dev/');
    const current = dev.filter((k) => k.startsWith('dev/measurements/'));
    expect(current).toContain('dev/measurements/year=2024/month=11/day=03/data.parquet');
    expect(current).toContain('dev/measurements/year=2024/month=10/day=28/data.parquet');
    for (const k of current)
      expect(k).toMatch(/^dev\/measurements\/year=\d{4}\/month=\d{2}\/day=\d{2}\/data\.parquet$/);
    expect(dev.some((k) => k.startsWith('dev/_versions/measurements/'))).toBe(true);
    expect((await bucketKeys('')).filter((k) => k.includes('$folder$') || k.includes('_SUCCESS'))).toEqual(
      [],
    );
    expect(await bucketKeys('_aws/glue/tmp/')).toEqual([]);
  });

  it('records what each run cost on AWS, shown by aqlake runs and aqlake tasks', {
    timeout: 120_000,
  }, async () => {
    const listed = await runCli(['runs', '--json'], { env: awsEnv });
    expect(listed.code, listed.stderr).toBe(0);
    const runs = JSON.parse(listed.stdout) as {
      runId: string;
      awsCost?: { usd: number; glueBilledDpuSeconds: number };
    }[];
    const priced = runs.filter((r) => r.awsCost);
    expect(priced.length).toBe(runs.length);
    // Each run's transform is at least one Glue run billed one minute of 2 DPUs ($0.44/DPU-h): $0.0147.
    for (const r of priced) expect(r.awsCost!.usd).toBeGreaterThanOrEqual((120 / 3600) * 0.44 - 1e-9);
    const table = await runCli(['runs'], { env: awsEnv });
    expect(table.stdout).toMatch(/AWS COST/);
    const tasks = await runCli(['tasks', priced[0]!.runId], { env: awsEnv });
    expect(tasks.code, tasks.stderr).toBe(0);
    expect(tasks.stdout).toMatch(/^transform\s+success\s.*\$0\.0\d{3}/m);
    expect(tasks.stdout).toMatch(/AWS cost of the run: \$0\.\d{4}/);
    // The local run records no cost and shows no column.
    expect((await runCli(['runs'], { env: localEnv })).stdout).not.toMatch(/AWS COST/);
  });

  it('DESCRIBE (an Athena UTILITY statement) returns its rows', { timeout: 120_000 }, async () => {
    const rows = await query<{ col_name: string; data_type: string }>(awsEnv, 'DESCRIBE prod.daily_averages');
    expect(rows.map((r) => r.col_name)).toContain('value_avg');
  });

  it('a re-run replaces a day', async () => {
    const before = await query<DailyRow>(awsEnv, DAILY);
    const rerun = await runCli(
      ['run', '--from', '2024-11-03', '--to', '2024-11-03', '--locations', LOCATIONS, '--source', 'api'],
      { env: awsEnv, timeoutMs: 400_000 },
    );
    expect(rerun.code, rerun.stderr).toBe(0);
    expectSameDaily(await query<DailyRow>(awsEnv, DAILY), before);
    expect((await bucketKeys('dev/_versions/measurements/2024-11-03/')).length).toBeGreaterThanOrEqual(2);
    expect(await bucketKeys('dev/measurements/year=2024/month=11/day=03/')).toEqual([
      'dev/measurements/year=2024/month=11/day=03/data.parquet',
    ]);
  }, 600_000);

  it('a failed check leaves the day unpublished: the job lost a row, reconciliation fails, prod keeps the old day', async () => {
    const before = await query<DailyRow>(awsEnv, DAILY);
    const current = 'dev/measurements/year=2024/month=11/day=04/data.parquet';
    const head = async () =>
      (await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: current }))).ETag;
    const etag = await head();
    aws.dropRowInNextJobRuns = 1;
    const failed = await runCli(
      ['run', '--from', '2024-11-04', '--to', '2024-11-04', '--locations', LOCATIONS, '--source', 'api'],
      { env: awsEnv, timeoutMs: 400_000 },
    );
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/reconciliation/);
    expect(await head()).toBe(etag);
    expectSameDaily(await query<DailyRow>(awsEnv, DAILY), before);
    expect(aws.dropRowInNextJobRuns).toBe(0); // the buggy run did happen
  }, 600_000);
});
