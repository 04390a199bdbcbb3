// Local days in zones with DST and with a half-hour offset: the day is the local date of (period end − 1 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDateOfPeriodEnd, localDayWindowUtc } from '../src/time/local-day.js';
import { currentPaths, transformAndCommit } from './helpers/lake-steps.js';
import { hourlyRecords, PM25, writeRawLocations, writeRawMeasurements } from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

const NEW_YORK = { location: 1, sensor: 11 };
const KOLKATA = { location: 2, sensor: 21, quarterHourSensor: 22 };
// +05:45, and a zone whose DST shift is 30 minutes (Lord Howe, back from +11:00 to +10:30 on 2024-04-07).
const ODD_ZONES = [
  { location: 3, sensor: 31, timezone: 'Asia/Kathmandu' },
  { location: 4, sensor: 41, timezone: 'Australia/Lord_Howe' },
];
let lake: TestLake;

beforeAll(async () => {
  lake = openTestLake();
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2024-01-01T00:00:00Z',
    locationId: null,
    locations: [
      {
        id: NEW_YORK.location,
        timezone: 'America/New_York',
        latitude: 40.7,
        longitude: -74,
        sensors: [{ id: NEW_YORK.sensor, parameter: PM25 }],
      },
      {
        id: KOLKATA.location,
        timezone: 'Asia/Kolkata',
        latitude: 22.57,
        longitude: 88.36,
        sensors: [
          { id: KOLKATA.sensor, parameter: PM25 },
          { id: KOLKATA.quarterHourSensor, parameter: PM25 },
        ],
      },
      ...ODD_ZONES.map((z) => ({
        id: z.location,
        timezone: z.timezone,
        latitude: 0,
        longitude: 0,
        sensors: [{ id: z.sensor, parameter: PM25 }],
      })),
    ],
  });
  for (const z of ODD_ZONES) {
    const window = { fromUtc: '2024-04-04T00:00:00Z', toUtc: '2024-04-10T00:00:00Z' };
    await writeRawMeasurements(lake.store, lake.meta, {
      sensorId: z.sensor,
      locationId: z.location,
      window,
      records: hourlyRecords(window.fromUtc, window.toUtc, (i) => i, { intervalSeconds: 900 }),
      fetchedAt: '2024-04-11T00:00:00Z',
    });
  }
  // New York: hourly around both 2024 DST changes (spring forward 03-10, fall back 11-03).
  for (const [from, to] of [
    ['2024-03-08T00:00:00Z', '2024-03-13T00:00:00Z'],
    ['2024-11-01T00:00:00Z', '2024-11-06T00:00:00Z'],
  ] as const) {
    await writeRawMeasurements(lake.store, lake.meta, {
      sensorId: NEW_YORK.sensor,
      locationId: NEW_YORK.location,
      window: { fromUtc: from, toUtc: to },
      records: hourlyRecords(from, to, (i) => i),
      fetchedAt: '2024-11-10T00:00:00Z',
    });
  }
  // Kolkata (+05:30): hourly values stamped at :30 UTC (= full local hours), and a 15-minute sensor.
  const from = '2024-03-04T00:30:00Z';
  const to = '2024-03-07T00:30:00Z';
  await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: KOLKATA.sensor,
    locationId: KOLKATA.location,
    window: { fromUtc: from, toUtc: to },
    records: hourlyRecords(from, to, (i) => i, { utcSuffix: '+00:00' }),
    fetchedAt: '2024-03-08T00:00:00Z',
  });
  await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: KOLKATA.quarterHourSensor,
    locationId: KOLKATA.location,
    window: { fromUtc: from, toUtc: to },
    records: hourlyRecords(from, to, (i) => i, { intervalSeconds: 900 }),
    fetchedAt: '2024-03-08T00:00:00Z',
  });
});
afterAll(() => removeTestLake(lake));

async function dayRows(localDate: string, sensor: number) {
  return (await readParquetRows(await currentPaths(lake, 'measurements', localDate))).filter(
    (r) => r.sensor_id === sensor,
  );
}

