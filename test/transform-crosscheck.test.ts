// dev.measurements from a real OpenAQ page: 1000 hourly pm25 values of sensor 10017217 (America/Toronto).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPartitions } from '../src/lake/catalog/index.js';
import { localDateOfPeriodEnd } from '../src/time/local-day.js';
import { currentPaths, transformAndCommit } from './helpers/lake-steps.js';
import { PM25, writeRawLocations, writeRawMeasurements } from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/openaq/crosscheck-sensor-10017217/', import.meta.url));
const body = readFileSync(`${FIXTURE}reconstructed_measurements_page1_v3_shape.json`);
const records = (
  JSON.parse(body.toString('utf8')) as {
    results: { value: number; period: { datetimeFrom: { utc: string }; datetimeTo: { utc: string } } }[];
  }
).results;
const expectedDays = readFileSync(`${FIXTURE}expected_daily_from_raw.csv`, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [date, , hours, mean] = line.split(',');
    return { date: date!, hours: Number(hours), mean: Number(mean) };
  });

const SENSOR = 10017217;
const LOCATION = 2966040;
let lake: TestLake;
let rawKey: string;

beforeAll(async () => {
  lake = openTestLake();
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2024-09-02T05:00:00Z',
    locations: [
      {
        id: LOCATION,
        timezone: 'America/Toronto',
        latitude: 43.6685,
        longitude: -79.7603,
        sensors: [{ id: SENSOR, parameter: PM25 }],
      },
    ],
  });
  rawKey = await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: SENSOR,
    locationId: LOCATION,
    window: { fromUtc: '2024-07-20T04:00:00Z', toUtc: '2024-09-02T04:00:00Z' },
    body,
    fetchedAt: '2024-09-02T06:00:00Z',
  });
});
afterAll(() => removeTestLake(lake));

describe('transform of a real /measurements page', () => {
  it('writes every value once, under the local day of (period end − 1 s), with exact values and instants', async () => {
    const days = await transformAndCommit(lake, '2024-07-19', '2024-09-02');
    const withRows = days.filter((d) => d.rows > 0);
    expect(withRows.map((d) => d.localDate)).toEqual(expectedDays.map((d) => d.date));
    expect(withRows.map((d) => d.rows)).toEqual(expectedDays.map((d) => d.hours));
    for (const d of days) expect(d.rawRows).toBe(d.rows + d.quarantinedRows + d.duplicatesDropped);
    expect(days.reduce((s, d) => s + d.quarantinedRows + d.duplicatesDropped, 0)).toBe(0);

    const rows = await readParquetRows(await currentPaths(lake));
    expect(rows).toHaveLength(1000);
    const byEnd = new Map(rows.map((r) => [r.period_end_utc as string, r]));
    for (const rec of records) {
      const row = byEnd.get(rec.period.datetimeTo.utc);
      expect(row, rec.period.datetimeTo.utc).toBeDefined();
      expect(row!.value).toBe(rec.value);
      expect(row!.period_start_utc).toBe(rec.period.datetimeFrom.utc);
      expect(row!.local_date).toBe(localDateOfPeriodEnd(rec.period.datetimeTo.utc, 'America/Toronto'));
    }
    expect(rows[0]).toEqual({
      location_id: LOCATION,
      sensor_id: SENSOR,
      parameter_id: 2,
      parameter: 'pm25',
      units: 'µg/m³',
      value: 7.949999928474426,
      period_start_utc: '2024-07-20T14:00:00Z',
      period_end_utc: '2024-07-20T15:00:00Z',
      timezone: 'America/Toronto',
      local_date: '2024-07-20',
      interval_seconds: 3600,
      latitude: 43.6685,
      longitude: -79.7603,
      has_flags: false,
      quality: 'ok',
      source: 'api',
      raw_key: rawKey,
      ingested_at: '2024-09-02T06:00:00.000Z',
    });
  });

  it('matches the daily means OpenAQ computed from the same hours', async () => {
    const rows = await readParquetRows(await currentPaths(lake));
    for (const day of expectedDays) {
      const values = rows.filter((r) => r.local_date === day.date).map((r) => r.value as number);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      expect(Math.abs(mean - day.mean), day.date).toBeLessThan(1e-12);
    }
  });

  it('lands one Parquet file per day under zero-padded Hive folders, with the catalog knowing each partition', async () => {
    const partitions = listPartitions(lake.meta, 'measurements').filter((p) => p.rows > 0);
    expect(partitions).toHaveLength(44);
    const aug = partitions.find((p) => p.localDate === '2024-08-05')!;
    expect(aug).toMatchObject({
      rows: 24,
      files: 1,
      minPeriodEndUtc: '2024-08-05T05:00:00Z',
      schemaVersion: 1,
    });
    expect(aug.maxPeriodEndUtc).toBe('2024-08-06T04:00:00Z');
    const [path] = await currentPaths(lake, 'measurements', '2024-08-05');
    expect(path).toMatch(/dev\/_versions\/measurements\/2024-08-05\/\d{8}T\d{9}Z-[0-9a-f]{8}\.parquet$/);
    // The tree: exactly one object per day that has rows, under zero-padded Hive folders.
    const tree: string[] = [];
    for await (const o of lake.store.list('dev/measurements/')) tree.push(o.key);
    expect(tree).toHaveLength(44);
    expect(tree).toContain('dev/measurements/year=2024/month=08/day=05/data.parquet');
    expect(
      await readParquetRows([lake.store.pathOf('dev/measurements/year=2024/month=08/day=05/data.parquet')]),
    ).toEqual(await readParquetRows([path!]));
  });
});
