import { describe, expect, it } from 'vitest';
import { createDataset, findSensor } from './dataset.js';
import { dailyAggregatesFor } from './series.js';
import { latestMeasurement, measurementAt, measurementsFor } from './values.js';
import { localDateOf } from './zone-time.js';

const now = new Date('2025-01-15T12:34:00Z');
const dataset = createDataset({ seed: 42, now });
const sensor = (id: number) => findSensor(dataset, id)!;
const all = (id: number) => measurementsFor(sensor(id), new Date(0), now);

describe('dataset', () => {
  it('has 8 locations in 6 zones with stable ids, and pm25, pm10, o3 ppm, no2 µg/m³ and temperature sensors', () => {
    expect(dataset.locations.map((l) => l.id)).toEqual([1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008]);
    expect(new Set(dataset.locations.map((l) => l.timezone))).toEqual(
      new Set([
        'America/New_York',
        'America/Denver',
        'Asia/Kolkata',
        'Australia/Adelaide',
        'Europe/London',
        'Asia/Bangkok',
      ]),
    );
    const units = new Set(
      dataset.sensors.map((s) => `${s.parameter.id} ${s.parameter.name} ${s.parameter.units}`),
    );
    expect(units).toEqual(
      new Set(['1 pm10 µg/m³', '2 pm25 µg/m³', '10 o3 ppm', '5 no2 µg/m³', '100 temperature c']),
    );
    for (const l of dataset.locations) for (const s of l.sensors) expect(Math.floor(s.id / 10)).toBe(l.id);
    expect(dataset.sensors.filter((s) => s.intervalSeconds === 900).map((s) => s.id)).toEqual([10071, 10072]);
  });

  it('is the same for the same seed and different for another seed', () => {
    const again = createDataset({ seed: 42, now });
    const other = createDataset({ seed: 7, now });
    const window = [new Date('2024-07-01T00:00:00Z'), new Date('2024-07-08T00:00:00Z')] as const;
    const a = measurementsFor(sensor(10011), ...window);
    expect(measurementsFor(findSensor(again, 10011)!, ...window)).toEqual(a);
    expect(measurementsFor(findSensor(other, 10011)!, ...window)).not.toEqual(a);
  });
});

