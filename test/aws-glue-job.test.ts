// The Glue job glue_jobs/job_raw_to_dev.py: it compiles, its columns are dev.measurements', and its rules — its column
// expressions and its main() run with python3 over test/helpers/fake-spark on real and hand-made raw objects — follow
// the shared spec sql/dev/quality-rules.json.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MEASUREMENTS_COLUMNS, QUARANTINE_COLUMNS } from '../src/engines/duckdb/transform-measurements.js';
import { runGlueJobOn, runPythonOnFakeSpark } from './helpers/glue-job-local.js';

const SCRIPT = fileURLToPath(new URL('../glue_jobs/job_raw_to_dev.py', import.meta.url));
const SPEC_PATH = fileURLToPath(new URL('../sql/dev/quality-rules.json', import.meta.url));
const FIXTURE = fileURLToPath(
  new URL('./fixtures/openaq/api-v3/openaq-python/responses/measurements.json', import.meta.url),
);

interface Spec {
  _doc: string;
  version: number;
  sentinelMax: number;
  futureToleranceSeconds: number;
  ranges: { parameter: string; units: string; min: number | null; max: number | null }[];
}
const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;

/**
 * Imports the job as a module in python3 and runs `code` with `job`, `spec_text`, `payload` and `session()` (a
 * fake-spark SparkSession, to evaluate the job's column expressions) in scope.
 */
function python<T>(code: string, payload: unknown = null): T {
  const driver = `
import importlib.util, json, sys
from datetime import date, datetime, timezone
spec_ = importlib.util.spec_from_file_location("job", ${JSON.stringify(SCRIPT)})
job = importlib.util.module_from_spec(spec_)
spec_.loader.exec_module(job)
spec_text = open(${JSON.stringify(SPEC_PATH)}, encoding="utf-8").read()
payload = json.loads(sys.stdin.read())
def dt(s): return job.parse_utc(s)
def out(v): print(json.dumps(v, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o)))
def session():
    from pyspark.sql import SparkSession
    return SparkSession.builder.config("spark.sql.session.timeZone", "UTC").config("spark.sql.json.enablePartialResults", "false").getOrCreate()
${code}
`;
  return runPythonOnFakeSpark<T>(driver, JSON.stringify(payload));
}

