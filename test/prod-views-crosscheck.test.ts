// prod.daily_averages on real data: sensor 10017217's measurements against OpenAQ's own /days for the same days.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuerySession } from '../src/engines/duckdb/query-session.js';
import { currentObjectKey } from '../src/lake/keys.js';
import type { DailyRow } from './helpers/prod-rows.js';
import {
  type MeasurementRow,
  measurement,
  sessionOver,
  writeMeasurementsParquet,
} from './prod-views-support.js';

const FIXTURES = new URL('./fixtures/openaq/crosscheck-sensor-10017217/', import.meta.url);
const SENSOR = 10017217;
const LOCATION = 2966040;

interface V3Measurement {
  value: number;
  parameter: { id: number; name: string; units: string };
  period: { interval: string; datetimeTo: { utc: string } };
}

interface V3Day {
  parameter: { id: number };
  period: { datetimeFrom: { local: string } };
  summary: { avg: number; min: number; max: number; median: number };
  coverage: { observedCount: number };
}

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;
}

/** dev.measurements rows as the transform makes them from the v3 records (sensor and location from the request). */
function devRows(): MeasurementRow[] {
  const page = readJson<{ results: V3Measurement[] }>('reconstructed_measurements_page1_v3_shape.json');
  return page.results.map((r) =>
    measurement({
      location_id: LOCATION,
      sensor_id: SENSOR,
      parameter_id: r.parameter.id,
      parameter: r.parameter.name,
      units: r.parameter.units,
      value: r.value,
      period_end_utc: r.period.datetimeTo.utc.replace('T', ' ').replace('Z', ''),
      interval_seconds: 3600,
      timezone: 'America/Toronto',
    }),
  );
}

type Daily = Omit<DailyRow, 'sensor_id'>;

let home: string;
let session: QuerySession;
let daily: Map<string, Daily>;
let rowCount: number;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-crosscheck-'));
  const rows = devRows();
  rowCount = rows.length;
  // One Parquet file per local day, as the transform partitions dev.measurements.
  const byDay = new Map<string, MeasurementRow[]>();
  for (const r of rows) byDay.set(r.local_date!, [...(byDay.get(r.local_date!) ?? []), r]);
  const files: string[] = [];
  for (const [day, dayRows] of byDay) {
    const file = join(home, currentObjectKey('dev', 'measurements', day));
    await writeMeasurementsParquet(file, dayRows);
    files.push(file);
  }
  session = await sessionOver(files);
  const result = await session.run(
    `SELECT local_date::VARCHAR AS local_date, value_avg, value_min, value_max, value_median, hour_count, coverage_pct
     FROM prod.daily_averages WHERE sensor_id = $sensor ORDER BY local_date`,
    { sensor: SENSOR },
  );
  daily = new Map(result.map((r) => [r.local_date as string, r as unknown as Daily]));
});

afterAll(() => {
  session?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('prod.daily_averages against OpenAQ /v3/sensors/10017217/days', () => {
  it('reads all 1000 real measurements', async () => {
    expect(rowCount).toBe(1000);
    expect(await session.run('SELECT count(*) AS n FROM dev.measurements')).toEqual([{ n: 1000 }]);
  });

  it('equals summary.avg to 1e-9 and observedCount exactly, with min, max and median, on all 7 days', () => {
    const days = readJson<{ body: { results: V3Day[] } }>('api_days_limit7.json').body.results;
    expect(days).toHaveLength(7);
    for (const day of days) {
      const date = day.period.datetimeFrom.local.slice(0, 10);
      const ours = daily.get(date);
      expect(ours, `no prod.daily_averages row for ${date}`).toBeDefined();
      expect(Math.abs(ours!.value_avg - day.summary.avg), `value_avg on ${date}`).toBeLessThan(1e-9);
      expect(ours!.hour_count, `hour_count on ${date}`).toBe(day.coverage.observedCount);
      expect(Math.abs(ours!.value_min - day.summary.min)).toBeLessThan(1e-9);
      expect(Math.abs(ours!.value_max - day.summary.max)).toBeLessThan(1e-9);
      expect(Math.abs(ours!.value_median - day.summary.median), `median on ${date}`).toBeLessThan(1e-9);
      expect(ours!.coverage_pct).toBeCloseTo((100 * day.coverage.observedCount) / 24, 9);
    }
    // the first day is a partial one: 14 of 24 hours, as OpenAQ says
    expect(daily.get('2024-07-20')!.hour_count).toBe(14);
  });

  it('matches the independently derived aggregates of every local day in the page', () => {
    const [header, ...lines] = readFileSync(new URL('expected_daily_from_raw.csv', FIXTURES), 'utf8')
      .trim()
      .split('\n');
    const col = (name: string) => header!.split(',').indexOf(name);
    expect(lines).toHaveLength(44);
    // The page's first row ends 2024-07-20T15:00Z and its last 2024-09-01T15:00Z: 44 local days, no more.
    expect([...daily.keys()]).toHaveLength(44);
    for (const line of lines) {
      const f = line.split(',');
      const date = f[col('date_local')]!;
      const ours = daily.get(date);
      expect(ours, `no row for ${date}`).toBeDefined();
      expect(ours!.hour_count, `hours on ${date}`).toBe(Number(f[col('n_hours')]));
      expect(Math.abs(ours!.value_avg - Number(f[col('mean')])), `mean on ${date}`).toBeLessThan(1e-9);
      expect(Math.abs(ours!.value_min - Number(f[col('min')]))).toBeLessThan(1e-9);
      expect(Math.abs(ours!.value_max - Number(f[col('max')]))).toBeLessThan(1e-9);
      expect(Math.abs(ours!.value_median - Number(f[col('median')])), `median on ${date}`).toBeLessThan(1e-9);
    }
  });
});
