// The Glue job and the DuckDB transform give the same dev.measurements: the same raw objects (DST and +05:30 zones, a
// moved station, revised values fetched twice, sentinels, negatives, future stamps, untypeable records, a broken object)
// go through DuckDbEngine.transformMeasurements and through the Glue job's main() (glue_jobs/job_raw_to_dev.py, its
// DataFrame pipeline evaluated by test/helpers/fake-spark), and every row, quarantine reason and day count must agree.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobManifest } from '../src/engines/aws/transform-measurements.js';
import { MEASUREMENTS_COLUMNS } from '../src/engines/duckdb/transform-measurements.js';
import type { MeasurementsTransformOutput } from '../src/engines/engine.js';
import { QUALITY_RULES_PATH } from '../src/engines/sql-files.js';
import {
  devLocationFiles,
  locationVersionsOf,
  quarantineView,
  rawMeasurementsObjects,
  runGlueJobOn,
} from './helpers/glue-job-local.js';
import {
  hourlyRecords,
  measurementRecord,
  O3_PPM,
  PM25,
  TEMPERATURE_C,
  writeRawLocations,
  writeRawMeasurements,
} from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

const RULES = QUALITY_RULES_PATH;
const FROM = '2024-11-02';
const TO = '2024-11-04';

type Row = Record<string, unknown>;

let lake: TestLake;
let workDir: string;
let duck: MeasurementsTransformOutput;
let duckRows: Row[];
let glue: { rows: Row[]; quarantine: Row[]; stats: Record<string, Record<string, unknown>> };

/** ISO instants in one form whatever the writer: `2024-11-03T05:00:00.000Z`. */
const instant = (v: unknown) => (v === null || v === undefined ? null : new Date(String(v)).toISOString());

function normalise(r: Row): Row {
  return {
    ...r,
    period_start_utc: instant(r.period_start_utc),
    period_end_utc: instant(r.period_end_utc),
    ingested_at: instant(r.ingested_at),
  };
}

