// The prod views on hand-made data whose answers are worked out by hand: DST days, a +05:30 zone, 15-minute
// sensors, sentinels and the clean rule, latest, US EPA AQI and WHO guideline exceedances.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuerySession } from '../src/engines/duckdb/query-session.js';
import type { CellValue } from '../src/engines/engine.js';
import { DAILY_AVERAGES_COLUMNS } from './helpers/prod-rows.js';
import {
  type MeasurementInput,
  type MeasurementRow,
  measurement,
  naive,
  sessionOver,
  writeMeasurementsParquet,
} from './prod-views-support.js';

/** `count` consecutive period ends, `stepMinutes` apart, the first at `firstEndUtc`; values from `valueAt(i)`. */
function series(
  base: Omit<MeasurementInput, 'period_end_utc' | 'value'>,
  firstEndUtc: string,
  count: number,
  valueAt: (i: number) => number | null,
  stepMinutes = 60,
): MeasurementRow[] {
  const start = Date.parse(`${firstEndUtc.replace(' ', 'T')}Z`);
  return Array.from({ length: count }, (_, i) =>
    measurement({
      interval_seconds: stepMinutes * 60,
      ...base,
      period_end_utc: naive(new Date(start + i * stepMinutes * 60_000)),
      value: valueAt(i),
    }),
  );
}

const NY = { timezone: 'America/New_York', location_id: 10 };
const rows: MeasurementRow[] = [
  // Spring forward, New York 2024-03-10: local day = period ends in (05:00Z, 04:00Z next day] = 23 hours.
  // Values 1…23 → mean 12, median 12. The rows ending exactly at local midnight belong to the day before.
  measurement({ ...NY, sensor_id: 101, period_end_utc: '2024-03-10 05:00:00', value: 1000 }),
  ...series({ ...NY, sensor_id: 101 }, '2024-03-10 06:00:00', 23, (i) => i + 1),
  measurement({ ...NY, sensor_id: 101, period_end_utc: '2024-03-11 05:00:00', value: 2000 }),
  // Fall back, New York 2024-11-03: period ends in (04:00Z, 05:00Z next day] = 25 hours; values 1…25 → mean 13.
  ...series({ ...NY, sensor_id: 102 }, '2024-11-03 05:00:00', 25, (i) => i + 1),
  // Kolkata (+05:30), local day 2024-07-21 = period ends in (2024-07-20 18:30Z, 2024-07-21 18:30Z].
  // 18:30Z on 07-20 is 00:00 IST: it belongs to 07-20. 19:30Z = 01:00 IST; 19:45Z (a late quarter-hour value)
  // = 01:15 IST belongs to the hour ending 02:00 IST = 20:30Z, together with 20:30Z itself.
  // Hours of 07-21: 01:00 → 10; 02:00 → mean(20, 40) = 30; 00:00 on 07-22 (18:30Z) → 80.
  // Daily: mean(10, 30, 80) = 40, median 30, 3 hours.
  measurement({ timezone: 'Asia/Kolkata', sensor_id: 201, period_end_utc: '2024-07-20 18:30:00', value: 99 }),
  measurement({ timezone: 'Asia/Kolkata', sensor_id: 201, period_end_utc: '2024-07-20 19:30:00', value: 10 }),
  measurement({
    timezone: 'Asia/Kolkata',
    sensor_id: 201,
    period_end_utc: '2024-07-20 19:45:00',
    value: 20,
    interval_seconds: 900,
  }),
  measurement({ timezone: 'Asia/Kolkata', sensor_id: 201, period_end_utc: '2024-07-20 20:30:00', value: 40 }),
  measurement({ timezone: 'Asia/Kolkata', sensor_id: 201, period_end_utc: '2024-07-21 18:30:00', value: 80 }),
  // A 15-minute sensor (UTC): 10:15…11:00 → the hour ending 11:00 = mean(1, 2, 3, 6) = 3; 11:15 → hour 12:00 = 10.
  // Daily mean of the hours = 6.5 (not the mean of the five values, 4.4).
  ...series({ sensor_id: 301 }, '2024-07-21 10:15:00', 5, (i) => [1, 2, 3, 6, 10][i]!, 15),
  // Sentinels and the clean rule (UTC, 2024-07-22): sensor 401 has 18 hours of 10 and one hour of −999;
  // sensor 402 has 17 hours of 10 and a "future" row; sensor 403 has 18 hours of −0.5 (drift, kept by the clean rule).
  ...series({ sensor_id: 401 }, '2024-07-22 01:00:00', 18, () => 10),
  measurement({ sensor_id: 401, period_end_utc: '2024-07-22 20:00:00', value: -999 }),
  ...series({ sensor_id: 402 }, '2024-07-22 01:00:00', 17, () => 10),
  measurement({ sensor_id: 402, period_end_utc: '2024-07-22 23:00:00', value: 500, quality: 'future' }),
  ...series({ sensor_id: 403 }, '2024-07-22 01:00:00', 18, () => -0.5),
];

