// One conformance suite over both engines, like Kysely's per-dialect suites: every pipeline scenario is written once
// and runs against the DuckDB engine (`local`: the lake on disk) and the AWS engine (`aws`: s3rver for S3, the
// stateful fake Glue + Athena of test/helpers/fake-aws.ts, which runs the Glue job's own script and checks every
// request against AWS's models). Each engine's harness says how to set up its lake, its environment, how to list and
// read objects, and how to make its transform lose a row. The scenarios drive the real CLI in a child process
// against the simulator over HTTP:
// - `aqlake run` over API days, and over the README's archive range (`--from 2025-06-01 --to 2025-06-03`, past
//   archive.lagDays, so `--source auto` reads the archive);
// - prod.daily_averages is the same on every engine, on the same raw;
// - the open tree holds exactly one data.parquet per partition, versions live under _versions/, no markers;
// - a re-run replaces a day: one current object, the new rows in it and in prod;
// - a failed check leaves the day unpublished: its current object and prod are unchanged.
// What only the AWS engine has (request models, Glue and Athena calls, cost per run, Athena's UTILITY statements) is
// asserted in that engine's own block at the end, on the same lake.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEASUREMENTS_COLUMNS } from '../src/engines/dev-tables.js';
import { parseRawArchiveObjectKey, RAW_MEASUREMENTS_ENDPOINT } from '../src/lake/keys.js';
import { metaDbPath } from '../src/lake/meta/meta-db.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { type CliResult, runCli } from './helpers/cli.js';
import type { FakeAws } from './helpers/fake-aws.js';
import { startFakeAwsLake } from './helpers/fake-aws-lake.js';
import type { DailyRow } from './helpers/prod-rows.js';
import { tempDir } from './helpers/temp-dir.js';

const LOSSY_LOCAL_TRANSFORM = fileURLToPath(new URL('./helpers/lossy-local-transform.ts', import.meta.url));

// The simulator's clock: its API and archive hold data up to it. A run's tasks choose the source on the system clock,
// so every day here is past archive.lagDays: `--source auto` (the default) reads the archive, and the API days are
// run with `--source api`.
const NOW = '2025-06-12T12:00:00Z';
const LOCATIONS = '1001,1003';
const API_DAYS = ['2025-06-08', '2025-06-09', '2025-06-10'];
const ARCHIVE_DAYS = ['2025-06-01', '2025-06-02', '2025-06-03'];
const DAILY = `SELECT location_id, sensor_id, CAST(local_date AS VARCHAR) AS local_date, value_avg, value_min,
  value_max, value_median, hour_count, coverage_pct FROM prod.daily_averages ORDER BY sensor_id, local_date`;
const RUN_TIMEOUT = 600_000;

/** A row of DAILY: prod.daily_averages' values with the location they belong to. */
type Daily = DailyRow & { location_id: number };

type EngineName = 'local' | 'aws';

/** What a scenario needs from an engine: its environment, its lake's objects, and a way to break its transform. */
interface EngineHarness {
  name: EngineName;
  env: NodeJS.ProcessEnv;
  /** Every key of the lake under `prefix` (store keys, `/`-separated). */
  keys(prefix: string): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  /** Runs the CLI; `lossyTransform`: this run's transform loses one row of each day (a bug the checks must catch). */
  cli(args: string[], options?: { lossyTransform?: boolean }): Promise<CliResult>;
  /** The AWS engine's fakes, for what only it has. */
  aws?: FakeAws;
  close(): Promise<void>;
}

async function localHarness(sim: RunningSimulator): Promise<EngineHarness> {
  const home = tempDir('aqlake-conformance-local-');
  const env = {
    AQLAKE_HOME: home,
    AQLAKE_ENGINE: 'local',
    AQLAKE_STORE: 'local',
    OPENAQ_API_URL: sim.url,
    OPENAQ_ARCHIVE_URL: sim.archiveUrl,
  };
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const out: string[] = [];
    for (const e of entries)
      if (e.isDirectory()) out.push(...(await walk(join(dir, e.name))));
      else out.push(relative(home, join(dir, e.name)).split('\\').join('/'));
    return out;
  };
  return {
    name: 'local',
    env,
    keys: async (prefix) => (await walk(home)).filter((k) => k.startsWith(prefix)).sort(),
    read: (key) => readFile(join(home, key)),
    cli: (args, options = {}) =>
      runCli(args, {
        env,
        timeoutMs: RUN_TIMEOUT,
        ...(options.lossyTransform ? { preload: [LOSSY_LOCAL_TRANSFORM] } : {}),
      }),
    close: async () => {},
  };
}

