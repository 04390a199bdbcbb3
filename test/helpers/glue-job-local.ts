// Runs the Glue job script's main() with python3 on this machine: the real script, its real arguments, a local folder
// as its S3 bucket and test/helpers/fake-spark as pyspark (see its README for what only Spark can show). The fake Glue
// service (fake-aws.ts) and the job tests use it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultAwsSettings } from '../../src/engines/aws/aws-settings.js';
import { type GlueLocationVersion, jobArguments } from '../../src/engines/aws/transform-measurements.js';
import { createDuckDbInstance, withSession } from '../../src/engines/duckdb/duckdb-instance.js';
import type { RawMeasurementsObject } from '../../src/engines/engine.js';
import { QUALITY_RULES_PATH } from '../../src/engines/sql-files.js';
import { findRawObjects, rawMeasurementsObject } from '../../src/lake/manifest.js';
import type { TestLake } from './transform-lake.js';

const GLUE_SCRIPT = fileURLToPath(new URL('../../glue_jobs/job_raw_to_dev.py', import.meta.url));
const FAKE_SPARK = fileURLToPath(new URL('./fake-spark', import.meta.url));

interface JobS3Call {
  op: string;
  Key?: string;
  Prefix?: string;
  source?: string;
  keys?: string[];
}

export interface LocalJobRun {
  /** The job's bucket as a folder: `{root}/{key}`. */
  root: string;
  status: number | null;
  stderr: string;
  /** Every S3 call the job made, in order. */
  s3Calls: JobS3Call[];
  /** Files holding each value the job broadcast, pickled as Spark pickles it. */
  broadcasts: string[];
}

/** Runs the Python program `source` with fake-spark as pyspark (and `stdin` as its input); its stdout is JSON. */
export function runPythonOnFakeSpark<T>(source: string, stdin?: string): T {
  const r = spawnSync('python3', ['-c', source], {
    ...(stdin === undefined ? {} : { input: stdin }),
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: FAKE_SPARK, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Writes `objects` into a fresh bucket folder (or `root`) and runs the job with `args` (`--name value` pairs). */
export async function runGlueJobLocally(input: {
  bucket: string;
  args: Record<string, string>;
  objects?: ReadonlyMap<string, Uint8Array | string>;
  root?: string;
  /** The script to run (default: glue_jobs/job_raw_to_dev.py of this checkout). */
  script?: string;
  signal?: AbortSignal;
}): Promise<LocalJobRun> {
  const root = input.root ?? (await mkdtemp(join(tmpdir(), 'aqlake-glue-bucket-')));
  const work = await mkdtemp(join(tmpdir(), 'aqlake-glue-run-'));
  const broadcastDir = join(work, 'broadcast');
  await mkdir(broadcastDir);
  for (const [key, body] of input.objects ?? []) {
    const path = join(root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }
  const log = join(work, 's3.jsonl');
  const argv = Object.entries(input.args).flat();
  // Glue passes its own arguments too; the job must ignore them.
  argv.push('--JOB_ID', 'j_fake', '--JOB_RUN_ID', 'jr_fake', '--job-bookmark-option', 'job-bookmark-disable');
  const child = spawn('python3', [input.script ?? GLUE_SCRIPT, ...argv], {
    env: {
      ...process.env,
      PYTHONPATH: FAKE_SPARK,
      FAKE_S3_ROOT: root,
      FAKE_S3_BUCKET: input.bucket,
      FAKE_S3_LOG: log,
      FAKE_SPARK_BROADCAST_DIR: broadcastDir,
      PYTHONDONTWRITEBYTECODE: '1',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(input.signal ? { signal: input.signal } : {}),
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', () => resolve(null));
  });
  const calls = await readFile(log, 'utf8').catch(() => '');
  return {
    root,
    status,
    stderr,
    s3Calls: calls
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JobS3Call),
    broadcasts: (await readdir(broadcastDir)).sort().map((f) => join(broadcastDir, f)),
  };
}

/** Every key in a bucket folder. */
export async function listBucketFolder(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(root, p).split(sep).join('/'));
    }
  };
  await walk(root);
  return out.sort();
}

type JobRow = Record<string, unknown>;

/** One day of the job's stats object (transform-measurements.ts reads all of it; the tests these fields and more). */
type JobDayStats = Record<string, unknown> & {
  local_date: string;
  raw_rows: number;
  rows: number;
  quarantined_rows: number;
  duplicates_dropped: number;
  data_key: string | null;
  quarantine_key: string | null;
};

export interface JobOutput {
  run: LocalJobRun;
  /** dev.measurements rows of every day, timestamps as ISO UTC (`…T05:00:00.000Z`). */
  rows: JobRow[];
  quarantine: JobRow[];
  days: JobDayStats[];
  /** Every key left in the bucket after the run. */
  keys: string[];
}

/** A naive UTC wall time the fake's Parquet holds (`2024-11-03 05:00:00`) as an ISO instant. */
function isoFromWallTime(v: unknown): string | null {
  return v === null || v === undefined ? null : new Date(`${String(v).replace(' ', 'T')}Z`).toISOString();
}

async function jsonLinesOf(path: string): Promise<JobRow[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      // Python writes a NaN or infinite double as a bare token, which JSON.parse refuses: read it as its name.
      const r = JSON.parse(l.replace(/:\s*(NaN|-?Infinity)([,}])/g, ': "$1"$2')) as JobRow;
      for (const k of ['period_start_utc', 'period_end_utc', 'ingested_at'])
        if (k in r) r[k] = isoFromWallTime(r[k]);
      return r;
    });
}

