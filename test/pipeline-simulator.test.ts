import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPartitions } from '../src/lake/catalog/index.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';
import type { DailyRow } from './helpers/prod-rows.js';
import { tempDir } from './helpers/temp-dir.js';

interface OpenAQDay {
  period: { datetimeFrom: { local: string } };
  summary: { avg: number; min: number; max: number; median: number };
  coverage: { observedCount: number };
}

// New York falls back on 2024-11-03 (25 hours); Delhi is +05:30; Adelaide is on summer time; Mumbai logs every 15 min.
const LOCATIONS = '1001,1003,1004,1007';
const SENSORS = [10011, 10013, 10015, 10031, 10033, 10041, 10043, 10071, 10072];

describe('aqlake run on the simulator', () => {
  let clock = new Date('2024-11-06T12:00:00Z');
  let sim: RunningSimulator;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 7,
      now: () => clock,
      lateData: { delayMs: 6 * 3600_000, share: 0.3 },
    });
    home = tempDir('aqlake-pipeline-');
    env = { AQLAKE_HOME: home, OPENAQ_API_URL: sim.url };
    const first = await runCli(
      ['run', '--from', '2024-10-30', '--to', '2024-11-05', '--locations', LOCATIONS, '--source', 'api'],
      { env },
    );
    expect(first.code, first.stderr).toBe(0);
    // A day later the late values have arrived and some values were revised; re-running overlapping days
    // fetches the same periods again (duplicates) with the new values.
    clock = new Date('2024-11-07T12:00:00Z');
    const second = await runCli(
      ['run', '--from', '2024-11-03', '--to', '2024-11-05', '--locations', LOCATIONS, '--source', 'api'],
      { env },
    );
    expect(second.code, second.stderr).toBe(0);
  }, 300_000);
  afterAll(() => sim?.close());

  async function query<T>(sql: string): Promise<T[]> {
    const out = await runCli(['query', '--format', 'json', sql], { env });
    expect(out.code, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as T[];
  }

  async function openaqDays(sensorId: number, from: string, to: string): Promise<Map<string, OpenAQDay>> {
    const res = await fetch(`${sim.url}/sensors/${sensorId}/days?date_from=${from}&date_to=${to}&limit=1000`);
    const body = (await res.json()) as { results: OpenAQDay[] };
    return new Map(body.results.map((d) => [d.period.datetimeFrom.local.slice(0, 10), d]));
  }

  it('prod.daily_averages equals the simulator /days for every sensor and day', async () => {
    const ours = await query<DailyRow>(
      `SELECT sensor_id, CAST(local_date AS VARCHAR) AS local_date, value_avg, value_min, value_max, value_median, hour_count, coverage_pct
       FROM prod.daily_averages WHERE local_date BETWEEN DATE '2024-10-30' AND DATE '2024-11-05' ORDER BY sensor_id, local_date`,
    );
    let compared = 0;
    for (const sensorId of SENSORS) {
      const theirs = await openaqDays(sensorId, '2024-10-30', '2024-11-06');
      theirs.delete('2024-11-06');
      const mine = ours.filter((r) => r.sensor_id === sensorId);
      expect(mine.map((r) => r.local_date).sort(), `days of sensor ${sensorId}`).toEqual(
        [...theirs.keys()].sort(),
      );
      for (const row of mine) {
        const day = theirs.get(row.local_date)!;
        expect(Math.abs(row.value_avg - day.summary.avg), `${sensorId} ${row.local_date} avg`).toBeLessThan(
          1e-9,
        );
        expect(row.hour_count, `${sensorId} ${row.local_date} hours`).toBe(day.coverage.observedCount);
        expect(row.value_min).toBeCloseTo(day.summary.min, 9);
        expect(row.value_max).toBeCloseTo(day.summary.max, 9);
        expect(row.value_median).toBeCloseTo(day.summary.median, 9);
        expect(row.coverage_pct).toBeCloseTo((100 * row.hour_count) / 24, 9);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('counts 25 hours on the day New York falls back, for a sensor without gaps', async () => {
    const [row] = await query<DailyRow>(
      `SELECT hour_count FROM prod.daily_averages WHERE sensor_id = 10015 AND local_date = DATE '2024-11-03'`,
    );
    expect(row?.hour_count).toBe(25);
  });

  it('keeps one row per sensor and period end after overlapping fetches, with the revised values', async () => {
    const [counts] = await query<{ rows: number; keys: number }>(
      'SELECT count(*) AS rows, count(DISTINCT (sensor_id, period_end_utc)) AS keys FROM dev.measurements',
    );
    expect(counts!.rows).toBe(counts!.keys);
    const meta = openMetaDb(home);
    const partitions = listPartitions(meta, 'measurements');
    meta.close();
    const overlapped = partitions.filter((p) => p.localDate! >= '2024-11-03');
    expect(overlapped.length).toBeGreaterThan(0);
    for (const p of overlapped) {
      expect(p.duplicatesDropped, p.localDate!).toBeGreaterThan(0);
      expect(p.rawRows).toBe(p.rows + (p.quarantinedRows ?? 0) + (p.duplicatesDropped ?? 0));
    }
  });
});

describe('aqlake run on a spring-forward day, from the archive', () => {
  it('counts 23 hours on the day New York springs forward', { timeout: 180_000 }, async () => {
    const sim = await startSimulator({ seed: 7, now: () => new Date('2024-03-15T00:00:00Z') });
    try {
      const home = tempDir('aqlake-dst-');
      // Days past the archive lag: the default source choice reads them from the (simulated) archive.
      const env = { AQLAKE_HOME: home, OPENAQ_API_URL: sim.url, OPENAQ_ARCHIVE_URL: sim.archiveUrl };
      const run = await runCli(['run', '--from', '2024-03-09', '--to', '2024-03-11', '--locations', '1001'], {
        env,
      });
      expect(run.code, run.stderr).toBe(0);
      const out = await runCli(
        [
          'query',
          '--format',
          'json',
          'SELECT CAST(local_date AS VARCHAR) AS d, hour_count FROM prod.daily_averages WHERE sensor_id = 10015 ORDER BY d',
        ],
        { env },
      );
      expect(JSON.parse(out.stdout)).toEqual([
        { d: '2024-03-09', hour_count: 24 },
        { d: '2024-03-10', hour_count: 23 },
        { d: '2024-03-11', hour_count: 24 },
      ]);
    } finally {
      await sim.close();
    }
  });
});
