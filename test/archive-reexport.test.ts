import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRawObjects } from '../src/lake/manifest.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const BACKFILL = [
  'backfill',
  '--from',
  '2024-11-16',
  '--to',
  '2024-11-19',
  '--locations',
  '1001',
  '--source',
  'archive',
];

describe('backfill after the archive re-exported a day', () => {
  let clock = new Date('2024-11-20T12:00:00Z');
  let sim: RunningSimulator;
  let env: NodeJS.ProcessEnv;
  let home: string;
  let second: Awaited<ReturnType<typeof runCli>>;
  let objectsAfterFirst: Map<string, number>;

  beforeAll(async () => {
    // Half of the values of the last two days arrive six hours late; the archive re-exports those days then.
    sim = await startSimulator({
      seed: 5,
      now: () => clock,
      lateData: { delayMs: 6 * 3600_000, share: 0.5 },
    });
    home = tempDir('aqlake-reexport-');
    env = { AQLAKE_HOME: home, OPENAQ_API_URL: sim.url, OPENAQ_ARCHIVE_URL: sim.archiveUrl };
    const first = await runCli(BACKFILL, { env });
    expect(first.code, first.stderr).toBe(0);
    objectsAfterFirst = archiveObjectsPerDay(home);
    clock = new Date('2024-11-21T12:00:00Z');
    second = await runCli(BACKFILL, { env });
  }, 300_000);
  afterAll(() => sim?.close());

  it('reruns exactly the re-exported days and fetches only their new files', () => {
    expect(second.code, second.stderr).toBe(0);
    const after = archiveObjectsPerDay(home);
    const changed = [...after]
      .filter(([day, n]) => n > (objectsAfterFirst.get(day) ?? 0))
      .map(([day]) => day);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(after.size);
    for (const day of changed) expect(after.get(day)).toBe((objectsAfterFirst.get(day) ?? 0) + 1);
    expect(second.stderr).toContain(`running them again: ${changed.join(', ')}`);
    expect(second.stdout).toContain(`${changed.length} succeeded`);
  });

  it('publishes the re-exported values: daily averages equal the simulator /days now', async () => {
    const out = await runCli(
      [
        'query',
        '--format',
        'json',
        'SELECT CAST(local_date AS VARCHAR) AS d, value_avg, hour_count FROM prod.daily_averages WHERE sensor_id = 10011 ORDER BY d',
      ],
      { env },
    );
    expect(out.code, out.stderr).toBe(0);
    const ours = JSON.parse(out.stdout) as { d: string; value_avg: number; hour_count: number }[];
    const res = await fetch(`${sim.url}/sensors/10011/days?date_from=2024-11-16&date_to=2024-11-20`);
    const days = (
      (await res.json()) as {
        results: {
          period: { datetimeFrom: { local: string } };
          summary: { avg: number };
          coverage: { observedCount: number };
        }[];
      }
    ).results;
    const theirs = new Map(days.map((d) => [d.period.datetimeFrom.local.slice(0, 10), d]));
    const compared = ours.filter((r) => r.d >= '2024-11-16' && r.d <= '2024-11-19');
    expect(compared.length).toBeGreaterThan(0);
    for (const row of compared) {
      const day = theirs.get(row.d)!;
      expect(Math.abs(row.value_avg - day.summary.avg), row.d).toBeLessThan(1e-9);
      expect(row.hour_count, row.d).toBe(day.coverage.observedCount);
    }
  });
});

function archiveObjectsPerDay(home: string): Map<string, number> {
  const meta = openMetaDb(home);
  try {
    const perDay = new Map<string, number>();
    for (const o of findRawObjects(meta, { endpoint: 'archive_csv' })) {
      const day = /location-\d+-(\d{4})(\d{2})(\d{2})\./.exec(o.rawKey);
      if (day)
        perDay.set(`${day[1]}-${day[2]}-${day[3]}`, (perDay.get(`${day[1]}-${day[2]}-${day[3]}`) ?? 0) + 1);
    }
    return perDay;
  } finally {
    meta.close();
  }
}