/**
 * Runs the job's main() over `objects` (raw objects by key) with `manifest` (the engine's manifest shape, see
 * jobManifest) for fromDate..toDate, with the engine's own arguments, and reads back what it wrote.
 */
export async function runGlueJobOn(input: {
  objects: ReadonlyMap<string, Uint8Array | string>;
  manifest: Record<string, unknown>;
  fromDate: string;
  toDate: string;
  /** The script to run (default: the job). */
  script?: string;
}): Promise<JobOutput> {
  const bucket = 'lake';
  const args = jobArguments(defaultAwsSettings({ bucket }), {
    fromDate: input.fromDate,
    toDate: input.toDate,
    objects: [],
    runId: 'r1',
  });
  const objects = new Map(input.objects);
  objects.set(args['--rules_s3_key']!, await readFile(QUALITY_RULES_PATH));
  objects.set(args['--manifest_key']!, JSON.stringify(input.manifest));
  const run = await runGlueJobLocally({
    bucket,
    objects,
    args,
    ...(input.script ? { script: input.script } : {}),
  });
  try {
    if (run.status !== 0) throw new Error(`the job failed (${run.status}):\n${run.stderr}`);
    const stats = JSON.parse(await readFile(join(run.root, args['--stats_key']!), 'utf8')) as {
      days: JobDayStats[];
    };
    const rows: JobRow[] = [];
    const quarantine: JobRow[] = [];
    for (const d of stats.days) {
      if (d.data_key) rows.push(...(await jsonLinesOf(join(run.root, d.data_key))));
      if (d.quarantine_key) quarantine.push(...(await jsonLinesOf(join(run.root, d.quarantine_key))));
    }
    return { run, rows, quarantine, days: stats.days, keys: await listBucketFolder(run.root) };
  } finally {
    await rm(run.root, { recursive: true, force: true });
  }
}

/** dev.locations' versions as the job reads them (valid_from as ISO UTC), from the DuckDB engine's files. */
export async function locationVersionsOf(paths: string[]): Promise<GlueLocationVersion[]> {
  const instance = await createDuckDbInstance({
    memoryLimit: '256MB',
    threads: 1,
    tempDirectory: join(tmpdir(), 'aqlake-test-duckdb'),
  });
  try {
    const rows = await withSession(instance, (db) =>
      db.rows<Omit<GlueLocationVersion, 'location_id'> & { location_id: bigint | number }>(
        `SELECT location_id, timezone, latitude, longitude,
           strftime(valid_from, '%Y-%m-%dT%H:%M:%SZ') AS valid_from
         FROM read_parquet($paths) ORDER BY location_id, valid_from`,
        { paths },
      ),
    );
    return rows.map((r) => ({ ...r, location_id: Number(r.location_id) }));
  } finally {
    instance.closeSync();
  }
}

/** The lake's raw /measurements objects as the transform task hands them to a local engine (each with its file). */
export function rawMeasurementsObjects(lake: Pick<TestLake, 'meta' | 'store'>): RawMeasurementsObject[] {
  return findRawObjects(lake.meta, { endpoint: 'sensors_measurements' })
    .filter((o): o is typeof o & { sensorId: number } => o.sensorId !== null)
    .map((o) => rawMeasurementsObject(o, lake.store.pathOf(o.rawKey)));
}

/** dev.locations' files, made by the DuckDB engine from the lake's raw /locations snapshots (as the pipeline does). */
export async function devLocationFiles(lake: TestLake, workDir: string): Promise<string[]> {
  const snapshots = findRawObjects(lake.meta, { endpoint: 'locations' });
  const dims = await lake.engine.transformDimensions({
    objects: snapshots.map((o) => ({
      rawKey: o.rawKey,
      path: lake.store.pathOf(o.rawKey),
      fetchedAt: o.fetchedAt,
    })),
    workDir,
  });
  return dims.locations.files.map((f) => f.localPath);
}

/**
 * A quarantined row as the job and the DuckDB transform must agree on it, whichever wrote it (JSON lines or Parquet).
 * An unreadable object's reason quotes its parser, so only that reason's prefix is compared.
 */
export function quarantineView(q: JobRow): string {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)).toISOString());
  return JSON.stringify([
    q.raw_key,
    n(q.record_index),
    String(q.reason).startsWith('unreadable raw object: ') ? 'unreadable raw object' : q.reason,
    n(q.sensor_id),
    n(q.location_id),
    q.parameter_id,
    q.value,
    q.value_raw,
    q.period_end_raw,
    q.timezone,
    q.local_date,
    iso(q.period_end_utc),
    iso(q.ingested_at),
  ]);
}