describe('local days across time zones', () => {
  it('gives the spring-forward day in New York 23 hours and the fall-back day 25', async () => {
    await transformAndCommit(lake, '2024-03-09', '2024-03-11');
    await transformAndCommit(lake, '2024-11-02', '2024-11-04');
    const counts = async (dates: string[]) =>
      Promise.all(dates.map(async (d) => (await dayRows(d, NEW_YORK.sensor)).length));
    expect(await counts(['2024-03-09', '2024-03-10', '2024-03-11'])).toEqual([24, 23, 24]);
    expect(await counts(['2024-11-02', '2024-11-03', '2024-11-04'])).toEqual([24, 25, 24]);

    const fallBack = await dayRows('2024-11-03', NEW_YORK.sensor);
    const window = localDayWindowUtc('2024-11-03', 'America/New_York');
    // (00:00 EDT, 24:00 EST] = (04:00Z, 05:00Z next day]: first end 05:00Z, last end exactly local midnight.
    expect(window.fromUtc.toISOString()).toBe('2024-11-03T04:00:00.000Z');
    expect(fallBack[0]?.period_end_utc).toBe('2024-11-03T05:00:00Z');
    expect(fallBack.at(-1)?.period_end_utc).toBe('2024-11-04T05:00:00Z');
    expect(fallBack.every((r) => r.timezone === 'America/New_York')).toBe(true);
  });

  it('cuts +05:30 days at local midnight (18:30 UTC), for hourly and 15-minute data', async () => {
    const [day] = await transformAndCommit(lake, '2024-03-05');
    expect(day).toMatchObject({ rows: 24 + 96, rawRows: 24 + 96, duplicatesDropped: 0 });
    const hourly = await dayRows('2024-03-05', KOLKATA.sensor);
    expect(hourly).toHaveLength(24);
    expect(hourly[0]?.period_end_utc).toBe('2024-03-04T19:30:00Z');
    expect(hourly.at(-1)?.period_end_utc).toBe('2024-03-05T18:30:00Z');
    const quarter = await dayRows('2024-03-05', KOLKATA.quarterHourSensor);
    expect(quarter).toHaveLength(96);
    expect(quarter[0]).toMatchObject({ period_end_utc: '2024-03-04T18:45:00Z', interval_seconds: 900 });
    expect(quarter.at(-1)?.period_end_utc).toBe('2024-03-05T18:30:00Z');
  });

  it('agrees row by row with the reference rule in src/time (luxon)', async () => {
    for (const [date, sensor, zone] of [
      ['2024-03-10', NEW_YORK.sensor, 'America/New_York'],
      ['2024-11-03', NEW_YORK.sensor, 'America/New_York'],
      ['2024-03-05', KOLKATA.quarterHourSensor, 'Asia/Kolkata'],
    ] as const) {
      for (const row of await dayRows(date, sensor))
        expect(localDateOfPeriodEnd(row.period_end_utc as string, zone)).toBe(date);
    }
  });

  it('cuts days right at +05:45 and across a 30-minute DST change (15-minute data)', async () => {
    await transformAndCommit(lake, '2024-04-05', '2024-04-08');
    for (const z of ODD_ZONES) {
      for (const date of ['2024-04-05', '2024-04-06', '2024-04-07', '2024-04-08']) {
        const rows = await dayRows(date, z.sensor);
        const { fromUtc, toUtc } = localDayWindowUtc(date, z.timezone);
        expect(rows.length, `${z.timezone} ${date}`).toBe((toUtc.getTime() - fromUtc.getTime()) / 900_000);
        expect(rows[0]?.period_end_utc).toBe(
          new Date(fromUtc.getTime() + 900_000).toISOString().replace('.000', ''),
        );
        for (const row of rows)
          expect(localDateOfPeriodEnd(row.period_end_utc as string, z.timezone)).toBe(date);
      }
    }
    // Lord Howe's 2024-04-07 is 24.5 hours long.
    expect(await dayRows('2024-04-07', 41)).toHaveLength(98);
  });
});