async function awsHarness(sim: RunningSimulator): Promise<EngineHarness> {
  const { s3, client, aws, env, close } = await startFakeAwsLake({
    home: tempDir('aqlake-conformance-aws-'),
    apiUrl: sim.url,
    archiveUrl: sim.archiveUrl,
  });
  return {
    name: 'aws',
    env,
    aws,
    async keys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    async read(key) {
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      return Buffer.from(await got.Body!.transformToByteArray());
    },
    cli(args, options = {}) {
      if (options.lossyTransform) aws.dropRowInNextJobRuns = 1;
      return runCli(args, { env, timeoutMs: RUN_TIMEOUT });
    },
    close,
  };
}

const HARNESSES: Record<EngineName, (sim: RunningSimulator) => Promise<EngineHarness>> = {
  local: localHarness,
  aws: awsHarness,
};
const ENGINES = Object.keys(HARNESSES) as EngineName[];

const run = (days: readonly string[], ...more: string[]) => [
  'run',
  '--from',
  days[0]!,
  '--to',
  days.at(-1)!,
  '--locations',
  LOCATIONS,
  ...more,
];

async function query<T>(h: EngineHarness, sql: string): Promise<T[]> {
  const out = await runCli(['query', '--format', 'json', sql], { env: h.env, timeoutMs: 120_000 });
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as T[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const dayKey = (day: string) => {
  const [y, m, d] = day.split('-');
  return `dev/measurements/year=${y}/month=${m}/day=${d}/data.parquet`;
};

/** The same days, sensors and counts, and values equal to 1e-9 (engines sum in whatever order their threads give). */
function expectSameDaily(actual: DailyRow[], expected: DailyRow[]): void {
  expect(actual.map((r) => [r.sensor_id, r.local_date, r.hour_count])).toEqual(
    expected.map((r) => [r.sensor_id, r.local_date, r.hour_count]),
  );
  actual.forEach((r, i) => {
    const e = expected[i]!;
    for (const k of ['value_avg', 'value_min', 'value_max', 'value_median', 'coverage_pct'] as const)
      expect(Math.abs(r[k] - e[k]), `${r.sensor_id} ${r.local_date} ${k}`).toBeLessThanOrEqual(1e-9);
  });
}

let sim: RunningSimulator;
const harness = {} as Record<EngineName, EngineHarness>;
/** Each engine's first runs (API days, then the archive range), and prod.daily_averages right after them. */
const firstRuns = {} as Record<
  EngineName,
  { api: CliResult; archive: CliResult; daily: Daily[]; checks: CheckRow[] }
>;

interface CheckRow {
  local_date: string;
  check_name: string;
  status: string;
  message: string;
}

/** The check results the runs so far recorded in the lake's SQLite catalog, in a stable order. */
function recordedChecks(h: EngineHarness): CheckRow[] {
  const db = new Database(metaDbPath(h.env.AQLAKE_HOME!), { readonly: true });
  try {
    return db
      .prepare(
        'SELECT local_date, check_name, status, message FROM check_results ORDER BY local_date, check_name, result_id',
      )
      .all() as CheckRow[];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, now: () => new Date(NOW) });
  // The engines' lakes are independent: their first runs go at once (the slow part of the suite).
  await Promise.all(
    ENGINES.map(async (name) => {
      const h = await HARNESSES[name](sim);
      harness[name] = h;
      const api = await h.cli(run(API_DAYS, '--source', 'api'));
      const archive = await h.cli(run(ARCHIVE_DAYS));
      const daily = api.code === 0 && archive.code === 0 ? await query<Daily>(h, DAILY) : [];
      firstRuns[name] = { api, archive, daily, checks: recordedChecks(h) };
    }),
  );
}, 1_500_000);

afterAll(async () => {
  await Promise.all(Object.values(harness).map((h) => h.close()));
  await sim?.close();
});

