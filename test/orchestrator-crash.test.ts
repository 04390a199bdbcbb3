import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metaDbPath, openMetaDb } from '../src/lake/meta/meta-db.js';
import { RunStore } from '../src/orchestrator/index.js';
import { aqlake, exited, startAqlake, waitFor } from './orchestrator-process.js';

let home: string;
let store: RunStore | undefined;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-orch-crash-'));
});
afterEach(() => {
  store?.db.close();
  store = undefined;
  rmSync(home, { recursive: true, force: true });
});

/** The run store the child writes, opened once the child has created the database. */
function storeOf(): RunStore | undefined {
  if (!store && existsSync(metaDbPath(home))) store = new RunStore(openMetaDb(home));
  return store;
}

function count(sql: string): number {
  return (storeOf()!.db.prepare(sql).get() as { n: number }).n;
}

const backfill = (from: string, to: string, ...more: string[]) => [
  'backfill',
  '--dag',
  'slow_dag',
  '--from',
  from,
  '--to',
  to,
  ...more,
];

describe('crash safety', () => {
  it('a backfill killed with SIGKILL mid-way completes when run again, without duplicate runs or tasks', async () => {
    const child = startAqlake(home, backfill('2024-01-01', '2024-01-08', '--parallel', '2'), {
      AQLAKE_TEST_TASK_MS: '150',
    });
    await waitFor(
      () =>
        storeOf() !== undefined &&
        count("SELECT count(*) n FROM dag_runs WHERE state = 'success'") >= 2 &&
        count("SELECT count(*) n FROM task_instances WHERE state = 'running'") >= 1,
      'two days done and a task running',
    );
    child.kill('SIGKILL');
    expect((await exited(child)).signal).toBe('SIGKILL');

    // What the killed process left behind: runs held and tries "running" that no process runs.
    expect(count("SELECT count(*) n FROM task_instances WHERE state = 'running'")).toBeGreaterThanOrEqual(1);
    expect(count("SELECT count(*) n FROM dag_runs WHERE state = 'success'")).toBeLessThan(8);
    const doneBefore = count("SELECT count(*) n FROM dag_runs WHERE state = 'success'");

    const again = aqlake(home, backfill('2024-01-01', '2024-01-08', '--parallel', '2'), {
      AQLAKE_TEST_TASK_MS: '10',
    });
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`${doneBefore} skipped (already done)`);

    expect(count('SELECT count(*) n FROM dag_runs')).toBe(8);
    expect(count("SELECT count(*) n FROM dag_runs WHERE state = 'success' AND owner_id IS NULL")).toBe(8);
    expect(count('SELECT count(*) n FROM task_instances')).toBe(24);
    expect(count("SELECT count(*) n FROM task_instances WHERE state = 'success'")).toBe(24);
    // The try the kill interrupted is on record as lost, and was retried.
    const lost = store!.db
      .prepare("SELECT run_id, task_id, try_number, error FROM task_tries WHERE error LIKE '%lost%'")
      .all() as { error: string }[];
    expect(lost.length).toBeGreaterThanOrEqual(1);
    for (const l of lost) expect(l.error).toMatch(/process \d+ on .* is no longer running/);
    // Every task of every day completed at least once.
    const effects = new Set(
      readFileSync(join(home, 'effects.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ').slice(0, 2).join(' ')),
    );
    expect(effects.size).toBe(24);
  });

  it('SIGTERM interrupts the running task, records it for a retry with the reason, and exits non-zero', async () => {
    const child = startAqlake(home, backfill('2024-02-01', '2024-02-03', '--parallel', '1'), {
      AQLAKE_TEST_TASK_MS: '60000',
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await waitFor(
      () =>
        storeOf() !== undefined &&
        count("SELECT count(*) n FROM task_instances WHERE state = 'running'") === 1,
      'a task running',
    );
    child.kill('SIGTERM');
    expect((await exited(child)).code).toBe(1);
    expect(stderr).toMatch(/^aqlake: backfill interrupted \(SIGTERM\) with 3 day\(s\) unfinished/m);

    const ti = store!.getTaskInstance('slow_dag__2024-02-01', 'extract')!;
    expect(ti).toMatchObject({ state: 'up_for_retry', tryNumber: 1, error: 'interrupted: SIGTERM' });
    expect(count("SELECT count(*) n FROM task_instances WHERE state = 'running'")).toBe(0);
    expect(count('SELECT count(*) n FROM dag_runs WHERE owner_id IS NOT NULL')).toBe(0);

    const again = aqlake(home, backfill('2024-02-01', '2024-02-03'), { AQLAKE_TEST_TASK_MS: '5' });
    expect(again.status).toBe(0);
    expect(count("SELECT count(*) n FROM dag_runs WHERE state = 'success'")).toBe(3);
    expect(store!.getTaskInstance('slow_dag__2024-02-01', 'extract')).toMatchObject({
      state: 'success',
      tryNumber: 2,
    });
  });
});
