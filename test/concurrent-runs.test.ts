// Three `aqlake run` processes and a backfill served by `aqlake serve`, at once on one home with retries 0: every
// SQLite transaction that may write takes the write lock first, so none fails on "database is locked".
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { RunStore } from '../src/orchestrator/index.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { addDays, todayIn } from '../src/time/local-day.js';
import { cliCommand, runCli } from './helpers/cli.js';

let sim: RunningSimulator;
let home: string;
let configFile: string;
let server: ChildProcess | undefined;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11 });
  home = mkdtempSync(join(tmpdir(), 'aqlake-concurrent-'));
  configFile = join(home, 'aqlake.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      home,
      api: { url: sim.url, key: 'simulator-key', rateLimit: { perMinute: 100_000, perHour: 1_000_000 } },
      archive: { url: `${sim.url.replace(/\/v3$/, '')}/no-archive`, lagDays: 60 },
      scope: { locations: [1001] },
      orchestrator: { retries: 0, parallelism: 2, retryDelaySeconds: 0, taskTimeoutSeconds: 300 },
    }),
  );
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
  }
  await sim?.close();
  rmSync(home, { recursive: true, force: true });
});

/** Starts `aqlake serve --port 0` and resolves with its URL. */
function serve(): Promise<string> {
  const { command, args } = cliCommand(['-c', configFile, 'serve', '--port', '0']);
  server = spawn(command, args, {
    env: { ...process.env, AQLAKE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    server!.stdout!.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server!.stderr!.on('data', (d) => (err += d));
    server!.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}

describe('concurrent runs on one home', () => {
  it('three runs and a served backfill all succeed with orchestrator.retries 0', async () => {
    const today = todayIn('UTC');
    const day = (n: number) => addDays(today, -n);
    const url = await serve();
    const runs = [
      [day(8), day(7)],
      [day(6), day(5)],
      [day(4), day(3)],
    ].map(([from, to]) =>
      runCli(['-c', configFile, 'run', '--from', from!, '--to', to!, '--source', 'api'], {
        timeoutMs: 300_000,
      }),
    );
    const started = await fetch(new URL('/api/backfill', url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: day(10), to: day(9) }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const results = await Promise.all(runs);
    for (const r of results) expect(r.stderr, r.stderr).not.toMatch(/locked/);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    let progress: { state: string; error: string | null } = { state: 'running', error: null };
    while (progress.state === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      progress = (await (await fetch(new URL(`/api/backfill/${id}`, url))).json()) as typeof progress;
    }
    expect(progress).toMatchObject({ state: 'success', error: null });
    const store = new RunStore(openMetaDb(home));
    try {
      const all = store.listRuns({});
      expect(all.map((r) => r.logicalDate).sort()).toEqual([10, 9, 8, 7, 6, 5, 4, 3].map(day));
      expect(all.filter((r) => r.state !== 'success').map((r) => `${r.runId} ${r.state}`)).toEqual([]);
    } finally {
      store.db.close();
    }
  }, 600_000);
});
