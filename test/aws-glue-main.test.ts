// The Glue job's main(), end to end on this machine: the real script and arguments over a bucket folder holding API
// pages AND archive .csv.gz objects (the simulator's one dataset), with test/helpers/fake-spark standing in for Spark.
// It must write one sorted Parquet object per day to the version key it was given, leave nothing else behind (no
// staging, no `_$folder$` markers), give the same rows, quarantine and counts as the DuckDB transform, and hand Spark
// only values that load in another Python process whose __main__ is not the job (an executor's Python worker).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAwsSettings } from '../src/engines/aws/aws-settings.js';
import { buildRolePolicy, buildTrustPolicy, policyAllows } from '../src/engines/aws/iam-policy.js';
import { jobArguments, jobManifest } from '../src/engines/aws/transform-measurements.js';
import { MEASUREMENTS_COLUMNS } from '../src/engines/duckdb/transform-measurements.js';
import type { MeasurementsTransformOutput } from '../src/engines/engine.js';
import { archiveTransformInputs } from '../src/lake/archive-days.js';
import { findRawObjects, latestParametersObjects } from '../src/lake/manifest.js';
import { ArchiveClient } from '../src/openaq/archive.js';
import { extractArchiveTask } from '../src/pipeline/extract-archive.js';
import { extractLocations } from '../src/pipeline/extract-locations.js';
import { extractMeasurements } from '../src/pipeline/extract-measurements.js';
import { startSimulator } from '../src/simulator/index.js';
import {
  devLocationFiles,
  type LocalJobRun,
  listBucketFolder,
  locationVersionsOf,
  rawMeasurementsObjects,
  runGlueJobLocally,
} from './helpers/glue-job-local.js';
import {
  lakeExtractContext,
  openTestLake,
  readParquetRows,
  removeTestLake,
  type TestLake,
} from './helpers/transform-lake.js';

const FROM = '2024-11-02';
const TO = '2024-11-04';
const NOW = new Date('2024-11-12T00:00:00Z');
const BUCKET = 'lake';
const SETTINGS = defaultAwsSettings({ bucket: BUCKET });
// The arguments the engine gives the job (StartJobRun), so the test runs what AWS would.
const ARGS = jobArguments(SETTINGS, {
  fromDate: FROM,
  toDate: TO,
  objects: [],
  runId: 'r1',
  versionTag: 'v-test',
});
const RULES_KEY = ARGS['--rules_s3_key']!;
const TEMPLATE = ARGS['--output_key_template']!;
const TMP = ARGS['--tmp_prefix']!;

type Row = Record<string, unknown>;

let sim: Awaited<ReturnType<typeof startSimulator>>;
let lake: TestLake;
let duck: MeasurementsTransformOutput;
let run: LocalJobRun;
let stats: { days: Record<string, unknown>[]; archive_objects: number; objects: number };

/** A row of the fake's JSON lines (naive UTC wall times) in the form readParquetRows gives. */
function fromJob(r: Row): Row {
  const ts = (v: unknown) => (v === null ? null : `${String(v).replace(' ', 'T').slice(0, 19)}Z`);
  return {
    ...r,
    period_start_utc: ts(r.period_start_utc),
    period_end_utc: ts(r.period_end_utc),
    ingested_at:
      r.ingested_at === null ? null : new Date(`${String(r.ingested_at).replace(' ', 'T')}Z`).toISOString(),
  };
}