describe('measurements', () => {
  it('are on the sensor grid, ascending, inside (from, to]', () => {
    const from = new Date('2024-07-20T04:00:00Z');
    const to = new Date('2024-07-21T04:00:00Z');
    const ms = measurementsFor(sensor(10071), from, to);
    expect(ms.length).toBeGreaterThan(80);
    expect(ms.length).toBeLessThanOrEqual(96);
    for (const [i, m] of ms.entries()) {
      expect(m.periodEndMs % (15 * 60_000)).toBe(0);
      expect(m.periodEndMs).toBeGreaterThan(from.getTime());
      expect(m.periodEndMs).toBeLessThanOrEqual(to.getTime());
      if (i > 0) expect(m.periodEndMs).toBeGreaterThan(ms[i - 1]!.periodEndMs);
    }
    expect(ms.at(-1)!.periodEndMs).toBeLessThanOrEqual(to.getTime());
  });

  it('put Delhi hourly values on the local hour and Adelaide ones on :30 local', () => {
    const delhi = measurementsFor(
      sensor(10031),
      new Date('2024-07-20T00:00:00Z'),
      new Date('2024-07-21T00:00:00Z'),
    );
    expect(new Date(delhi[0]!.periodEndMs).getUTCMinutes()).toBe(30);
    const adelaide = measurementsFor(
      sensor(10041),
      new Date('2024-07-20T00:00:00Z'),
      new Date('2024-07-21T00:00:00Z'),
    );
    expect(new Date(adelaide[0]!.periodEndMs).getUTCMinutes()).toBe(0);
  });

  it('include gaps, missing whole days, small negatives, −999 sentinels and flags', () => {
    const pm = all(10011);
    const hoursInHistory = (now.getTime() - sensor(10011).firstPeriodEndMs) / 3_600_000;
    expect(pm.length).toBeLessThan(hoursInHistory * 0.97);
    expect(pm.some((m) => m.value === -999)).toBe(true);
    expect(pm.some((m) => m.value < 0 && m.value > -5)).toBe(true);
    expect(pm.some((m) => m.hasFlags)).toBe(true);
    const days = new Set(pm.map((m) => localDateOf('America/New_York', m.periodEndMs - 1000)));
    expect(days.size).toBeLessThan(Math.floor(hoursInHistory / 24) - 1);
    expect(all(10013).some((m) => m.value === -0.001)).toBe(true);
  });

  it('have realistic levels and a diurnal ozone cycle', () => {
    const pm = all(10031).filter((m) => m.value >= 0);
    const median = pm.map((m) => m.value).sort((a, b) => a - b)[Math.floor(pm.length / 2)]!;
    expect(median).toBeGreaterThan(40);
    expect(median).toBeLessThan(200);
    const o3 = all(10013).filter((m) => m.value > 0);
    const byLocalHour = (h: number) => {
      const vs = o3
        .filter((m) => new Date(m.periodEndMs - 4 * 3_600_000).getUTCHours() === h)
        .map((m) => m.value);
      return vs.reduce((a, b) => a + b, 0) / vs.length;
    };
    expect(byLocalHour(14)).toBeGreaterThan(byLocalHour(4) * 1.5);
  });

  it('sensor 10015 is complete: one value every hour of its history', () => {
    const t = all(10015);
    const s = sensor(10015);
    expect(t.length).toBe(
      (Math.floor(now.getTime() / 3_600_000) * 3_600_000 - s.firstPeriodEndMs) / 3_600_000 + 1,
    );
  });

  it('respect sensor lifetimes: 10081 starts 120 days back, 10083 stopped 20 days back', () => {
    const late = all(10081);
    expect(late[0]!.periodEndMs).toBeGreaterThanOrEqual(now.getTime() - 121 * 86_400_000);
    const stopped = latestMeasurement(sensor(10083), { now })!;
    expect(stopped.periodEndMs).toBeLessThanOrEqual(now.getTime() - 19 * 86_400_000);
    expect(measurementAt(sensor(10083), sensor(10083).lastPeriodEndMs! + 3_600_000)).toBeNull();
  });
});

describe('late and revised data', () => {
  const startedAt = new Date('2025-01-15T12:00:00Z');
  const late = { delayMs: 10 * 60_000, share: 0.3, startedAt };
  const window = [new Date('2025-01-14T00:00:00Z'), new Date('2025-01-15T12:00:00Z')] as const;

  it('hides a share of recent measurements and serves provisional values until the delay has passed', () => {
    const final = measurementsFor(sensor(10011), ...window, { now: startedAt });
    const early = measurementsFor(sensor(10011), ...window, { now: startedAt, late });
    const after = measurementsFor(sensor(10011), ...window, {
      now: new Date(startedAt.getTime() + 10 * 60_000),
      late,
    });
    expect(early.length).toBeLessThan(final.length);
    const earlyByEnd = new Map(early.map((m) => [m.periodEndMs, m.value]));
    const changed = final.filter(
      (m) => earlyByEnd.has(m.periodEndMs) && earlyByEnd.get(m.periodEndMs) !== m.value,
    );
    expect(changed.length).toBeGreaterThan(0);
    expect(after).toEqual(final);
  });

  it('leaves data older than two days before the start alone', () => {
    const old = [new Date('2025-01-01T00:00:00Z'), new Date('2025-01-13T11:00:00Z')] as const;
    expect(measurementsFor(sensor(10011), ...old, { now: startedAt, late })).toEqual(
      measurementsFor(sensor(10011), ...old),
    );
  });

  it('feeds the daily means', () => {
    const early = dailyAggregatesFor(sensor(10011), '2025-01-14', '2025-01-14', { now: startedAt, late });
    const final = dailyAggregatesFor(sensor(10011), '2025-01-14', '2025-01-14', { now: startedAt });
    expect(early[0]!.summary.avg).not.toBe(final[0]!.summary.avg);
  });
});
