import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { RunStore } from '../src/orchestrator/index.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { addDays, todayIn } from '../src/time/local-day.js';
import { runCli } from './helpers/cli.js';
import { closedPort } from './helpers/closed-port.js';
import { configuredHome } from './helpers/temp-dir.js';

let sim: RunningSimulator;
afterAll(async () => {
  await sim?.close();
});
beforeAll(async () => {
  sim = await startSimulator({ seed: 3, requireApiKey: 'the-right-key' });
});

function lake(api: Record<string, unknown>): { home: string; config: string } {
  return configuredHome('aqlake-api-faults-', {
    api: { rateLimit: { perMinute: 100_000, perHour: 1_000_000 }, ...api },
    archive: { url: 'http://127.0.0.1:9/no-archive', lagDays: 60 },
    scope: { locations: [1001] },
    orchestrator: { retries: 2, parallelism: 2, retryDelaySeconds: 0 },
  });
}

function runStates(home: string): { states: string[]; tries: number[] } {
  const store = new RunStore(openMetaDb(home));
  try {
    const runs = store.listRuns({});
    return {
      states: runs.map((r) => r.state),
      tries: runs.flatMap((r) => store.listTaskInstances(r.runId).map((t) => t.tryNumber)),
    };
  } finally {
    store.db.close();
  }
}

const days = () => {
  const today = todayIn('UTC');
  return { from: addDays(today, -6), to: addDays(today, -2) };
};

describe('API faults that stop the command', () => {
  it('a refused key (401) fails at once with "check OPENAQ_API_KEY", no task retried, no run left open', async () => {
    const { home, config } = lake({ url: sim.url, key: 'a-wrong-key' });
    const { from, to } = days();
    const r = await runCli(['-c', config, 'run', '--from', from, '--to', to, '--source', 'api']);
    expect(r.code).toBe(1);
    const last = r.stderr.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^aqlake: run stopped: OpenAQ 401 .*check OPENAQ_API_KEY/);
    expect(r.stderr).not.toContain('a-wrong-key');
    const { states, tries } = runStates(home);
    expect(states).toHaveLength(5);
    expect(states.filter((s) => s !== 'failed')).toEqual([]);
    expect(Math.max(...tries)).toBe(1);
  });

  it('an unreachable API host fails the command after one request’s retries, naming the host and OPENAQ_API_URL', async () => {
    const port = await closedPort();
    const { home, config } = lake({ url: `http://127.0.0.1:${port}/v3`, key: 'k', maxRetries: 2 });
    const { from, to } = days();
    const r = await runCli(['-c', config, 'run', '--from', from, '--to', to, '--source', 'api']);
    expect(r.code).toBe(1);
    const last = r.stderr.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(
      new RegExp(
        `^aqlake: run stopped: cannot reach the OpenAQ API at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*OPENAQ_API_URL`,
      ),
    );
    const { states, tries } = runStates(home);
    expect(states.filter((s) => s !== 'failed')).toEqual([]);
    expect(Math.max(...tries)).toBe(1);
  });

  it('a host name that does not resolve stops the command the same way, naming it', async () => {
    const { home, config } = lake({ url: 'http://api.openaq.invalid/v3', key: 'k', maxRetries: 1 });
    const { from, to } = days();
    const r = await runCli(['-c', config, 'run', '--from', from, '--to', to, '--source', 'api']);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(
      /^aqlake: run stopped: cannot reach the OpenAQ API at api\.openaq\.invalid \(.*(ENOTFOUND|EAI_AGAIN).*OPENAQ_API_URL \(now http:\/\/api\.openaq\.invalid\/v3\)/,
    );
    expect(runStates(home).states.filter((s) => s !== 'failed')).toEqual([]);
  });
});