async function jsonLines(path: string): Promise<Row[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, now: () => NOW, historyDays: 40 });
  lake = openTestLake();
  const ctx = lakeExtractContext(lake, sim.url, {
    interval: { from: FROM, to: TO },
    locations: sim.dataset.locations.map((l) => l.id),
  });
  await extractLocations(ctx);
  await extractMeasurements(ctx);
  const archive = new ArchiveClient({
    baseUrl: sim.url.replace(/\/v3$/, '/archive'),
    timeoutMs: 20_000,
    maxRetries: 0,
  });
  await extractArchiveTask({ ...ctx, archive }, { from: FROM, to: TO });

  // dev.locations as the pipeline makes it.
  const locationFiles = await devLocationFiles(lake, join(lake.home, '_work', 'dims'));
  const manifest = rawMeasurementsObjects(lake);
  const archiveInputs = await archiveTransformInputs(lake, FROM, TO);
  expect(archiveInputs.archiveObjects.length).toBeGreaterThan(5);

  duck = await lake.engine.transformMeasurements({
    fromDate: FROM,
    toDate: TO,
    objects: manifest,
    locationFiles,
    qualityRulesPath: 'sql/dev/quality-rules.json',
    workDir: join(lake.home, '_work', 'duck'),
    ...archiveInputs,
  });

  // The bucket the job sees: raw objects byte for byte, dev.locations (as JSON lines: the fake's Parquet), the
  // parameters snapshot, the rules and the manifest the engine writes.
  const objects = new Map<string, Uint8Array | string>();
  for (const o of [...manifest, ...findRawObjects(lake.meta, { endpoint: 'archive_csv' })])
    objects.set(o.rawKey, await readFile(lake.store.pathOf(o.rawKey)));
  const parameterKeys = latestParametersObjects(lake.meta).map((o) => o.rawKey);
  for (const k of parameterKeys) objects.set(k, await readFile(lake.store.pathOf(k)));
  const locationKey = 'dev/locations/data.parquet';
  // dev.locations as the fake's Parquet (JSON lines); valid_from as Spark hands a TIMESTAMP_NTZ (a wall time).
  const locations = await locationVersionsOf(locationFiles);
  objects.set(
    locationKey,
    locations
      .map((l) =>
        JSON.stringify({ ...l, valid_from: l.valid_from?.replace('T', ' ').replace('Z', '') ?? null }),
      )
      .join('\n'),
  );
  objects.set(RULES_KEY, await readFile('sql/dev/quality-rules.json'));
  objects.set(
    '_aws/glue/runs/r1/manifest.json',
    JSON.stringify(
      jobManifest({
        objects: manifest,
        archiveObjects: archiveInputs.archiveObjects,
        locationKeys: [locationKey],
        parameterKeys,
      }),
    ),
  );
  expect(ARGS['--manifest_key']).toBe('_aws/glue/runs/r1/manifest.json');
  run = await runGlueJobLocally({ bucket: BUCKET, objects, args: ARGS });
  if (run.status !== 0) throw new Error(`the job failed (${run.status}):\n${run.stderr}`);
  stats = JSON.parse(await readFile(join(run.root, '_aws/glue/runs/r1/stats.json'), 'utf8')) as typeof stats;
}, 180_000);

afterAll(async () => {
  if (lake) await removeTestLake(lake);
  await sim?.close();
  if (run) await rm(run.root, { recursive: true, force: true });
});