// AQI days (UTC, 2024-07-23, 24 hours each, constant value = the daily mean).
const aqiDays: [number, string, string, number][] = [
  [501, 'pm25', 'µg/m³', 35.45], // truncated 35.4 → top of Moderate, AQI 100
  [502, 'pm25', 'µg/m³', 9.0], // 50, Good
  [503, 'pm25', 'µg/m³', 9.1], // 51, Moderate
  [504, 'pm25', 'µg/m³', 12.0], // 49/26.3 · 2.9 + 51 = 56.40 → 56
  [505, 'pm25', 'µg/m³', 55.5], // 151, Unhealthy
  [506, 'pm25', 'µg/m³', 400], // above 325.4: Hazardous extended, 199/99.9 · 174.5 + 301 = 648.60 → 649
  [507, 'pm10', 'µg/m³', 80.7], // truncated 80 → 49/99 · 25 + 51 = 63.37 → 63
  [508, 'pm10', 'µg/m³', 154.9], // truncated 154 → 100
  [509, 'pm25', 'µg/m³', -2], // negative day: no AQI
  [510, 'pm25', 'ppm', 50], // not µg/m³: not in the view
];
for (const [sensor, parameter, units, value] of aqiDays) {
  rows.push(
    ...series(
      { sensor_id: sensor, parameter, units, parameter_id: parameter === 'pm25' ? 2 : 1 },
      '2024-07-23 01:00:00',
      24,
      () => value,
    ),
  );
}

// WHO days (UTC, 2024-07-24): pm25 16 (over 15), pm25 15 (not over), pm10 50 (over 45), no2 30 (over 25),
// o3 µg/m³ 8 hours of 120 then 16 of 50 (max 8-hour mean 120 > 100), o3 in ppm (not comparable: absent).
const whoDay = '2024-07-24 01:00:00';
rows.push(
  ...series({ sensor_id: 601, parameter: 'pm25', parameter_id: 2 }, whoDay, 24, () => 16),
  ...series({ sensor_id: 602, parameter: 'pm25', parameter_id: 2 }, whoDay, 24, () => 15),
  ...series({ sensor_id: 603, parameter: 'pm10', parameter_id: 1 }, whoDay, 24, () => 50),
  ...series({ sensor_id: 604, parameter: 'no2', parameter_id: 5 }, whoDay, 24, () => 30),
  ...series({ sensor_id: 605, parameter: 'o3', parameter_id: 3 }, whoDay, 24, (i) => (i < 8 ? 120 : 50)),
  ...series({ sensor_id: 606, parameter: 'o3', parameter_id: 10, units: 'ppm' }, whoDay, 24, () => 0.2),
);

let home: string;
let session: QuerySession;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-prod-views-'));
  // Two files, so the views read a multi-file table as the catalog hands it over.
  const half = Math.floor(rows.length / 2);
  const files = [join(home, 'dev/measurements/a.parquet'), join(home, 'dev/measurements/b.parquet')];
  await writeMeasurementsParquet(files[0]!, rows.slice(0, half));
  await writeMeasurementsParquet(files[1]!, rows.slice(half));
  session = await sessionOver(files);
});

afterAll(() => {
  session?.close();
  rmSync(home, { recursive: true, force: true });
});

async function dailyOf(sensor: number, view = 'prod.daily_averages'): Promise<Record<string, CellValue>[]> {
  return session.run(
    `SELECT local_date::VARCHAR AS local_date, value_avg, value_min, value_max, value_median, hour_count, coverage_pct
     FROM ${view} WHERE sensor_id = $sensor ORDER BY local_date`,
    { sensor },
  );
}

