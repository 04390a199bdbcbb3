import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { addDays, todayIn } from '../src/time/local-day.js';
import { runCli } from './helpers/cli.js';
import { closedPort } from './helpers/closed-port.js';
import { configuredHome } from './helpers/temp-dir.js';

let sim: RunningSimulator;
let failing: Server;

beforeAll(async () => {
  sim = await startSimulator({ seed: 9 });
  failing = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('SlowDown');
  });
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await sim?.close();
  await new Promise((r) => failing.close(r));
});

interface Daily {
  sensor_id: number;
  local_date: string;
  value_avg: number;
  hour_count: number;
}

async function runWithArchive(archiveUrl: string) {
  const { config } = configuredHome('aqlake-archive-fallback-', {
    api: { url: sim.url, key: 'k', maxRetries: 2, rateLimit: { perMinute: 100_000, perHour: 1_000_000 } },
    scope: { locations: [1001] },
    orchestrator: { retries: 0 },
  });
  const today = todayIn('UTC');
  const from = addDays(today, -20);
  const to = addDays(today, -18);
  const run = await runCli(['-c', config, 'run', '--from', from, '--to', to], {
    env: { OPENAQ_ARCHIVE_URL: archiveUrl },
    timeoutMs: 180_000,
  });
  const out = await runCli(
    [
      '-c',
      config,
      'query',
      '--format',
      'json',
      `SELECT sensor_id, CAST(local_date AS VARCHAR) AS local_date, value_avg, hour_count FROM prod.daily_averages ORDER BY sensor_id, local_date`,
    ],
    {},
  );
  return { run, rows: JSON.parse(out.stdout || '[]') as Daily[], from, to };
}

async function openaqDays(sensorId: number, from: string, to: string) {
  const res = await fetch(
    `${sim.url}/sensors/${sensorId}/days?date_from=${from}&date_to=${addDays(to, 1)}&limit=100`,
  );
  const body = (await res.json()) as {
    results: { period: { datetimeFrom: { local: string } }; summary: { avg: number } }[];
  };
  return new Map(body.results.map((d) => [d.period.datetimeFrom.local.slice(0, 10), d.summary.avg]));
}

describe('--source auto with the archive unreachable', () => {
  it.each([
    ['a closed port', async () => `http://127.0.0.1:${await closedPort()}`],
    ['503 after retries', async () => `http://127.0.0.1:${(failing.address() as { port: number }).port}`],
  ])(
    'with %s, fetches the old days from the API with one warning line',
    async (_name, url) => {
      const { run, rows, from, to } = await runWithArchive(await url());
      expect(run.code, run.stderr).toBe(0);
      const warnings = run.stderr.split('\n').filter((l) => /archive cannot be reached/.test(l));
      expect(warnings).toHaveLength(1);
      expect(rows.length).toBeGreaterThan(0);
      const sensors = [...new Set(rows.map((r) => r.sensor_id))];
      for (const sensorId of sensors) {
        const theirs = await openaqDays(sensorId, from, to);
        for (const row of rows.filter((r) => r.sensor_id === sensorId)) {
          expect(theirs.has(row.local_date), `${sensorId} ${row.local_date}`).toBe(true);
          expect(Math.abs(row.value_avg - theirs.get(row.local_date)!)).toBeLessThan(1e-9);
        }
      }
      expect(new Set(rows.map((r) => r.local_date))).toEqual(new Set([from, addDays(from, 1), to]));
    },
    240_000,
  );
});