describe("the Glue job's main(), run end to end without Spark", () => {
  it('read API pages and archive objects, and wrote one object per day at the version key it was given', async () => {
    expect(stats.objects).toBeGreaterThan(5);
    expect(stats.archive_objects).toBeGreaterThan(5);
    const keys = await listBucketFolder(run.root);
    const written = keys.filter((k) => k.startsWith('dev/_versions/'));
    const days = stats.days.filter((d) => Number(d.rows) > 0).map((d) => String(d.local_date));
    expect(days.length).toBe(3);
    expect(written.filter((k) => k.startsWith('dev/_versions/measurements/'))).toEqual(
      days.map((d) => TEMPLATE.replace('{date}', d)),
    );
    for (const d of stats.days) if (d.data_key) expect(d.data_bytes).toBeGreaterThan(0);
  });

  it('left nothing else: no staging, no _$folder$ marker, no _SUCCESS, nothing in a table location', async () => {
    const keys = await listBucketFolder(run.root);
    expect(keys.filter((k) => k.includes('$folder$') || k.includes('_SUCCESS'))).toEqual([]);
    expect(keys.filter((k) => k.startsWith(TMP.slice(0, -1)))).toEqual([]);
    // The job writes (PutObject, CopyObject) only its version objects, its stats and its staging.
    const writes = run.s3Calls
      .filter((c) => c.op === 'put_object' || c.op === 'copy_object')
      .map((c) => c.Key!);
    expect(
      writes.filter(
        (k) => !k.startsWith('dev/_versions/') && k !== '_aws/glue/runs/r1/stats.json' && !k.startsWith(TMP),
      ),
    ).toEqual([]);
    // The staging copies went through CopyObject, server side.
    expect(run.s3Calls.some((c) => c.op === 'copy_object' && c.source?.startsWith(`${TMP}r1/data/`))).toBe(
      true,
    );
  });

  it('gives the rows, quarantine and counts of the DuckDB transform (API and archive rows, one dedup)', async () => {
    const names = MEASUREMENTS_COLUMNS.map((c) => c.name);
    const pick = (r: Row) => Object.fromEntries(names.map((n) => [n, r[n] ?? null]));
    const duckRows = await readParquetRows(duck.days.flatMap((d) => d.files.map((f) => f.localPath)));
    const jobRows: Row[] = [];
    for (const d of stats.days)
      if (d.data_key) jobRows.push(...(await jsonLines(join(run.root, String(d.data_key)))));
    expect(duckRows.length).toBeGreaterThan(1000);
    const norm = (r: Row) => ({ ...pick(r), ingested_at: new Date(String(r.ingested_at)).toISOString() });
    const key = (r: Row) => `${r.sensor_id} ${r.period_end_utc}`;
    const sort = (rows: Row[]) => rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    expect(sort(jobRows.map(fromJob).map(norm))).toEqual(sort(duckRows.map(norm)));
    // The archive was fetched after the API pages: its copies win every dedup, and the API copies count as dropped.
    expect(new Set(jobRows.map((r) => r.source))).toEqual(new Set(['archive']));
    for (const d of duck.days) {
      const s = stats.days.find((x) => x.local_date === d.localDate)!;
      expect([s.raw_rows, s.rows, s.quarantined_rows, s.duplicates_dropped]).toEqual([
        d.stats.rawRows,
        d.stats.rows,
        d.stats.quarantinedRows,
        d.stats.duplicatesDropped,
      ]);
    }
    expect(duck.days.some((d) => d.stats.duplicatesDropped > 0)).toBe(true);
  });

  it('sorts each day by sensor and period end inside its one file', async () => {
    for (const d of stats.days) {
      if (!d.data_key) continue;
      const rows = await jsonLines(join(run.root, String(d.data_key)));
      const keys = rows.map((r) => [Number(r.sensor_id), String(r.period_end_utc)] as const);
      const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      expect(keys).toEqual(sorted);
    }
  });

  it('ships Spark only values another Python process (another __main__) can unpickle', () => {
    // createDataFrame's rows (pickled to the JVM: API objects, archive objects, parameters, quality ranges) and any
    // broadcast value.
    expect(run.broadcasts.length).toBeGreaterThanOrEqual(4);
    const loader = `
import pickle, sys
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        pickle.load(f)
print("loaded", len(sys.argv) - 1)
`;
    const ok = spawnSync('python3', ['-c', loader, ...run.broadcasts], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe(`loaded ${run.broadcasts.length}`);

    // The check can fail: an instance of a class of the job's __main__ (what the job used to broadcast) does not load.
    const dumper = `
import pickle, sys
class Rules:
    pass
sys.stdout.buffer.write(pickle.dumps(Rules()))
`;
    const bad = spawnSync('python3', ['-c', dumper]);
    const path = join(tmpdir(), `aqlake-bad-broadcast-${process.pid}.pickle`);
    writeFileSync(path, bad.stdout);
    const refused = spawnSync('python3', ['-c', loader, path], { encoding: 'utf8' });
    expect(refused.stderr).toMatch(/Can't get attribute 'Rules' on <module '__main__'/);
  });

  it("needs nothing its role's policy (aqlake aws policy --role) does not grant", () => {
    const policy = buildRolePolicy({ settings: SETTINGS, accountId: '123456789012' });
    const arn = (key?: string) => `arn:aws:s3:::${BUCKET}${key === undefined ? '' : `/${key}`}`;
    const needed = run.s3Calls.flatMap((c): [string, string][] => {
      switch (c.op) {
        case 'get_object':
        case 'head_object':
          return [['s3:GetObject', arn(c.Key)]];
        case 'put_object':
          return [['s3:PutObject', arn(c.Key)]];
        case 'copy_object':
          return [
            ['s3:GetObject', arn(c.source)],
            ['s3:PutObject', arn(c.Key)],
          ];
        case 'list_objects_v2':
          return [['s3:ListBucket', arn()]];
        case 'delete_objects':
          return (c.keys ?? []).map((k): [string, string] => ['s3:DeleteObject', arn(k)]);
        default:
          throw new Error(`no IAM action known for the job's ${c.op}`);
      }
    });
    expect(needed.length).toBeGreaterThan(20);
    expect(needed.filter(([action, resource]) => !policyAllows(policy, action, resource))).toEqual([]);
    // Least privilege: the role cannot touch raw/ or a table's current objects.
    expect(policyAllows(policy, 's3:PutObject', arn('raw/openaq/x.json'))).toBe(false);
    expect(
      policyAllows(policy, 's3:PutObject', arn('dev/measurements/year=2024/month=11/day=03/data.parquet')),
    ).toBe(false);
    expect(
      policyAllows(policy, 's3:DeleteObject', arn('dev/_versions/measurements/2024-11-03/v.parquet')),
    ).toBe(false);
    expect(buildTrustPolicy({ settings: SETTINGS, accountId: '123456789012' }).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'glue.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
      },
    ]);
  });
});