describe('prod.daily_averages', () => {
  it('has exactly the columns of ARCHITECTURE §5', async () => {
    const cols = await session.run('DESCRIBE prod.daily_averages');
    expect(cols.map((c) => c.column_name)).toEqual(DAILY_AVERAGES_COLUMNS);
  });

  it('gives the spring-forward day 23 hours and leaves the midnight rows to their neighbours', async () => {
    const d = await dailyOf(101);
    expect(d.map((r) => r.local_date)).toEqual(['2024-03-09', '2024-03-10', '2024-03-11']);
    expect(d[0]).toMatchObject({ value_avg: 1000, hour_count: 1 });
    expect(d[1]).toMatchObject({
      value_avg: 12,
      value_min: 1,
      value_max: 23,
      value_median: 12,
      hour_count: 23,
    });
    expect(d[1]!.coverage_pct).toBeCloseTo((23 / 24) * 100, 12);
    expect(d[2]).toMatchObject({ value_avg: 2000, hour_count: 1 });
  });

  it('gives the fall-back day 25 hours: the repeated 01:00 hour is two hours', async () => {
    const d = await dailyOf(102);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ local_date: '2024-11-03', value_avg: 13, value_median: 13, hour_count: 25 });
    expect(d[0]!.coverage_pct).toBeCloseTo((25 / 24) * 100, 12);
    const repeated = await session.run(
      `SELECT hour_end_utc, value_avg FROM prod.hourly
       WHERE sensor_id = 102 AND hour_end_local = TIMESTAMP '2024-11-03 01:00:00' ORDER BY hour_end_utc`,
    );
    expect(repeated).toEqual([
      { hour_end_utc: '2024-11-03T05:00:00', value_avg: 1 },
      { hour_end_utc: '2024-11-03T06:00:00', value_avg: 2 },
    ]);
  });

  it('cuts +05:30 days and hours at local midnight and on the local hour', async () => {
    const hours = await session.run(
      `SELECT hour_end_local, local_date::VARCHAR AS local_date, value_avg, value_count
       FROM prod.hourly WHERE sensor_id = 201 ORDER BY hour_end_utc`,
    );
    expect(hours).toEqual([
      { hour_end_local: '2024-07-21T00:00:00', local_date: '2024-07-20', value_avg: 99, value_count: 1 },
      { hour_end_local: '2024-07-21T01:00:00', local_date: '2024-07-21', value_avg: 10, value_count: 1 },
      { hour_end_local: '2024-07-21T02:00:00', local_date: '2024-07-21', value_avg: 30, value_count: 2 },
      { hour_end_local: '2024-07-22T00:00:00', local_date: '2024-07-21', value_avg: 80, value_count: 1 },
    ]);
    const d = await dailyOf(201);
    expect(d[1]).toMatchObject({
      local_date: '2024-07-21',
      value_avg: 40,
      value_min: 10,
      value_max: 80,
      value_median: 30,
      hour_count: 3,
    });
  });

  it('averages a 15-minute sensor per hour first, then over the hours', async () => {
    const hours = await session.run(
      'SELECT hour_end_utc, value_avg, value_count FROM prod.hourly WHERE sensor_id = 301 ORDER BY hour_end_utc',
    );
    expect(hours).toEqual([
      { hour_end_utc: '2024-07-21T11:00:00', value_avg: 3, value_count: 4 },
      { hour_end_utc: '2024-07-21T12:00:00', value_avg: 10, value_count: 1 },
    ]);
    expect((await dailyOf(301))[0]).toMatchObject({ value_avg: 6.5, value_median: 6.5, hour_count: 2 });
  });

  it('includes sentinels, as OpenAQ does', async () => {
    expect((await dailyOf(401))[0]).toMatchObject({ hour_count: 19, value_min: -999 });
    expect((await dailyOf(401))[0]!.value_avg).toBeCloseTo((18 * 10 - 999) / 19, 12);
  });
});