describe('glue_jobs/job_raw_to_dev.py', () => {
  it('compiles with python3 -m py_compile', () => {
    const r = spawnSync('python3', ['-m', 'py_compile', SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('parses with DataFrame functions: no Python code per record (no UDF, no RDD function, no pandas)', () => {
    const source = readFileSync(SCRIPT, 'utf8');
    for (const name of [
      'udf',
      '.rdd',
      'parallelize',
      'mapPartitions',
      'flatMap',
      'reduceByKey',
      'foreach',
      'mapInPandas',
      'applyInPandas',
      'toPandas',
    ])
      expect(source.includes(name), name).toBe(false);
    for (const name of [
      'F.from_json(',
      'F.posexplode(',
      'spark.read.csv(',
      'spark.read.text(',
      'F.row_number()',
    ])
      expect(source.includes(name), name).toBe(true);
  });

  it('writes exactly the columns and types of dev.measurements and its quarantine', () => {
    const cols = python<{ m: [string, string][]; q: [string, string][] }>(
      'out({"m": job.MEASUREMENTS_COLUMNS, "q": job.QUARANTINE_COLUMNS})',
    );
    expect(cols.m.map(([name, type]) => ({ name, type }))).toEqual(MEASUREMENTS_COLUMNS);
    expect(cols.q.map(([name, type]) => ({ name, type }))).toEqual(QUARANTINE_COLUMNS);
  });

  it('implements the spec version it reads and refuses another', () => {
    const r = python<{ version: number; flags: string[]; refused: string }>(`
other = json.loads(spec_text); other["version"] = 99
try:
    job.load_rules(json.dumps(other)); refused = ""
except ValueError as e:
    refused = str(e)
out({"version": job.SUPPORTED_RULES_VERSION, "flags": list(job.QUALITY_FLAGS), "refused": refused})`);
    expect(r.version).toBe(spec.version);
    expect(r.refused).toMatch(/version 99/);
    // The order in which the script tries the flags is the order the spec's text gives.
    const byPosition = [...r.flags].sort((a, b) => spec._doc.indexOf(a) - spec._doc.indexOf(b));
    expect(r.flags).toEqual(byPosition);
    expect(r.flags).toEqual(['sentinel', 'negative', 'out_of_range', 'future', 'ok']);
  });

  it('flags every range of the spec at and beyond its bounds, sentinels and future stamps as the spec says', () => {
    interface Probe {
      value: number;
      parameter: string;
      units: string;
      end: string;
      fetched: string;
      expected: string;
    }
    const fetched = '2024-03-05T12:00:00Z';
    const at = (seconds: number) => new Date(Date.parse(fetched) + seconds * 1000).toISOString();
    const probes: Probe[] = [];
    const probe = (value: number, parameter: string, units: string, expected: string, end = fetched) =>
      probes.push({ value, parameter, units, end, fetched, expected });
    for (const r of spec.ranges) {
      const span = (r.max ?? 100) - (r.min ?? 0);
      if (r.min !== null) {
        probe(r.min, r.parameter, r.units, 'ok');
        const below = r.min - span / 1000;
        probe(below, r.parameter, r.units, below < 0 && r.min >= 0 ? 'negative' : 'out_of_range');
      }
      if (r.max !== null) {
        probe(r.max, r.parameter, r.units, 'ok');
        probe(r.max + span / 1000, r.parameter, r.units, 'out_of_range');
      }
    }
    probe(spec.sentinelMax, 'pm25', 'µg/m³', 'sentinel');
    probe(spec.sentinelMax - 1, 'temperature', 'c', 'sentinel');
    probe(-0.5, 'unknown_parameter', 'x', 'negative');
    probe(1e9, 'unknown_parameter', 'x', 'ok');
    probe(10, 'pm25', 'ppm', 'ok'); // a range is keyed by parameter AND units
    probe(5, 'pm25', 'µg/m³', 'ok', at(spec.futureToleranceSeconds));
    probe(5, 'pm25', 'µg/m³', 'future', at(spec.futureToleranceSeconds + 1));
    probe(-3, 'pm25', 'µg/m³', 'negative', at(spec.futureToleranceSeconds + 1)); // earlier flag wins
    const got = python<string[]>(
      `from pyspark.sql import types as T
spark = session()
rules = job.load_rules(spec_text)
schema = T.StructType([T.StructField("i", T.LongType()), T.StructField("value", T.DoubleType()),
    T.StructField("parameter", T.StringType()), T.StructField("units", T.StringType()),
    T.StructField("period_end_utc", T.TimestampType()), T.StructField("ingested_at", T.TimestampType())])
df = spark.createDataFrame([(i, float(p["value"]), p["parameter"], p["units"], dt(p["end"]), dt(p["fetched"]))
                            for i, p in enumerate(payload)], schema)
out([r["quality"] for r in sorted(job.with_quality(spark, df, rules).collect(), key=lambda r: r["i"])])`,
      probes,
    );
    expect(got).toEqual(probes.map((p) => p.expected));
    expect(probes.length).toBeGreaterThan(4 * spec.ranges.length);
  });

  it('reads OpenAQ instants with Z, +00:00, other offsets and none, and intervals like 24:00:00', () => {
    const r = python<{ ts: (string | null)[]; iv: (number | null)[] }>(
      `from pyspark.sql import functions as F, types as T
spark = session()
def column(values, expr):
    df = spark.createDataFrame(list(enumerate(values)),
                               T.StructType([T.StructField("i", T.LongType()), T.StructField("t", T.StringType())]))
    return [r["x"] for r in sorted(df.select("i", expr(F.col("t")).alias("x")).collect(), key=lambda r: r["i"])]
out({"ts": column(payload["ts"], job.instant), "iv": column(payload["iv"], job.interval_seconds)})`,
      {
        ts: [
          '2024-07-20T14:00:00Z',
          '2024-07-20T14:00:00+00:00',
          '2024-07-20T10:00:00-04:00',
          '2024-07-20T14:00:00',
          '2024-07-20T19:30:00.5+05:30',
          'yesterday',
          '2024-13-01T00:00:00Z',
        ],
        iv: ['01:00:00', '00:15:00', '24:00:00', '1 day 00:00:00', 'hourly', null],
      },
    );
    expect(r.ts).toEqual([
      '2024-07-20T14:00:00+00:00',
      '2024-07-20T14:00:00+00:00',
      '2024-07-20T14:00:00+00:00',
      '2024-07-20T14:00:00+00:00',
      '2024-07-20T14:00:00.500000+00:00',
      null,
      null,
    ]);
    expect(r.iv).toEqual([3600, 900, 86400, 86400, null, null]);
  });

  it('transforms real and hand-made raw objects: local day, dedup, coordinates, quarantine, reconciliation', async () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { results: Record<string, unknown>[] };
    const rec = (value: unknown, endUtc: string, extra: Record<string, unknown> = {}) => ({
      value,
      flagInfo: { hasFlags: false },
      parameter: { id: 2, name: 'pm25', units: 'µg/m³' },
      period: {
        interval: '01:00:00',
        datetimeFrom: {
          utc: Number.isNaN(Date.parse(endUtc))
            ? endUtc
            : new Date(Date.parse(endUtc) - 3_600_000).toISOString().replace('.000Z', 'Z'),
        },
        datetimeTo: { utc: endUtc },
      },
      coordinates: null,
      ...extra,
    });
    const objects: Record<string, string> = {
      // Real records (America/Denver location, +00:00 instants) for local day 2023-10-16.
      'raw/fixture.json': JSON.stringify(fixture),
      // Kolkata (+05:30): the hour ending 00:00 local on 03-06 belongs to 03-05; the next one to 03-06.
      'raw/kolkata-old.json': JSON.stringify({
        results: [
          rec(40, '2024-03-05T18:30:00Z'),
          rec(41, '2024-03-05T19:30:00Z'),
          rec(-999, '2024-03-05T17:30:00Z', { coordinates: { latitude: 28.1, longitude: 77.2 } }),
        ],
      }),
      // A later fetch of the same sensor revises the 18:30 value: the newest fetch wins.
      'raw/kolkata-new.json': JSON.stringify({
        results: [rec(44, '2024-03-05T18:30:00Z'), rec('n/a', '2024-03-05T16:30:00Z'), rec(1, 'not a time')],
      }),
      'raw/broken.json': '{"results": [',
      'raw/invalid-empty.json': '{"results": []}',
      'raw/unknown-zone.json': JSON.stringify({ results: [rec(3, '2024-03-05T10:00:00Z')] }),
    };
    const entries = [
      {
        raw_key: 'raw/fixture.json',
        sensor_id: 1,
        location_id: 10,
        fetched_at: '2023-10-17T00:00:00Z',
        valid: true,
      },
      {
        raw_key: 'raw/kolkata-old.json',
        sensor_id: 2,
        location_id: 20,
        fetched_at: '2024-03-06T01:00:00Z',
        valid: true,
      },
      {
        raw_key: 'raw/kolkata-new.json',
        sensor_id: 2,
        location_id: 20,
        fetched_at: '2024-03-07T01:00:00Z',
        // a row without a period end counts for the UTC day before min(window end, fetch time): 2024-03-05
        window_to_utc: '2024-03-06T00:00:00Z',
        valid: true,
      },
      {
        raw_key: 'raw/broken.json',
        sensor_id: 3,
        location_id: 20,
        fetched_at: '2024-03-05T12:00:00Z',
        window_to_utc: '2024-03-05T12:00:00Z',
        valid: true,
      },
      {
        raw_key: 'raw/invalid-empty.json',
        sensor_id: 4,
        location_id: 20,
        fetched_at: '2024-03-05T12:00:00Z',
        valid: false,
        validation_error: 'meta missing',
      },
      {
        raw_key: 'raw/unknown-zone.json',
        sensor_id: 5,
        location_id: 30,
        fetched_at: '2024-03-05T12:00:00Z',
        valid: true,
      },
    ];
    const locations = [
      {
        location_id: 10,
        timezone: 'America/Denver',
        latitude: 39.7,
        longitude: -105.0,
        valid_from: '2023-01-01T00:00:00Z',
      },
      {
        location_id: 20,
        timezone: 'Asia/Kolkata',
        latitude: 28.6,
        longitude: 77.2,
        valid_from: '2024-01-01T00:00:00Z',
      },
      {
        location_id: 30,
        timezone: 'Mars/Olympus_Mons',
        latitude: 0,
        longitude: 0,
        valid_from: '2024-01-01T00:00:00Z',
      },
    ];
    const job = await runGlueJobOn({
      objects: new Map(Object.entries(objects)),
      manifest: { objects: entries, locations },
      fromDate: '2023-10-16',
      toDate: '2024-03-06',
    });
    const rows = job.rows;
    const stats = Object.fromEntries(job.days.map((d) => [d.local_date, d]));

    const denver = rows.filter((x) => x.sensor_id === 1);
    expect(denver.map((x) => [x.value, x.local_date, x.period_end_utc])).toEqual(
      fixture.results.map((f) => {
        const end = (f.period as { datetimeTo: { utc: string } }).datetimeTo.utc;
        return [f.value, '2023-10-16', new Date(end).toISOString()];
      }),
    );
    expect(denver[0]).toMatchObject({
      location_id: 10,
      parameter_id: 2,
      parameter: 'pm25',
      units: 'µg/m³',
      timezone: 'America/Denver',
      interval_seconds: 3600,
      latitude: 39.7, // the record has no coordinates: the location's
      longitude: -105.0,
      has_flags: null, // this capture has no flagInfo
      quality: 'ok',
      source: 'api',
      raw_key: 'raw/fixture.json',
      ingested_at: '2023-10-17T00:00:00.000Z',
    });

    const kolkata = rows.filter((x) => x.sensor_id === 2);
    expect(kolkata.map((x) => [x.period_end_utc, x.value, x.local_date, x.quality, x.raw_key])).toEqual([
      ['2024-03-05T17:30:00.000Z', -999, '2024-03-05', 'sentinel', 'raw/kolkata-old.json'],
      ['2024-03-05T18:30:00.000Z', 44, '2024-03-05', 'ok', 'raw/kolkata-new.json'],
      ['2024-03-05T19:30:00.000Z', 41, '2024-03-06', 'ok', 'raw/kolkata-old.json'],
    ]);
    expect(kolkata[0]).toMatchObject({ latitude: 28.1, longitude: 77.2 }); // the record's own coordinates
    // Every row holds exactly dev.measurements' columns, in order.
    for (const row of rows) expect(Object.keys(row)).toEqual(MEASUREMENTS_COLUMNS.map((c) => c.name));

    const reasons = job.quarantine
      .map((q) => [q.raw_key, q.reason] as [string, string])
      .sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
    expect(reasons).toEqual([
      ['raw/broken.json', expect.stringMatching(/^unreadable raw object: /)],
      ['raw/invalid-empty.json', 'raw object failed validation and yields no record: meta missing'],
      ['raw/kolkata-new.json', 'unparseable period end (period.datetimeTo.utc)'],
      ['raw/kolkata-new.json', 'value is not a number'],
      ['raw/unknown-zone.json', 'unknown location timezone: Mars/Olympus_Mons'],
    ]);
    const notANumber = job.quarantine.find((q) => q.reason === 'value is not a number')!;
    expect(notANumber.value_raw).toBe('"n/a"');
    for (const q of job.quarantine) expect(Object.keys(q)).toEqual(QUARANTINE_COLUMNS.map((c) => c.name));

    // Nothing is lost: raw rows = rows + quarantined + duplicates dropped, day by day.
    for (const s of job.days) expect(s.raw_rows).toBe(s.rows + s.quarantined_rows + s.duplicates_dropped);
    expect(stats['2024-03-05']).toMatchObject({
      rows: 2,
      duplicates_dropped: 1,
      min_period_end_utc: '2024-03-05T17:30:00Z',
      max_period_end_utc: '2024-03-05T18:30:00Z',
    });
    expect(stats['2024-03-06']).toMatchObject({ rows: 1, raw_rows: 1 });
  });

  it('keeps only the days asked for, picks the location version valid at fetch time, removes only its own staging', async () => {
    const input = {
      objects: {
        'raw/ny.json': JSON.stringify({
          results: [
            '2024-11-03T04:00:00Z',
            '2024-11-03T05:00:00Z',
            '2024-11-04T05:00:00Z',
            '2024-11-04T06:00:00Z',
          ].map((end, i) => ({
            value: i,
            parameter: { id: 2, name: 'pm25', units: 'µg/m³' },
            period: { interval: '01:00:00', datetimeFrom: { utc: end }, datetimeTo: { utc: end } },
          })),
        }),
      },
      entries: [{ raw_key: 'raw/ny.json', sensor_id: 9, location_id: 1, fetched_at: '2024-11-05T00:00:00Z' }],
      locations: [
        { location_id: 1, timezone: 'Europe/London', valid_from: '2024-01-01T00:00:00Z' },
        { location_id: 1, timezone: 'America/New_York', valid_from: '2024-06-01T00:00:00Z' },
        { location_id: 1, timezone: 'Asia/Tokyo', valid_from: '2025-01-01T00:00:00Z' },
      ],
    };
    // Another run's staging (run id r10; this run is r1), left by a run still going.
    const OTHER_RUN = [
      '_aws/glue/tmp/r10/data/2024-11-03/part-00000.snappy.parquet',
      '_aws/glue/tmp/r10_$folder$',
    ];
    const job = await runGlueJobOn({
      objects: new Map([
        ...Object.entries(input.objects),
        ...OTHER_RUN.map((k): [string, string] => [k, 'x']),
      ]),
      manifest: { objects: input.entries, locations: input.locations },
      fromDate: '2024-11-03',
      toDate: '2024-11-03',
    });
    // The staging folder went with every marker EMRFS wrote for it and its new ancestors (the fake writes
    // `_aws/glue/tmp_$folder$` too); another run's staging whose id starts with this run's (r1 → r10) stays.
    expect(job.keys.filter((k) => k.startsWith('_aws/glue/tmp'))).toEqual(OTHER_RUN);
    expect(job.keys.filter((k) => k.includes('$folder$'))).toEqual(['_aws/glue/tmp/r10_$folder$']);
    // New York, the version valid on 2024-11-05: the 25-hour day of 2024-11-03 (EDT→EST) is (04:00Z, 05:00Z next day].
    expect(job.rows.map((x) => [x.period_end_utc, x.timezone, x.local_date])).toEqual([
      ['2024-11-03T05:00:00.000Z', 'America/New_York', '2024-11-03'],
      ['2024-11-04T05:00:00.000Z', 'America/New_York', '2024-11-03'],
    ]);
  });
});

describe("glue_jobs/job_raw_to_dev.py zone names: the JVM's, not Python's", () => {
  const record = (end: string) => ({
    value: 5,
    parameter: { id: 2, name: 'pm25', units: 'µg/m³' },
    period: { interval: '01:00:00', datetimeFrom: { utc: end }, datetimeTo: { utc: end } },
  });
  const objects = new Map(
    ['kolkata', 'posix', 'right'].map((k): [string, string] => [
      `raw/${k}.json`,
      JSON.stringify({ results: [record('2024-03-05T10:00:00Z')] }),
    ]),
  );
  const manifest = {
    objects: ['kolkata', 'posix', 'right'].map((k, i) => ({
      raw_key: `raw/${k}.json`,
      sensor_id: i + 1,
      location_id: i + 1,
      fetched_at: '2024-03-06T00:00:00Z',
    })),
    locations: {
      '1': 'Asia/Kolkata',
      // Python's zoneinfo reads these (files of the tz database); Java's ZoneId refuses them.
      '2': 'posix/Asia/Kolkata',
      '3': 'right/UTC',
    },
  };

  it('quarantines a zone name the JVM does not know even when Python reads it (posix/…, right/…)', async () => {
    const job = await runGlueJobOn({ objects, manifest, fromDate: '2024-03-05', toDate: '2024-03-05' });
    expect(job.rows.map((r) => [r.sensor_id, r.timezone, r.local_date])).toEqual([
      [1, 'Asia/Kolkata', '2024-03-05'],
    ]);
    expect(job.quarantine.map((q) => [q.sensor_id, q.reason]).sort()).toEqual([
      [2, 'unknown location timezone: posix/Asia/Kolkata'],
      [3, 'unknown location timezone: right/UTC'],
    ]);
  });

  it("runs when the driver's Python has no tz database: the zones come from the JVM", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aqlake-no-zoneinfo-'));
    const script = join(dir, 'job_without_zoneinfo.py');
    // The fake's JVM keeps its own tz rules; the job's Python cannot import zoneinfo at all.
    writeFileSync(
      script,
      `import runpy, sys
import pyspark.sql.functions
sys.modules["zoneinfo"] = None
sys.argv[0] = ${JSON.stringify(SCRIPT)}
runpy.run_path(${JSON.stringify(SCRIPT)}, run_name="__main__")
`,
    );
    try {
      const job = await runGlueJobOn({
        objects,
        manifest,
        fromDate: '2024-03-05',
        toDate: '2024-03-05',
        script,
      });
      expect(job.rows.map((r) => [r.sensor_id, r.local_date])).toEqual([[1, '2024-03-05']]);
      expect(job.quarantine.length).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('glue_jobs/job_raw_to_dev.py location versions as Spark hands them', () => {
  it('takes naive datetimes (TIMESTAMP under a UTC session) as UTC when picking the version valid at fetch time', () => {
    const tz = python<string>(`from datetime import datetime
versions = job.location_versions_from([
    {"location_id": 1, "timezone": "Europe/London", "valid_from": datetime(2024, 1, 1)},
    {"location_id": 1, "timezone": "Pacific/Auckland", "valid_from": datetime(2024, 11, 3, 12)},
])
out([job.resolve_context({"location_id": 1, "fetched_at": f}, versions)[0]
     for f in ["2024-11-03T11:59:59Z", "2024-11-03T12:00:00Z", "2023-06-01T00:00:00Z"]])`);
    expect(tz).toEqual(['Europe/London', 'Pacific/Auckland', 'Europe/London']);
  });

  it("runs the job's S3 calls through botocore's S3 model: a request S3 would reject fails before it is answered", () => {
    const root = mkdtempSync(join(tmpdir(), 'aqlake-fake-s3-'));
    try {
      const r = python<Record<string, string>>(
        `
import os
os.environ["FAKE_S3_ROOT"] = payload["root"]
os.environ.pop("FAKE_S3_BUCKET", None)
import boto3
s3 = boto3.client("s3")
def outcome(f):
    try:
        f()
        return "accepted"
    except Exception as e:
        return type(e).__name__ + ": " + " ".join(str(e).split())
out({
  "put": outcome(lambda: s3.put_object(Bucket="lake", Key="a/x.json", Body=b"{}", ContentType="application/json")),
  "copy": outcome(lambda: s3.copy_object(Bucket="lake", Key="a/y.json", CopySource={"Bucket": "lake", "Key": "a/x.json"})),
  "list": outcome(lambda: s3.list_objects_v2(Bucket="lake", Prefix="a/")),
  "delete": outcome(lambda: s3.delete_objects(Bucket="lake", Delete={"Objects": [{"Key": "a/y.json"}], "Quiet": True})),
  "quiet_as_text": outcome(lambda: s3.delete_objects(Bucket="lake", Delete={"Objects": [{"Key": "a/x.json"}], "Quiet": "true"})),
  "no_objects": outcome(lambda: s3.delete_objects(Bucket="lake", Delete={"Quiet": True})),
  "no_key": outcome(lambda: s3.put_object(Bucket="lake", Body=b"{}")),
  "max_keys_text": outcome(lambda: s3.list_objects_v2(Bucket="lake", Prefix="a/", MaxKeys="2")),
  "unknown_param": outcome(lambda: s3.head_object(Bucket="lake", Key="a/x.json", Prefix="a/")),
  "bad_bucket": outcome(lambda: s3.get_object(Bucket="lake/a", Key="x.json")),
  "left": sorted(os.listdir(os.path.join(payload["root"], "a"))),
})`,
        { root },
      );
      expect(r).toMatchObject({
        put: 'accepted',
        copy: 'accepted',
        list: 'accepted',
        delete: 'accepted',
        quiet_as_text: expect.stringMatching(
          /^ParamValidationError: .*Delete\.Quiet.*valid types: <class 'bool'>/,
        ),
        no_objects: expect.stringMatching(
          /^ParamValidationError: .*Missing required parameter in Delete: "Objects"/,
        ),
        no_key: expect.stringMatching(/^ParamValidationError: .*Missing required parameter in input: "Key"/),
        max_keys_text: expect.stringMatching(/^ParamValidationError: .*MaxKeys/),
        unknown_param: expect.stringMatching(/^ParamValidationError: .*Unknown parameter in input: "Prefix"/),
        bad_bucket: expect.stringMatching(/^ParamValidationError: .*Invalid bucket name/),
      });
      // The rejected requests changed nothing: a/x.json is still there, a/y.json was deleted by the valid request.
      expect(r.left).toEqual(['x.json']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("fails loudly when S3's DeleteObjects reports objects it could not delete (its Errors)", () => {
    const r = python<{ raised: string; calls: number }>(`
class S3:
    calls = 0
    def delete_objects(self, Bucket, Delete):
        S3.calls += 1
        return {"Errors": [{"Key": Delete["Objects"][0]["Key"], "Code": "AccessDenied", "Message": "Access Denied"}]}
try:
    job.delete_keys(S3(), "lake", ["_aws/glue/tmp/r1/data/2024-03-05/part-0.parquet"])
    raised = ""
except RuntimeError as e:
    raised = str(e)
out({"raised": raised, "calls": S3.calls})
`);
    expect(r.calls).toBe(1);
    expect(r.raised).toMatch(
      /could not delete 1 staging objects, e\.g\. _aws\/glue\/tmp\/r1\/.*AccessDenied/,
    );
  });
});