beforeAll(async () => {
  lake = openTestLake();
  workDir = await mkdtemp(join(tmpdir(), 'aqlake-equivalence-'));
  const { store, meta } = lake;
  // New York (DST ends 2024-11-03), Kolkata (+05:30), and a station that moved from London to Auckland. Data
  // literals (stations alike in shape, here and in transform-quality.test.ts): each test spells the stations it needs.
  await writeRawLocations(store, meta, {
    fetchedAt: '2024-10-01T00:00:00Z',
    locations: [
      {
        id: 1,
        timezone: 'America/New_York',
        latitude: 40.7,
        longitude: -74,
        sensors: [
          { id: 11, parameter: PM25 },
          { id: 12, parameter: O3_PPM },
        ],
      },
      {
        id: 2,
        timezone: 'Asia/Kolkata',
        latitude: 28.6,
        longitude: 77.2,
        sensors: [
          { id: 21, parameter: PM25 },
          { id: 22, parameter: TEMPERATURE_C },
        ],
      },
      {
        id: 3,
        timezone: 'Europe/London',
        latitude: 51.5,
        longitude: -0.1,
        sensors: [{ id: 31, parameter: PM25 }],
      },
    ],
  });
  await writeRawLocations(store, meta, {
    fetchedAt: '2024-11-03T12:00:00Z',
    locations: [
      {
        id: 3,
        timezone: 'Pacific/Auckland',
        latitude: -36.8,
        longitude: 174.8,
        sensors: [{ id: 31, parameter: PM25 }],
      },
    ],
  });

  const fetched1 = '2024-11-05T02:00:00Z';
  const fetched2 = '2024-11-05T09:00:00Z';
  const window = { fromUtc: '2024-11-01T00:00:00Z', toUtc: '2024-11-05T00:00:00Z' };
  // New York pm25: hourly across the 25-hour day, a sentinel and a negative; fetched twice, the second revising values.
  const ny = (rev: number) =>
    hourlyRecords(
      window.fromUtc,
      window.toUtc,
      (i) => (i === 30 ? -999 : i === 31 ? -2.5 : 10 + (i % 7) + rev),
      {
        parameter: PM25,
        utcSuffix: rev === 0 ? '+00:00' : 'Z',
      },
    );
  await writeRawMeasurements(store, meta, {
    sensorId: 11,
    locationId: 1,
    window,
    records: ny(0),
    fetchedAt: fetched1,
  });
  await writeRawMeasurements(store, meta, {
    sensorId: 11,
    locationId: 1,
    window: { fromUtc: '2024-11-03T00:00:00Z', toUtc: window.toUtc },
    records: ny(100).slice(48),
    fetchedAt: fetched2,
  });
  // New York o3 in ppm: one out of range, 15-minute cadence.
  await writeRawMeasurements(store, meta, {
    sensorId: 12,
    locationId: 1,
    window: { fromUtc: '2024-11-03T00:00:00Z', toUtc: '2024-11-04T00:00:00Z' },
    records: hourlyRecords('2024-11-03T00:00:00Z', '2024-11-04T00:00:00Z', (i) => (i === 5 ? 0.9 : 0.03), {
      parameter: O3_PPM,
      intervalSeconds: 900,
    }),
    fetchedAt: fetched1,
  });
  // Kolkata pm25 with record coordinates and flags; temperature with negatives allowed by its range; a future stamp.
  await writeRawMeasurements(store, meta, {
    sensorId: 21,
    locationId: 2,
    window,
    records: [
      ...hourlyRecords('2024-11-02T12:00:00Z', '2024-11-04T00:00:00Z', (i) => 50 + i, {
        parameter: PM25,
        coordinates: { latitude: 28.61, longitude: 77.21 },
        hasFlags: true,
      }),
      measurementRecord({ value: 'n/a', periodEndUtc: '2024-11-03T20:00:00Z', parameter: PM25 }),
      measurementRecord({ value: null, periodEndUtc: '2024-11-03T21:00:00Z', parameter: PM25 }),
    ],
    fetchedAt: fetched1,
  });
  await writeRawMeasurements(store, meta, {
    sensorId: 22,
    locationId: 2,
    window,
    records: [
      measurementRecord({ value: -4, periodEndUtc: '2024-11-03T00:30:00Z', parameter: TEMPERATURE_C }),
      measurementRecord({ value: 21, periodEndUtc: '2024-11-05T05:00:00Z', parameter: TEMPERATURE_C }),
      measurementRecord({ value: 22, periodEndUtc: '2024-11-04T18:29:00Z', parameter: TEMPERATURE_C }),
    ],
    fetchedAt: '2024-11-04T00:00:00Z',
  });
  // The moved station: fetched before and after the move, so the two objects get different zones.
  // The second fetch also re-reads the first one's last hours: those copies fall on another local day than the winners.
  for (const [fetchedAt, fromUtc, toUtc] of [
    ['2024-11-03T06:00:00Z', '2024-11-02T08:00:00Z', '2024-11-03T06:00:00Z'],
    ['2024-11-04T06:00:00Z', '2024-11-02T20:00:00Z', '2024-11-04T00:00:00Z'],
  ] as const)
    await writeRawMeasurements(store, meta, {
      sensorId: 31,
      locationId: 3,
      window: { fromUtc, toUtc },
      records: hourlyRecords(fromUtc, toUtc, (i) => i, { parameter: PM25 }),
      fetchedAt,
    });
  // Objects that are not strict JSON or not pages of records (a bare NaN; single quotes; results not an array; a
  // record that is not an object), records with badly typed leaves, a cut-off object, a period end that is not a time.
  for (const [i, body] of [
    '{"meta": {}, "results": [{"value": NaN}]}',
    "{'meta': {}, 'results': []}",
    '{"meta": {}, "results": {"value": 1}}',
    '{"meta": {}, "results": ["a string", 7]}',
  ].entries())
    await writeRawMeasurements(store, meta, {
      sensorId: 12,
      locationId: 1,
      window: { fromUtc: '2024-11-02T00:00:00Z', toUtc: '2024-11-02T06:00:00Z' },
      body,
      fetchedAt: `2024-11-02T0${6 + i}:00:00Z`,
      valid: false,
      validationError: 'not a page',
    });
  await writeRawMeasurements(store, meta, {
    sensorId: 21,
    locationId: 2,
    window: { fromUtc: '2024-11-02T00:00:00Z', toUtc: '2024-11-02T12:00:00Z' },
    body: JSON.stringify({
      meta: {},
      results: [
        null,
        {
          ...measurementRecord({ value: '12', periodEndUtc: '2024-11-02T05:00:00Z', parameter: PM25 }),
          coordinates: { latitude: '28.1', longitude: 77.2 },
        },
        {
          ...measurementRecord({ value: 3, periodEndUtc: '2024-11-02T06:00:00Z', parameter: PM25 }),
          parameter: { id: 2.5, name: 'pm25', units: 'µg/m³' },
        },
        {
          ...measurementRecord({ value: 4, periodEndUtc: '2024-11-02T07:00:00Z', parameter: PM25 }),
          flagInfo: { hasFlags: 'yes' },
          coordinates: { latitude: '28.1', longitude: 77.2 },
        },
        {
          ...measurementRecord({ value: 5, periodEndUtc: '2024-11-02T08:00:00Z', parameter: PM25 }),
          value: {},
        },
      ],
    }),
    fetchedAt: '2024-11-02T13:00:00Z',
    valid: false,
    validationError: 'badly typed records',
  });
  await writeRawMeasurements(store, meta, {
    sensorId: 11,
    locationId: 1,
    window: { fromUtc: '2024-11-03T00:00:00Z', toUtc: '2024-11-03T12:00:00Z' },
    body: '{"meta": {}, "results": [{"value": 1',
    fetchedAt: '2024-11-03T13:00:00Z',
    valid: false,
    validationError: 'truncated body',
  });
  await writeRawMeasurements(store, meta, {
    sensorId: 12,
    locationId: 1,
    window: { fromUtc: '2024-11-03T00:00:00Z', toUtc: '2024-11-03T12:00:00Z' },
    records: [
      {
        ...measurementRecord({ value: 1, periodEndUtc: '2024-11-03T10:00:00Z', parameter: O3_PPM }),
        period: { interval: '01:00:00', datetimeFrom: { utc: 'x' }, datetimeTo: { utc: 'yesterday' } },
      },
    ],
    fetchedAt: '2024-11-03T13:00:00Z',
  });

  // dev.locations through the DuckDB engine, as the pipeline makes it; both transforms read it.
  const locationFiles = await devLocationFiles(lake, join(workDir, 'dims'));

  const manifest = rawMeasurementsObjects(lake);
  duck = await lake.engine.transformMeasurements({
    fromDate: FROM,
    toDate: TO,
    objects: manifest,
    locationFiles,
    qualityRulesPath: RULES,
    workDir: join(workDir, 'duck'),
  });
  duckRows = (await readParquetRows(duck.days.flatMap((d) => d.files.map((f) => f.localPath)))).map(
    normalise,
  );

  // The Glue job's main() over the same raw objects, with the location versions as it reads them from dev.locations.
  const objects = new Map<string, Uint8Array>();
  for (const o of manifest) objects.set(o.rawKey, await readFile(store.pathOf(o.rawKey)));
  const out = await runGlueJobOn({
    objects,
    manifest: jobManifest({
      objects: manifest,
      locations: await locationVersionsOf(locationFiles),
    }),
    fromDate: FROM,
    toDate: TO,
  });
  glue = {
    rows: out.rows.map(normalise),
    quarantine: out.quarantine,
    stats: Object.fromEntries(out.days.map((d) => [d.local_date, d as unknown as Record<string, unknown>])),
  };
}, 120_000);