describe('prod.daily_averages_clean', () => {
  it('drops sentinels and future rows, keeps drift negatives, and needs 18 of 24 hours', async () => {
    expect(await dailyOf(401, 'prod.daily_averages_clean')).toEqual([
      {
        local_date: '2024-07-22',
        value_avg: 10,
        value_min: 10,
        value_max: 10,
        value_median: 10,
        hour_count: 18,
        coverage_pct: 75,
      },
    ]);
    expect(await dailyOf(402, 'prod.daily_averages_clean')).toEqual([]);
    expect((await dailyOf(402))[0]).toMatchObject({ hour_count: 18 }); // the future row counts in the OpenAQ view
    expect(await dailyOf(403, 'prod.daily_averages_clean')).toMatchObject([
      { value_avg: -0.5, hour_count: 18 },
    ]);
  });
});

describe('prod.latest', () => {
  it('is the newest measurement of each sensor, never one stamped in the future', async () => {
    const latest = await session.run(
      'SELECT sensor_id, period_end_utc, value, quality FROM prod.latest WHERE sensor_id IN (101, 402) ORDER BY sensor_id',
    );
    expect(latest).toEqual([
      { sensor_id: 101, period_end_utc: '2024-03-11T05:00:00', value: 2000, quality: 'ok' },
      { sensor_id: 402, period_end_utc: '2024-07-22T17:00:00', value: 10, quality: 'ok' },
    ]);
    const perSensor = await session.run(
      'SELECT count(*) AS n, count(DISTINCT sensor_id) AS sensors FROM prod.latest',
    );
    expect(perSensor[0]!.n).toBe(perSensor[0]!.sensors);
  });
});

describe('prod.daily_aqi', () => {
  it('applies the 2024 EPA breakpoints to truncated clean daily means', async () => {
    const aqi = await session.run(
      'SELECT sensor_id, concentration, aqi, category FROM prod.daily_aqi WHERE sensor_id BETWEEN 501 AND 510 ORDER BY sensor_id',
    );
    expect(aqi).toEqual([
      { sensor_id: 501, concentration: 35.4, aqi: 100, category: 'Moderate' },
      { sensor_id: 502, concentration: 9, aqi: 50, category: 'Good' },
      { sensor_id: 503, concentration: 9.1, aqi: 51, category: 'Moderate' },
      { sensor_id: 504, concentration: 12, aqi: 56, category: 'Moderate' },
      { sensor_id: 505, concentration: 55.5, aqi: 151, category: 'Unhealthy' },
      { sensor_id: 506, concentration: 400, aqi: 649, category: 'Hazardous' },
      { sensor_id: 507, concentration: 80, aqi: 63, category: 'Moderate' },
      { sensor_id: 508, concentration: 154, aqi: 100, category: 'Moderate' },
      { sensor_id: 509, concentration: -2, aqi: null, category: null },
    ]);
  });
});

describe('prod.who_exceedances', () => {
  it('lists the days over a WHO 2021 guideline, comparing µg/m³ only', async () => {
    const over = await session.run(
      `SELECT sensor_id, parameter, averaging, value, guideline FROM prod.who_exceedances
       WHERE sensor_id BETWEEN 601 AND 606 ORDER BY sensor_id`,
    );
    expect(over).toEqual([
      { sensor_id: 601, parameter: 'pm25', averaging: '24-hour mean', value: 16, guideline: 15 },
      { sensor_id: 603, parameter: 'pm10', averaging: '24-hour mean', value: 50, guideline: 45 },
      { sensor_id: 604, parameter: 'no2', averaging: '24-hour mean', value: 30, guideline: 25 },
      { sensor_id: 605, parameter: 'o3', averaging: 'max 8-hour mean', value: 120, guideline: 100 },
    ]);
  });
});

describe('an empty lake', () => {
  it('still has typed dev and prod views that answer with no rows', async () => {
    const empty = await sessionOver([]);
    try {
      expect(await empty.run('SELECT count(*) AS n FROM prod.daily_averages')).toEqual([{ n: 0 }]);
      const types = await empty.run(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'dev' AND column_name IN ('sensor_id', 'period_end_utc', 'local_date')",
      );
      expect(types).toEqual([
        { column_name: 'sensor_id', data_type: 'BIGINT' },
        { column_name: 'period_end_utc', data_type: 'TIMESTAMP' },
        { column_name: 'local_date', data_type: 'DATE' },
      ]);
      expect(empty.views).toContain('prod.who_exceedances');
    } finally {
      empty.close();
    }
  });
});
