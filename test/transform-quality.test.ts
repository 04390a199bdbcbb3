// Quality flags from sql/dev/quality-rules.json, and quarantine of what cannot be typed (nothing silently dropped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPartitionVersion, listTableFiles } from '../src/lake/catalog/index.js';
import { transformAndCommit } from './helpers/lake-steps.js';
import {
  measurementRecord,
  O3_PPM,
  PM25,
  TEMPERATURE_C,
  writeRawLocations,
  writeRawMeasurements,
} from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

let lake: TestLake;
const keys: Record<string, string> = {};
const DAY = '2024-05-01';
const at = (hour: number) => `2024-05-01T${String(hour).padStart(2, '0')}:00:00Z`;

beforeAll(async () => {
  lake = openTestLake();
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2024-04-01T00:00:00Z',
    locationId: null,
    locations: [
      {
        id: 1,
        timezone: 'UTC',
        latitude: 10,
        longitude: 20,
        sensors: [
          { id: 100, parameter: PM25 },
          { id: 101, parameter: O3_PPM },
          { id: 102, parameter: TEMPERATURE_C },
        ],
      },
      {
        id: 2,
        timezone: 'Mars/Olympus_Mons',
        latitude: 0,
        longitude: 0,
        sensors: [{ id: 200, parameter: PM25 }],
      },
    ],
  });
  const window = { fromUtc: '2024-05-01T00:00:00Z', toUtc: '2024-05-02T00:00:00Z' };
  const fetchedAt = '2024-05-01T12:00:00Z';
  keys.pm25 = await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: 100,
    locationId: 1,
    window,
    fetchedAt,
    records: [
      measurementRecord({ value: 12.5, periodEndUtc: at(1) }),
      measurementRecord({ value: -999, periodEndUtc: at(2) }),
      measurementRecord({ value: -0.5, periodEndUtc: at(3) }),
      measurementRecord({ value: 5000, periodEndUtc: at(4) }),
      measurementRecord({ value: 8, periodEndUtc: at(14) }), // 2 h after the fetch
      measurementRecord({ value: 9, periodEndUtc: at(13), coordinates: { latitude: 10.5, longitude: 20.5 } }),
      measurementRecord({ value: 'abc', periodEndUtc: at(5) }),
      measurementRecord({ value: null, periodEndUtc: at(6) }),
      {
        ...measurementRecord({ value: 7, periodEndUtc: at(7) }),
        period: { interval: '01:00:00', datetimeTo: { utc: 'not-a-date' } },
      },
    ],
  });
  keys.o3 = await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: 101,
    locationId: 1,
    window,
    fetchedAt,
    records: [
      measurementRecord({ value: 0.9, periodEndUtc: at(1), parameter: O3_PPM }),
      measurementRecord({ value: 0.04, periodEndUtc: at(2), parameter: O3_PPM }),
    ],
  });
  keys.temperature = await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: 102,
    locationId: 1,
    window,
    fetchedAt,
    records: [measurementRecord({ value: -5, periodEndUtc: at(1), parameter: TEMPERATURE_C })],
  });
  keys.unknownZone = await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: 200,
    locationId: 2,
    window,
    fetchedAt,
    records: [measurementRecord({ value: 3, periodEndUtc: at(1) })],
  });
  // Stored although validation failed: a truncated body the transform must not choke on.
  keys.truncated = await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: 100,
    locationId: 1,
    window,
    fetchedAt: '2024-05-01T13:00:00Z',
    body: '{"meta": {"name": "openaq-api"}, "results": [{"value": 1.0, "period": {"inter',
    valid: false,
    validationError: 'Unexpected end of JSON input',
  });
});
afterAll(() => removeTestLake(lake));

