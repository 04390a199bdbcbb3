// The Glue job and the DuckDB transform type archive .csv.gz objects alike: the same real rows (quoted CRLF format and
// the unquoted docs rendering) plus broken ones (not-integer sensor, another location's row, a naive or missing
// stamp, an empty or non-number value, an unknown parameter, quoted commas, a missing latitude, a 15-minute sensor) and
// an object that failed the extract's check go through DuckDbEngine.transformMeasurements and through the job's main()
// (spark.read.csv and DataFrame functions, evaluated by test/helpers/fake-spark); rows, quarantine and counts agree.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobManifest } from '../src/engines/aws/transform-measurements.js';
import { MEASUREMENTS_COLUMNS } from '../src/engines/duckdb/transform-measurements.js';
import type { MeasurementsTransformOutput, RawArchiveObject } from '../src/engines/engine.js';
import { QUALITY_RULES_PATH } from '../src/engines/sql-files.js';
import {
  devLocationFiles,
  type JobOutput,
  locationVersionsOf,
  quarantineView,
  runGlueJobOn,
} from './helpers/glue-job-local.js';
import { PM25, writeArchiveFile, writeRawLocations } from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

type Row = Record<string, unknown>;
const FIXTURES = new URL('./fixtures/openaq/archive-csv/', import.meta.url);
const FROM = '2026-04-14';
const TO = '2026-04-15';
const PARAMETERS = {
  meta: { name: 'openaq-api', page: 1, limit: 1000, found: 3 },
  results: [
    { id: 1, name: 'pm10', units: 'µg/m³' },
    { id: 2, name: 'pm25', units: 'µg/m³' },
    { id: 900, name: 'no2', units: 'ppb' },
  ],
};
const HEADER = '"location_id","sensors_id","location","datetime","lat","lon","parameter","units","value"\r\n';

let lake: TestLake;
let work: string;
let duck: MeasurementsTransformOutput;
let duckRows: Row[];
let duckQuarantine: Row[];
let job: JobOutput;

const instant = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)).toISOString());

beforeAll(async () => {
  lake = openTestLake();
  work = await mkdtemp(join(tmpdir(), 'aqlake-archive-equivalence-'));
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2026-01-01T00:00:00Z',
    locations: [
      {
        id: 8118,
        timezone: 'Asia/Kolkata',
        latitude: 28.63576,
        longitude: 77.22445,
        sensors: [{ id: 23534, parameter: PM25 }],
      },
      {
        id: 2178,
        timezone: 'America/Denver',
        latitude: 35.1353,
        longitude: -106.584702,
        sensors: [{ id: 3919, parameter: PM25 }],
      },
    ],
  });
  const locationFiles = await devLocationFiles(lake, join(work, 'dims'));

  const quoted = readFileSync(new URL('quoted_format_rows_mixed_sources.csv', FIXTURES), 'utf8');
  const broken = [
    '8118,x23,"S","2026-04-15T03:00:00+05:30","28.6","77.2","pm25","µg/m³","5.0"',
    '2178,3919,"S","2026-04-15T03:00:00+05:30","28.6","77.2","pm25","µg/m³","5.0"',
    '8118,23534,"S","2026-04-15T04:00:00","28.6","77.2","pm25","µg/m³","5.0"',
    '8118,23534,"S",,"28.6","77.2","pm25","µg/m³","5.0"',
    '8118,23534,"S","2026-04-15T05:00:00+05:30","28.6","77.2","pm25","µg/m³",',
    '8118,23534,"S","2026-04-15T06:00:00+05:30","28.6","77.2","pm25","µg/m³","n/a"',
    '8118,23534,"S","2026-04-15T07:00:00+05:30","28.6","77.2","pm25","µg/m³","  "',
    '8118,23537,"S","2026-04-15T07:00:00+05:30","28.6","77.2","radon","pCi/L","3.0"',
    '8118,23539,"Site, with a comma","2026-04-15T08:00:00+05:30","28.6","77.2","pm25","µg/m³","7.5"',
    '8118,23540,"S","2026-04-15T09:00:00+05:30",,"77.2","pm25","µg/m³","8.0"',
    ' 8118 , 23541 ,"S"," 2026-04-15T10:00:00+05:30 ","28.6","77.2","pm25","µg/m³"," 9.5 "',
    // A date without a time ends in "-15" like an offset, but names no instant: not read as UTC midnight.
    '8118,23543,"S","2026-04-15","28.6","77.2","pm25","µg/m³","5.0"',
    '8118,23543,"S","2026-04-15+05:30","28.6","77.2","pm25","µg/m³","5.0"',
    // Text both engines' CAST reads as a non-finite DOUBLE: not a number, as from the API.
    '8118,23544,"S","2026-04-15T03:00:00+05:30","28.6","77.2","pm25","µg/m³","NaN"',
    '8118,23544,"S","2026-04-15T04:00:00+05:30","28.6","77.2","pm25","µg/m³","Infinity"',
    '8118,23544,"S","2026-04-15T05:00:00+05:30","28.6","77.2","pm25","µg/m³","-inf"',
    '',
    ...[0, 15, 30, 45, 60, 90].map(
      (m) =>
        `8118,23542,"S","2026-04-15T${String(11 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00+05:30","28.6","77.2","no2","ppb","${m}.0"`,
    ),
  ].join('\r\n');
  const docs = readFileSync(new URL('docs_example_location-2178-20230222_partial.csv', FIXTURES), 'utf8')
    .split('\n')
    .map((l, i) => (i === 0 ? l : l.replace(/2023-02-2(\d)/g, '2026-04-1$1')))
    .join('\n');

  const files: [string, number, string, string, boolean][] = [
    ['location-8118-20260415.0000000000000001.csv.gz', 8118, '2026-04-15', quoted + broken, true],
    ['location-2178-20260414.0000000000000002.csv.gz', 2178, '2026-04-14', docs, true],
    ['location-2178-20260415.0000000000000003.csv.gz', 2178, '2026-04-15', HEADER, false],
  ];
  const objects = new Map<string, Uint8Array | string>();
  const archiveObjects: RawArchiveObject[] = [];
  for (const [name, locationId, localDate, text, valid] of files) {
    const { object, bytes } = writeArchiveFile(work, { name, text, locationId, localDate, valid });
    objects.set(object.rawKey, bytes);
    archiveObjects.push(object);
  }
  const parametersPath = join(work, 'parameters.json');
  await writeFile(parametersPath, JSON.stringify(PARAMETERS));
  const parametersKey = 'raw/openaq/parameters/year=2026/month=05/day=01/parameters_p1.json';
  objects.set(parametersKey, JSON.stringify(PARAMETERS));

  duck = await lake.engine.transformMeasurements({
    fromDate: FROM,
    toDate: TO,
    objects: [],
    locationFiles,
    qualityRulesPath: QUALITY_RULES_PATH,
    workDir: join(work, 'duck'),
    archiveObjects,
    parameterFiles: [parametersPath],
  });
  duckRows = await readParquetRows(duck.days.flatMap((d) => d.files.map((f) => f.localPath)));
  duckQuarantine = await readParquetRows(duck.days.flatMap((d) => d.quarantineFiles.map((f) => f.localPath)));

  job = await runGlueJobOn({
    objects,
    manifest: jobManifest({
      objects: [],
      archiveObjects: archiveObjects.map((o) => ({ ...o, path: '' })),
      parameterKeys: [parametersKey],
      locations: await locationVersionsOf(locationFiles),
    }),
    fromDate: FROM,
    toDate: TO,
  });
}, 120_000);

