import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aqlake } from './orchestrator-process.js';

const SECRET = 'sk-test-0123456789abcdef';
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-orch-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('aqlake trigger / tasks / logs', () => {
  it('a task failing twice then succeeding with retries=2 ends success on try 3, and each try’s log is readable', () => {
    const run = aqlake(home, ['trigger', '--dag', 'flaky_dag', '--date', '2024-03-01'], {
      OPENAQ_API_KEY: SECRET,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('flaky_dag__2024-03-01: success');

    const tasks = aqlake(home, ['tasks', 'flaky_dag__2024-03-01', '--json']);
    expect(tasks.status).toBe(0);
    const detail = JSON.parse(tasks.stdout) as {
      run: { state: string };
      tasks: {
        taskId: string;
        state: string;
        tryNumber: number;
        tries: { state: string; error: string | null }[];
      }[];
    };
    expect(detail.run.state).toBe('success');
    expect(detail.tasks[0]).toMatchObject({ taskId: 'flaky', state: 'success', tryNumber: 3 });
    expect(detail.tasks[0]!.tries.map((t) => t.state)).toEqual(['failed', 'failed', 'success']);

    for (const n of [1, 2]) {
      const log = aqlake(home, ['logs', 'flaky_dag__2024-03-01', 'flaky', '--try', String(n)]);
      expect(log.status).toBe(0);
      expect(log.stdout).toContain(`try ${n}: failed (upstream flaked on try ${n})`);
      expect(log.stdout).toContain(`attempt ${n} with key [redacted]`);
      expect(log.stdout).toMatch(new RegExp(`ERROR +try ${n} failed, retry at`));
      expect(log.stdout).toContain(`Error: upstream flaked on try ${n}`); // the stack
    }
    const latest = aqlake(home, ['logs', 'flaky_dag__2024-03-01', 'flaky']);
    expect(latest.status).toBe(0);
    expect(latest.stdout).toContain('try 3: success');
    expect(latest.stdout).toContain('got the data');

    const raw = aqlake(home, ['logs', 'flaky_dag__2024-03-01', 'flaky', '--all', '--json']);
    const lines = raw.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { try: number; msg: string });
    expect(new Set(lines.map((l) => l.try))).toEqual(new Set([1, 2, 3]));
    expect(raw.stdout).not.toContain(SECRET);
    expect(raw.stdout).not.toContain('never-printed');
    const files = [1, 2, 3].map((n) =>
      readFileSync(join(home, '_logs/flaky_dag/flaky_dag__2024-03-01/flaky', `try-${n}.log`), 'utf8'),
    );
    for (const text of files) expect(text).not.toContain(SECRET);
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

    const runs = aqlake(home, ['runs', '--dag', 'flaky_dag', '--json']);
    const list = JSON.parse(runs.stdout) as { runId: string; runType: string }[];
    expect(list.map((r) => r.runId)).toEqual(['flaky_dag__2024-03-01']);
  });

  it('answers bad input with one line and a non-zero exit', () => {
    const noRun = aqlake(home, ['logs', 'nope__2024-01-01', 'x']);
    expect(noRun.status).toBe(2);
    expect(noRun.stderr.trim()).toBe('aqlake: no run "nope__2024-01-01" (see aqlake runs)');

    const noTry = aqlake(home, ['logs', 'flaky_dag__2024-03-01', 'flaky', '--try', '9']);
    expect(noTry.status).toBe(2);
    expect(noTry.stderr.trim().split('\n')).toHaveLength(1);

    const badDag = aqlake(home, ['trigger', '--dag', 'nope']);
    expect(badDag.status).toBe(2);
    expect(badDag.stderr.trim()).toMatch(/^aqlake: unknown DAG "nope" \(known: .*slow_dag.*\)$/);

    const badRange = aqlake(home, ['backfill', '--from', '2024-02-02', '--to', '2024-02-01']);
    expect(badRange.status).toBe(2);
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
    const runs = JSON.parse(aqlake(home, ['runs', '--dag', 'slow_dag', '--json']).stdout) as unknown[];
    expect(runs).toEqual([]);
  });
});