describe('quality flags', () => {
  it('flags sentinels, negatives, out-of-range values per parameter and unit, and future period ends', async () => {
    const [day] = await transformAndCommit(lake, DAY);
    expect(day).toMatchObject({ rows: 9, quarantinedRows: 5, duplicatesDropped: 0, rawRows: 14 });

    const paths = await Promise.all(
      listTableFiles(lake.meta, 'measurements').map((f) => lake.store.localPath(f.key)),
    );
    const rows = await readParquetRows(paths);
    const quality = (sensor: number, hour: number) =>
      rows.find((r) => r.sensor_id === sensor && r.period_end_utc === at(hour))?.quality;
    expect(quality(100, 1)).toBe('ok');
    expect(quality(100, 2)).toBe('sentinel');
    expect(quality(100, 3)).toBe('negative');
    expect(quality(100, 4)).toBe('out_of_range');
    expect(quality(100, 14)).toBe('future');
    expect(quality(101, 1)).toBe('out_of_range'); // 0.9 ppm o3
    expect(quality(101, 2)).toBe('ok');
    expect(quality(102, 1)).toBe('ok'); // −5 °C is a temperature, not a negative concentration
    // Negatives and sentinels are kept as reported.
    expect(rows.find((r) => r.quality === 'sentinel')?.value).toBe(-999);
    // Record coordinates win over the location's.
    expect(rows.find((r) => r.period_end_utc === at(13))).toMatchObject({ latitude: 10.5, longitude: 20.5 });
    expect(rows.find((r) => r.period_end_utc === at(1) && r.sensor_id === 100)).toMatchObject({
      latitude: 10,
      longitude: 20,
    });
  });

  it('quarantines untypeable rows with the reason and the raw object, in the version of their day', async () => {
    const quarantine = listTableFiles(lake.meta, 'measurements', { kind: 'quarantine' });
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]?.key).toMatch(/^dev\/_versions\/_quarantine\/measurements\/2024-05-01\//);
    // In the tree, the quarantine table's one object for the day holds the same rows.
    const tree: string[] = [];
    for await (const o of lake.store.list('dev/_quarantine/')) tree.push(o.key);
    expect(tree).toEqual(['dev/_quarantine/measurements/year=2024/month=05/day=01/data.parquet']);
    const rows = await readParquetRows(
      [await lake.store.localPath(quarantine[0]!.key)],
      'raw_key, record_index',
    );
    const byReason = Object.fromEntries(rows.map((r) => [r.reason as string, r]));
    const unreadable = `unreadable raw object: DuckDB Invalid Input Error: Malformed JSON in file "${keys.truncated}"`;
    expect(Object.keys(byReason).sort()).toEqual([
      'unknown location timezone: Mars/Olympus_Mons',
      'unparseable period end (period.datetimeTo.utc)',
      expect.stringMatching(new RegExp(`^${unreadable.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`)),
      'value is not a number',
      'value is null',
    ]);
    expect(rows.find((r) => (r.reason as string).startsWith('unreadable'))).toMatchObject({
      raw_key: keys.truncated,
      record_index: null,
      local_date: null,
    });
    expect(byReason['value is not a number']).toMatchObject({
      raw_key: keys.pm25,
      record_index: 7,
      value_raw: '"abc"',
    });
    expect(byReason['unparseable period end (period.datetimeTo.utc)']).toMatchObject({
      raw_key: keys.pm25,
      period_end_raw: '"not-a-date"',
    });
    expect(byReason['unknown location timezone: Mars/Olympus_Mons']).toMatchObject({
      raw_key: keys.unknownZone,
    });
    const version = getPartitionVersion(lake.meta, quarantine[0]!.versionId)!;
    expect(version.quarantinedRows).toBe(5);
    expect(version.rawRows).toBe(version.rows + version.quarantinedRows! + version.duplicatesDropped!);
  });
});

describe('an object that passed validation but breaks the bulk read', () => {
  it('is quarantined as a whole while the other objects of the day are written', async () => {
    const window = { fromUtc: '2024-05-02T00:00:00Z', toUtc: '2024-05-03T00:00:00Z' };
    const odd = await writeRawMeasurements(lake.store, lake.meta, {
      sensorId: 100,
      locationId: 1,
      window,
      fetchedAt: '2024-05-03T01:00:00Z',
      body: JSON.stringify({ meta: {}, results: [{ value: 1, parameter: 'pm25', period: 'yesterday' }] }),
    });
    await writeRawMeasurements(lake.store, lake.meta, {
      sensorId: 101,
      locationId: 1,
      window,
      fetchedAt: '2024-05-03T01:00:00Z',
      records: [measurementRecord({ value: 0.03, periodEndUtc: '2024-05-02T05:00:00Z', parameter: O3_PPM })],
    });
    const [day] = await transformAndCommit(lake, '2024-05-02');
    expect(day).toMatchObject({ rows: 1, quarantinedRows: 1, rawRows: 2 });
    const q = listTableFiles(lake.meta, 'measurements', { kind: 'quarantine' }).filter(
      (f) => f.localDate === '2024-05-02',
    );
    const [row] = await readParquetRows([await lake.store.localPath(q[0]!.key)], 'raw_key');
    expect(row).toMatchObject({ raw_key: odd });
    expect(row?.reason).toMatch(/^unreadable raw object: DuckDB /);
  });
});