afterAll(async () => {
  if (lake) await removeTestLake(lake);
  if (work) await rm(work, { recursive: true, force: true });
});

const norm = (r: Row): Row => ({
  ...Object.fromEntries(MEASUREMENTS_COLUMNS.map((c) => [c.name, r[c.name] ?? null])),
  sensor_id: Number(r.sensor_id),
  location_id: Number(r.location_id),
  period_start_utc: instant(r.period_start_utc),
  period_end_utc: instant(r.period_end_utc),
  ingested_at: instant(r.ingested_at),
});
const key = (r: Row) => `${r.sensor_id} ${r.period_end_utc}`;
const sorted = (rows: Row[]) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe('the Glue job and the DuckDB transform read archive objects alike', () => {
  it('on every row and column of dev.measurements (parameter ids, intervals, coordinates, local days)', () => {
    expect(duckRows.length).toBeGreaterThan(10);
    expect(sorted(job.rows.map(norm))).toEqual(sorted(duckRows.map(norm)));
    // The cases that carry the rules: a 15-minute sensor, a missing latitude, padded fields, a quoted comma.
    const bySensor = (id: number) => duckRows.find((r) => Number(r.sensor_id) === id);
    expect(bySensor(23542)).toMatchObject({ interval_seconds: 900 });
    expect(bySensor(23540)).toMatchObject({ latitude: 28.63576, longitude: 77.22445 });
    expect(bySensor(23541)).toMatchObject({ value: 9.5 });
    expect(bySensor(23539)).toMatchObject({ value: 7.5 });
  });

  it('on every quarantined row: object, record, reason, raw texts, day', () => {
    expect(new Set(duckQuarantine.map((q) => q.reason))).toEqual(
      new Set([
        "location_id differs from the archive key's",
        'missing or non-integer sensors_id',
        'unparseable datetime (local period end with UTC offset)',
        'value is null',
        'value is not a number',
        'no parameter id for this name and units in /v3/parameters',
        "raw archive object failed the extract's check: unexpected header",
      ]),
    );
    expect(job.quarantine.map(quarantineView).sort()).toEqual(duckQuarantine.map(quarantineView).sort());
    // Both engines quarantine a date-only stamp and a non-finite value (neither keeps the row).
    for (const q of [duckQuarantine, job.quarantine]) {
      const of = (sensor: number) =>
        q
          .filter((r) => Number(r.sensor_id) === sensor)
          .map((r) => [r.period_end_raw, r.value_raw, r.value ?? null, r.reason])
          .sort();
      expect(of(23543)).toEqual([
        ['2026-04-15+05:30', '5.0', 5, 'unparseable datetime (local period end with UTC offset)'],
        ['2026-04-15', '5.0', 5, 'unparseable datetime (local period end with UTC offset)'],
      ]);
      expect(of(23544)).toEqual([
        ['2026-04-15T03:00:00+05:30', 'NaN', null, 'value is not a number'],
        ['2026-04-15T04:00:00+05:30', 'Infinity', null, 'value is not a number'],
        ['2026-04-15T05:00:00+05:30', '-inf', null, 'value is not a number'],
      ]);
    }
    for (const rows of [duckRows, job.rows])
      expect(rows.filter((r) => [23543, 23544].includes(Number(r.sensor_id)))).toEqual([]);
  });

  it("on each day's reconciliation counts", () => {
    expect(
      job.days.map((d) => [d.local_date, d.raw_rows, d.rows, d.quarantined_rows, d.duplicates_dropped]),
    ).toEqual(
      duck.days.map((d) => [
        d.localDate,
        d.stats.rawRows,
        d.stats.rows,
        d.stats.quarantinedRows,
        d.stats.duplicatesDropped,
      ]),
    );
  });
});
