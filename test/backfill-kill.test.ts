// Issue 4's acceptance check on the real openaq_daily pipeline: a 14-day backfill killed with SIGKILL mid-way and run
// again leaves the same prod.daily_averages as an uninterrupted backfill of the same days, with no duplicate rows.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaDbPath } from '../src/lake/meta/meta-db.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { cliCommand, runCli } from './helpers/cli.js';
import type { DailyRow } from './helpers/prod-rows.js';

const FROM = '2024-10-01';
const TO = '2024-10-14';
const DAYS = 14;
const BACKFILL = [
  'backfill',
  '--from',
  FROM,
  '--to',
  TO,
  '--locations',
  '1001,1003',
  '--source',
  'api',
  '--parallel',
  '2',
];

/** The run store's state counts, read without migrating or locking what the child writes; undefined before it exists. */
function runStates(home: string): Record<string, number> | undefined {
  if (!existsSync(metaDbPath(home))) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(metaDbPath(home), { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    const rows = db.prepare('SELECT state, count(*) AS n FROM dag_runs GROUP BY state').all() as {
      state: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } catch {
    return undefined; // the child has not created its tables yet
  } finally {
    db?.close();
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

describe('a real backfill killed with SIGKILL mid-way', () => {
  let sim: RunningSimulator;
  const homes: string[] = [];
  let killedHome: string;
  let cleanHome: string;
  const envOf = (home: string): NodeJS.ProcessEnv => ({ AQLAKE_HOME: home, OPENAQ_API_URL: sim.url });

  beforeAll(async () => {
    sim = await startSimulator({ seed: 11, now: () => new Date('2024-11-20T12:00:00Z') });
    killedHome = mkdtempSync(join(tmpdir(), 'aqlake-kill-'));
    cleanHome = mkdtempSync(join(tmpdir(), 'aqlake-clean-'));
    homes.push(killedHome, cleanHome);
  });
  afterAll(async () => {
    await sim?.close();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  async function query<T>(home: string, sql: string): Promise<T[]> {
    const out = await runCli(['query', '--format', 'json', sql], { env: envOf(home) });
    expect(out.code, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as T[];
  }

  async function assertLakeSound(home: string): Promise<void> {
    const [daily] = await query<{ n: number; d: number }>(
      home,
      'SELECT count(*) AS n, count(DISTINCT (sensor_id, local_date)) AS d FROM prod.daily_averages',
    );
    expect(Number(daily!.n)).toBeGreaterThan(0);
    expect(Number(daily!.n)).toBe(Number(daily!.d));
    const [dev] = await query<{ n: number; d: number }>(
      home,
      'SELECT count(*) AS n, count(DISTINCT (sensor_id, period_end_utc)) AS d FROM dev.measurements',
    );
    expect(Number(dev!.n)).toBeGreaterThan(0);
    expect(Number(dev!.n)).toBe(Number(dev!.d));
    const states = runStates(home)!;
    expect(states).toEqual({ success: DAYS });
    const db = new Database(metaDbPath(home), { readonly: true });
    try {
      const ti = db
        .prepare("SELECT count(*) AS n FROM task_instances WHERE state NOT IN ('success', 'skipped')")
        .get() as { n: number };
      expect(ti.n).toBe(0);
      const held = db.prepare('SELECT count(*) AS n FROM dag_runs WHERE owner_id IS NOT NULL').get() as {
        n: number;
      };
      expect(held.n).toBe(0);
    } finally {
      db.close();
    }
  }

  it('run again, it finishes and prod.daily_averages equals an uninterrupted backfill, without duplicates', async () => {
    // 1. Start the backfill and kill it once some days succeeded but not all.
    const { command, args } = cliCommand(BACKFILL);
    const child = spawn(command, args, {
      env: { ...process.env, AQLAKE_LOG_LEVEL: 'warn', ...envOf(killedHome) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout!.resume();
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const until = Date.now() + 90_000;
    let seen: Record<string, number> | undefined;
    for (;;) {
      seen = runStates(killedHome);
      if ((seen?.success ?? 0) >= 3) break;
      if (child.exitCode !== null) throw new Error(`backfill ended before it was killed: ${stderr}`);
      if (Date.now() > until)
        throw new Error(`timed out waiting for 3 successful days: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect((await exited(child)).signal).toBe('SIGKILL');
    const atKill = runStates(killedHome)!;
    expect(atKill.success ?? 0).toBeGreaterThanOrEqual(3);
    expect(atKill.success ?? 0).toBeLessThan(DAYS);

    // 2. The same command again completes; 3. an uninterrupted backfill into a second lake.
    const again = await runCli(BACKFILL, { env: envOf(killedHome), timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    // The days done before the kill are not run again; the interrupted ones are resumed.
    expect(again.stdout).toContain(`${atKill.success} skipped (already done)`);
    const clean = await runCli(BACKFILL, { env: envOf(cleanHome), timeoutMs: 120_000 });
    expect(clean.code, clean.stderr).toBe(0);

    await assertLakeSound(killedHome);
    await assertLakeSound(cleanHome);

    // value_avg to 1e-9: DuckDB sums in parallel, so the last bit of a mean can differ between two identical lakes.
    const sql = `SELECT sensor_id, CAST(local_date AS VARCHAR) AS local_date, round(value_avg, 9) AS value_avg, value_min, value_max,
          value_median, hour_count, coverage_pct FROM prod.daily_averages ORDER BY sensor_id, local_date`;
    const resumed = await query<DailyRow>(killedHome, sql);
    const uninterrupted = await query<DailyRow>(cleanHome, sql);
    // Two locations' sensors over 14 days (plus the edges the local days of other zones touch).
    expect(uninterrupted.length).toBeGreaterThanOrEqual(2 * DAYS);
    const dates = new Set(uninterrupted.map((r) => r.local_date));
    for (let d = 1; d <= DAYS; d++) expect(dates).toContain(`2024-10-${String(d).padStart(2, '0')}`);
    expect(resumed).toEqual(uninterrupted);
  }, 300_000);
});