describe.each(ENGINES)('the %s engine', (name) => {
  const h = () => harness[name];

  it('runs API days, and the README archive range with --source auto from the archive', async () => {
    // (the README's `aqlake run --from 2025-06-01 --to 2025-06-03`, with --locations)
    const { api, archive, daily } = firstRuns[name];
    expect(api.code, api.stderr).toBe(0);
    expect(archive.code, archive.stderr).toBe(0);
    expect(api.stdout).toMatch(/3 day\(s\) published, 0 failed/);
    expect(archive.stdout).toMatch(/3 day\(s\) published, 0 failed/);
    // The archive days came from OpenAQ's archive objects (one per location and local day), the API days from
    // /sensors/{id}/measurements pages.
    const raw = await h().keys('raw/');
    const archived = raw.map(parseRawArchiveObjectKey).filter((a) => a !== null);
    const archiveObject = (location: string, day: string) =>
      archived.some((a) => a.locationId === Number(location) && a.localDate === day);
    for (const location of LOCATIONS.split(',')) {
      for (const day of ARCHIVE_DAYS) expect(archiveObject(location, day), `${location} ${day}`).toBe(true);
      for (const day of API_DAYS) expect(archiveObject(location, day), `${location} ${day}`).toBe(false);
    }
    expect(raw.filter((k) => k.startsWith(`raw/openaq/${RAW_MEASUREMENTS_ENDPOINT}/`))).not.toEqual([]);
    expect(new Set(daily.map((r) => r.local_date))).toEqual(new Set([...ARCHIVE_DAYS, ...API_DAYS]));
    expect(new Set(daily.map((r) => r.location_id))).toEqual(new Set([1001, 1003]));
  });

  it('holds exactly one data.parquet per partition in the open tree; versions under _versions/, no markers', async () => {
    const dev = await h().keys('dev/');
    const prod = await h().keys('prod/');
    const tableKeys = [...dev, ...prod].filter((k) => !/^(dev|prod)\/_versions\//.test(k));
    const partitioned =
      /^(dev\/measurements|dev\/_quarantine\/measurements|prod\/[a-z_]+)\/year=\d{4}\/month=\d{2}\/day=\d{2}\/data\.parquet$/;
    const dimension = /^dev\/(locations|sensors)\/data\.parquet$/;
    for (const k of tableKeys) expect(k).toMatch(dimension.test(k) ? dimension : partitioned);
    expect(tableKeys.filter((k) => k.startsWith('dev/measurements/'))).toEqual(
      [...ARCHIVE_DAYS, ...API_DAYS].map(dayKey),
    );
    expect(tableKeys).toContain('dev/locations/data.parquet');
    for (const day of [...ARCHIVE_DAYS, ...API_DAYS])
      expect(
        dev.some((k) => k.startsWith(`dev/_versions/measurements/${day}/`)),
        day,
      ).toBe(true);
    const everything = await h().keys('');
    expect(everything.filter((k) => /\$folder\$|_SUCCESS|(^|\/)part-\d/.test(k))).toEqual([]);
  });

  it(
    're-running a day replaces it: one current object, the new rows in it and in prod',
    async () => {
      const day = API_DAYS[1]!;
      const before = firstRuns[name].daily;
      const oldObject = sha256(await h().read(dayKey(day)));
      // The re-run adds a location: its rows are the day's new rows.
      const rerun = await h().cli([
        'run',
        '--from',
        day,
        '--to',
        day,
        '--locations',
        `${LOCATIONS},1002`,
        '--source',
        'api',
      ]);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(await h().keys(dayKey(day).replace('data.parquet', ''))).toEqual([dayKey(day)]);
      expect(sha256(await h().read(dayKey(day)))).not.toBe(oldObject);
      expect(
        (await h().keys(`dev/_versions/measurements/${day}/`)).filter((k) => !k.includes('quarantine'))
          .length,
      ).toBeGreaterThanOrEqual(2);
      const after = await query<Daily>(h(), DAILY);
      const ofDay = after.filter((r) => r.local_date === day);
      expect(new Set(ofDay.map((r) => r.location_id))).toEqual(new Set([1001, 1002, 1003]));
      // The other days, and the day's rows of the first locations, are as they were.
      expectSameDaily(
        after.filter((r) => r.location_id !== 1002),
        before,
      );
    },
    RUN_TIMEOUT,
  );

  it(
    'a failed check leaves the day unpublished: the transform lost a row, reconciliation fails, nothing changes',
    async () => {
      const day = API_DAYS[2]!;
      const current = sha256(await h().read(dayKey(day)));
      const before = await query<Daily>(h(), DAILY);
      const prodBefore = await snapshot(h(), 'prod/');
      const failed = await h().cli(
        ['run', '--from', day, '--to', day, '--locations', LOCATIONS, '--source', 'api'],
        {
          lossyTransform: true,
        },
      );
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toMatch(
        new RegExp(`${day}: task validate failed: .*check reconciliation failed`),
      );
      expect(sha256(await h().read(dayKey(day)))).toBe(current);
      expect(await h().keys(dayKey(day).replace('data.parquet', ''))).toEqual([dayKey(day)]);
      expect(await snapshot(h(), 'prod/')).toEqual(prodBefore);
      expectSameDaily(await query<Daily>(h(), DAILY), before);
    },
    RUN_TIMEOUT,
  );

  if (name === 'aws') awsOnly(h);
});

describe('across engines', () => {
  it('prod.daily_averages is the same on every engine, on the same raw (API and archive days)', () => {
    const [reference, ...others] = ENGINES;
    expect(firstRuns[reference!].daily.length).toBeGreaterThan(8);
    for (const other of others) expectSameDaily(firstRuns[other].daily, firstRuns[reference!].daily);
  });

  it('every check reads the same on every engine: status, and the message with its numbers as written', () => {
    // The runs are minutes apart, so ages differ in value; the form of each number must not (Trino casts a DOUBLE to
    // VARCHAR as 8.0E1 where DuckDB writes 80.0): numbers keep their shape, digits become #.
    const shape = (c: CheckRow) => ({ ...c, message: c.message.replace(/\d/g, '#') });
    const [reference, ...others] = ENGINES;
    const expected = firstRuns[reference!].checks.map(shape);
    expect(expected.map((c) => c.message).join('\n')).toMatch(/% of the day/);
    for (const other of others) expect(firstRuns[other].checks.map(shape)).toEqual(expected);
  });
});

/** Every object under `prefix` with its content hash. */
async function snapshot(h: EngineHarness, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const k of await h.keys(prefix)) out[k] = sha256(await h.read(k));
  return out;
}