afterAll(async () => {
  if (lake) await removeTestLake(lake);
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const byKey = (a: Row, b: Row) =>
  Number(a.sensor_id) - Number(b.sensor_id) ||
  String(a.period_end_utc).localeCompare(String(b.period_end_utc));

describe('the Glue job and the DuckDB transform agree', () => {
  it('on every row and every column of dev.measurements', () => {
    expect(duckRows.length).toBeGreaterThan(150);
    const names = MEASUREMENTS_COLUMNS.map((c) => c.name);
    const pick = (r: Row) => Object.fromEntries(names.map((n) => [n, r[n] ?? null]));
    expect(glue.rows.map(pick).sort(byKey)).toEqual(duckRows.map(pick).sort(byKey));
  });

  it('on the cases that carry the rules (so the agreement is not over trivial data)', () => {
    const qualities = new Set(duckRows.map((r) => r.quality));
    for (const q of ['ok', 'sentinel', 'negative', 'out_of_range', 'future']) expect(qualities).toContain(q);
    // The 25-hour New York day and the revised values: the newest fetch wins.
    const nyDay = duckRows.filter((r) => r.sensor_id === 11 && r.local_date === '2024-11-03');
    expect(nyDay).toHaveLength(25);
    expect(nyDay.filter((r) => Number(r.value) >= 100).length).toBeGreaterThan(0);
    // The moved station: rows of the object fetched after the move are in Auckland's zone.
    expect(new Set(duckRows.filter((r) => r.sensor_id === 31).map((r) => r.timezone))).toEqual(
      new Set(['Europe/London', 'Pacific/Auckland']),
    );
  });

  it('on the quarantined records and their reasons', () => {
    const duckQuarantine = duck.days.reduce((n, d) => n + d.stats.quarantinedRows, 0);
    expect(glue.quarantine).toHaveLength(duckQuarantine);
    expect(glue.quarantine.map((q) => q.reason).sort()).toEqual(
      expect.arrayContaining([
        'unparseable period end (period.datetimeTo.utc)',
        'value is not a number',
        'value is null',
        expect.stringMatching(/^unreadable raw object: /),
      ]),
    );
  });

  it('on every quarantined row: its object, record, reason, raw texts and day', async () => {
    const duckQ = await readParquetRows(duck.days.flatMap((d) => d.quarantineFiles.map((f) => f.localPath)));
    expect(duckQ.length).toBeGreaterThan(10);
    expect(glue.quarantine.map(quarantineView).sort()).toEqual(duckQ.map(quarantineView).sort());
  });

  it("on each day's reconciliation counts", () => {
    for (const d of duck.days) {
      const g = glue.stats[d.localDate] ?? {
        raw_rows: 0,
        rows: 0,
        quarantined_rows: 0,
        duplicates_dropped: 0,
      };
      expect({
        day: d.localDate,
        raw: g.raw_rows,
        rows: g.rows,
        q: g.quarantined_rows,
        dups: g.duplicates_dropped,
      }).toEqual({
        day: d.localDate,
        raw: d.stats.rawRows,
        rows: d.stats.rows,
        q: d.stats.quarantinedRows,
        dups: d.stats.duplicatesDropped,
      });
    }
    expect(duck.days.some((d) => d.stats.duplicatesDropped > 0)).toBe(true);
  });
});
