// A damaged (truncated) Parquet file in dev/ fails only its partition's checks and the queries that read its day,
// naming the file and the command that rebuilds it; other days and the prod views of other days still answer.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTableFiles } from '../src/lake/catalog/index.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { addDays, todayIn } from '../src/time/local-day.js';
import { runCli } from './helpers/cli.js';

let sim: RunningSimulator;
let home: string;
let env: NodeJS.ProcessEnv;
let good: string;
let bad: string;
let badKey: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5 });
  home = mkdtempSync(join(tmpdir(), 'aqlake-corrupt-'));
  writeFileSync(
    join(home, 'aqlake.config.json'),
    JSON.stringify({
      home,
      api: { url: sim.url, key: 'k', rateLimit: { perMinute: 100_000, perHour: 1_000_000 } },
      archive: { url: `${sim.url.replace(/\/v3$/, '')}/no-archive`, lagDays: 60 },
      scope: { locations: [1001] },
      orchestrator: { retries: 0 },
    }),
  );
  env = { AQLAKE_HOME: home };
  const today = todayIn('UTC');
  good = addDays(today, -4);
  bad = addDays(today, -3);
  const r = await runCli([
    '-c',
    join(home, 'aqlake.config.json'),
    'run',
    '--from',
    good,
    '--to',
    bad,
    '--source',
    'api',
  ]);
  expect(r.code, r.stderr).toBe(0);
  const meta = openMetaDb(home);
  try {
    // The day's current version object (aqlake's readers read it; on disk the tree's key is a link to the same file).
    badKey = listTableFiles(meta, 'measurements').find((f) => f.localDate === bad)!.key;
  } finally {
    meta.close();
  }
  const path = join(home, badKey);
  writeFileSync(path, readFileSync(path).subarray(0, 200));
}, 300_000);

afterAll(async () => {
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

const query = (sql: string) => runCli(['query', '--format', 'json', sql], { env });

describe('a truncated dev Parquet file', () => {
  it('leaves the other days of the table readable', async () => {
    const other = await query(
      `SELECT count(*) AS n, count(DISTINCT local_date) AS days FROM dev.measurements WHERE local_date = DATE '${good}'`,
    );
    expect(other.stderr).toBe('');
    expect(JSON.parse(other.stdout)[0]).toMatchObject({ days: 1 });
    expect(JSON.parse(other.stdout)[0].n).toBeGreaterThan(0);
  });

  it('fails a query that reads its day, naming the file and the repairing command', async () => {
    for (const sql of [
      'SELECT count(*) FROM dev.measurements',
      `SELECT count(*) FROM dev.measurements WHERE local_date = DATE '${bad}'`,
    ]) {
      const r = await query(sql);
      expect(r.code, sql).toBe(1);
      expect(r.stderr).toContain(badKey);
      expect(r.stderr).toContain(`aqlake run --from ${bad} --to ${bad}`);
    }
  });

  it('leaves the day’s prod rows readable: they were materialised from the file before it was damaged', async () => {
    const r = await query(`SELECT count(*) AS n FROM prod.daily_averages WHERE local_date = DATE '${bad}'`);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)[0].n).toBeGreaterThan(0);
  });

  it('fails only its partition’s checks', async () => {
    const ok = await runCli(['check', '--date', good, '--json'], { env });
    expect(ok.code, ok.stderr).toBe(0);
    const r = await runCli(['check', '--date', bad, '--json'], { env });
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { status: string; message: string | null }[];
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter((x) => x.status === 'fail').length).toBeGreaterThan(0);
    expect(results.find((x) => x.status === 'fail')!.message).toContain(badKey);
  });
});