/** What only the AWS engine has, on the lake the scenarios above built. */
function awsOnly(h: () => EngineHarness): void {
  it('sent only requests AWS models accept, and ran the Glue job and Athena for real', () => {
    const aws = h().aws!;
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
    expect(aws.dropRowInNextJobRuns).toBe(0); // the lossy job run of the failed-check scenario did happen
  });

  it('records what each run cost, shown by aqlake runs and aqlake tasks', { timeout: 120_000 }, async () => {
    const listed = await runCli(['runs', '--json'], { env: h().env });
    expect(listed.code, listed.stderr).toBe(0);
    const runs = JSON.parse(listed.stdout) as { runId: string; awsCost?: { usd: number } }[];
    const priced = runs.filter((r) => r.awsCost);
    expect(priced.length).toBe(runs.length);
    // Each run's transform is at least one Glue run billed one minute of 2 DPUs ($0.44/DPU-h): $0.0147.
    for (const r of priced) expect(r.awsCost!.usd).toBeGreaterThanOrEqual((120 / 3600) * 0.44 - 1e-9);
    expect((await runCli(['runs'], { env: h().env })).stdout).toMatch(/AWS COST/);
    const tasks = await runCli(['tasks', priced[0]!.runId], { env: h().env });
    expect(tasks.code, tasks.stderr).toBe(0);
    expect(tasks.stdout).toMatch(/^transform\s+success\s.*\$0\.0\d{3}/m);
    expect(tasks.stdout).toMatch(/AWS cost of the run: \$0\.\d{4}/);
    // The local engine records no cost and shows no column.
    expect((await runCli(['runs'], { env: harness.local.env })).stdout).not.toMatch(/AWS COST/);
  });

  it('DESCRIBE (an Athena UTILITY statement, one column of tab-separated text) shows name and type', {
    timeout: 120_000,
  }, async () => {
    const view = await query<{ col_name: string; data_type: string }>(h(), 'DESCRIBE prod.daily_averages');
    expect(view.find((r) => r.col_name === 'value_avg')?.data_type).toBe('double');
    // A partitioned table: each column once (the `# Partition Information` block repeats the partition keys).
    const table = await query<{ col_name: string; data_type: string }>(h(), 'DESCRIBE dev.measurements');
    expect(table.map((r) => r.col_name)).toEqual([
      ...MEASUREMENTS_COLUMNS.map((c) => c.name),
      'year',
      'month',
      'day',
    ]);
    expect(table.find((r) => r.col_name === 'sensor_id')?.data_type).toBe('bigint');
  });

  it('leaves no Glue staging objects behind', async () => {
    expect(await h().keys('_aws/glue/tmp/')).toEqual([]);
  });
}
