import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { RunStore } from '../src/orchestrator/index.js';
import { aqlake } from './orchestrator-process.js';

// Every spawn starts a TypeScript CLI process, so each test keeps to the few calls that prove its point.
const SECRET = 'sk-test-0123456789abcdef';
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-orch-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function withStore<T>(fn: (store: RunStore) => T): T {
  const store = new RunStore(openMetaDb(home));
  try {
    return fn(store);
  } finally {
    store.db.close();
  }
}

describe('aqlake trigger / logs', () => {
  it('a task failing twice then succeeding with retries=2 ends success on try 3, and each try’s log is readable', () => {
    const run = aqlake(home, ['trigger', '--dag', 'flaky_dag', '--date', '2024-03-01'], {
      OPENAQ_API_KEY: SECRET,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('flaky_dag__2024-03-01: success');
    withStore((store) => {
      expect(store.getRun('flaky_dag__2024-03-01')!.state).toBe('success');
      expect(store.getTaskInstance('flaky_dag__2024-03-01', 'flaky')).toMatchObject({
        state: 'success',
        tryNumber: 3,
      });
      expect(store.listTaskTries('flaky_dag__2024-03-01', 'flaky').map((t) => t.state)).toEqual([
        'failed',
        'failed',
        'success',
      ]);
    });

    const first = aqlake(home, ['logs', 'flaky_dag__2024-03-01', 'flaky', '--try', '1']);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('try 1: failed (upstream flaked on try 1)');
    expect(first.stdout).toContain('attempt 1 with key [redacted]');
    expect(first.stdout).toMatch(/ERROR +try 1 failed, retry at/);
    expect(first.stdout).toContain('Error: upstream flaked on try 1'); // the stack

    const second = aqlake(home, ['logs', 'flaky_dag__2024-03-01', 'flaky', '--try', '2', '--json']);
    expect(second.status).toBe(0);
    const lines = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { try: number; msg: string; apiKey?: string });
    expect(lines.every((l) => l.try === 2)).toBe(true);
    expect(lines.map((l) => l.msg)).toContain('attempt 2 with key [redacted]');
    expect(lines.find((l) => l.apiKey)?.apiKey).toBe('[redacted]');

    const latest = aqlake(home, ['logs', 'flaky_dag__2024-03-01', 'flaky']);
    expect(latest.status).toBe(0);
    expect(latest.stdout).toContain('try 3: success');
    expect(latest.stdout).toContain('got the data');

    for (const n of [1, 2, 3]) {
      const file = join(home, '_logs/flaky_dag/flaky_dag__2024-03-01/flaky', `try-${n}.log`);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(`attempt ${n}`);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('never-printed');
    }
  });

  it('triggering the same date again clears and reruns the one run of that day', () => {
    const again = aqlake(home, ['trigger', '--dag', 'flaky_dag', '--date', '2024-03-01', '--json']);
    expect(again.status).toBe(0);
    // The run is cleared, not duplicated: try numbers go on (the task passes from try 3 on).
    const result = JSON.parse(again.stdout) as {
      action: string;
      state: string;
      tasks: { tryNumber: number }[];
    };
    expect(result).toMatchObject({ action: 'rerun', state: 'success', tasks: [{ tryNumber: 4 }] });
    withStore((store) => {
      expect(store.listRuns({ dagId: 'flaky_dag' }).map((r) => [r.runId, r.runType])).toEqual([
        ['flaky_dag__2024-03-01', 'manual'],
      ]);
    });
  });

  it('answers bad input with one line and a non-zero exit', () => {
    const noRun = aqlake(home, ['logs', 'nope__2024-01-01', 'x']);
    expect(noRun.status).toBe(2);
    expect(noRun.stderr).toBe('aqlake: no run "nope__2024-01-01" (see aqlake runs)\n');

    const badDag = aqlake(home, ['trigger', '--dag', 'nope']);
    expect(badDag.status).toBe(2);
    expect(badDag.stderr).toMatch(/^aqlake: unknown DAG "nope" \(known: .*slow_dag.*\)\n$/);
  });

  it('backfill --dry-run prints the plan without creating runs', () => {
    const plan = aqlake(home, [
      'backfill',
      '--dag',
      'slow_dag',
      '--from',
      '2024-02-01',
      '--to',
      '2024-02-03',
      '--dry-run',
      '--json',
    ]);
    expect(plan.status).toBe(0);
    const parsed = JSON.parse(plan.stdout) as { toRun: string[]; items: { action: string }[] };
    expect(parsed.toRun).toEqual(['2024-02-01', '2024-02-02', '2024-02-03']);
    expect(parsed.items.map((i) => i.action)).toEqual(['create', 'create', 'create']);
    withStore((store) => expect(store.listRuns({ dagId: 'slow_dag' })).toEqual([]));
  });
});
