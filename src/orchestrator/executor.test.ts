import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.js';
import { openMetaDb } from '../lake/meta/meta-db.js';
import { type Dag, type DagDef, defineDag, type TaskDef } from './dag.js';
import { SkipTask, TaskClearedError, TaskInterruptedError, TaskTimeoutError } from './errors.js';
import { executeRuns } from './execute-runs.js';
import { Executor, type ExecutorEvent } from './executor.js';
import { HOSTNAME } from './liveness.js';
import { RunStore } from './run-store.js';

let home: string;
let store: RunStore;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-exec-'));
  store = new RunStore(openMetaDb(home));
});
afterEach(() => {
  store.db.close();
  rmSync(home, { recursive: true, force: true });
});

function dag(tasks: TaskDef[], extra: Partial<DagDef> = {}): Dag {
  return defineDag({
    id: 'test_dag',
    schedule: null,
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 16,
    defaultRetryDelayMs: 5,
    tasks,
    ...extra,
  });
}

async function runAll(d: Dag, dates: string[], parallelism = 4, events: ExecutorEvent[] = []) {
  const runIds = dates.map((logicalDate) => store.createRun(d, { logicalDate, runType: 'manual' }).run.runId);
  return executeRuns({
    store,
    home,
    dags: (id) => (id === d.id ? d : undefined),
    runIds,
    parallelism,
    heartbeatIntervalMs: 20,
    onEvent: (e) => events.push(e),
  });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('executor', () => {
  it('starts a task only after its upstream succeeded and never runs more than `parallelism` at once', async () => {
    const log: string[] = [];
    let now = 0;
    let peak = 0;
    const work =
      (id: string): TaskDef['run'] =>
      async (ctx) => {
        now++;
        peak = Math.max(peak, now);
        log.push(`start ${ctx.logicalDate} ${id}`);
        for (let i = 0; i < 3; i++) await tick();
        log.push(`end ${ctx.logicalDate} ${id}`);
        now--;
      };
    const d = dag([
      { id: 'a', run: work('a') },
      ...['b', 'c', 'd', 'e'].map((id) => ({ id, upstream: ['a'], run: work(id) })),
      { id: 'f', upstream: ['b', 'c', 'd', 'e'], run: work('f') },
    ]);
    const result = await runAll(d, ['2024-01-01', '2024-01-02', '2024-01-03'], 2);

    expect([...result.runs.values()]).toEqual(['success', 'success', 'success']);
    expect(peak).toBe(2);
    for (const date of ['2024-01-01', '2024-01-02', '2024-01-03']) {
      for (const mid of ['b', 'c', 'd', 'e']) {
        expect(log).toContain(`end ${date} ${mid}`);
        expect(log.indexOf(`start ${date} ${mid}`)).toBeGreaterThan(log.indexOf(`end ${date} a`));
        expect(log.indexOf(`start ${date} f`)).toBeGreaterThan(log.indexOf(`end ${date} ${mid}`));
      }
    }
    const tis = store.listTaskInstances('test_dag__2024-01-02');
    expect(tis.map((t) => [t.taskId, t.state, t.tryNumber])).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => [id, 'success', 1]),
    );
  });

  it('times retries by the clock it is given, not the system clock', async () => {
    let tries = 0;
    const d = dag([
      {
        id: 'flaky',
        retries: 1,
        retryDelayMs: 3_600_000,
        run: async () => {
          if (++tries === 1) throw new Error('flaked');
        },
      },
    ]);
    const { runId } = store.createRun(d, { logicalDate: '2024-01-09', runType: 'manual' }).run;
    const events: ExecutorEvent[] = [];
    const result = await executeRuns({
      store,
      home,
      dags: (id) => (id === d.id ? d : undefined),
      runIds: [runId],
      parallelism: 1,
      heartbeatIntervalMs: 20,
      // Two hours behind the store's clock: the one-hour retry is due at once for the store.
      clock: () => new Date(Date.now() - 7_200_000),
      onEvent: (e) => events.push(e),
    });

    expect(result.runs.get(runId)).toBe('success');
    const failed = events.find((e) => e.kind === 'task-finished' && e.state === 'up_for_retry');
    const retryAt = failed?.kind === 'task-finished' ? Date.parse(failed.retryAt!) : Number.NaN;
    expect(retryAt).toBeLessThan(Date.now() - 3_000_000);
    expect(tries).toBe(2);
  });

  it('fails the downstream of a failed task as upstream_failed and the run as failed, other branches go on', async () => {
    const ran: string[] = [];
    const ok = (id: string) => async () => {
      ran.push(id);
    };
    const d = dag([
      { id: 'root', run: ok('root') },
      {
        id: 'broken',
        upstream: ['root'],
        run: async () => {
          throw new Error('no data for you');
        },
      },
      { id: 'after_broken', upstream: ['broken'], run: ok('after_broken') },
      { id: 'last', upstream: ['after_broken', 'side'], run: ok('last') },
      { id: 'side', upstream: ['root'], run: ok('side') },
    ]);
    const result = await runAll(d, ['2024-02-01']);

    expect(result.runs.get('test_dag__2024-02-01')).toBe('failed');
    const states = Object.fromEntries(
      store.listTaskInstances('test_dag__2024-02-01').map((t) => [t.taskId, t.state]),
    );
    expect(states).toEqual({
      root: 'success',
      broken: 'failed',
      side: 'success',
      after_broken: 'upstream_failed',
      last: 'upstream_failed',
    });
    expect(ran.sort()).toEqual(['root', 'side']);
    expect(store.getTaskInstance('test_dag__2024-02-01', 'broken')!.error).toBe('no data for you');
  });

  it('a task failing twice then succeeding with retries=2 ends success on try 3, with a log per try', async () => {
    let calls = 0;
    const d = dag([
      {
        id: 'flaky',
        retries: 2,
        retryDelayMs: 5,
        run: async (ctx) => {
          calls++;
          ctx.logger.info(`attempt ${ctx.tryNumber}`);
          if (ctx.tryNumber < 3) throw new Error(`flake ${ctx.tryNumber}`);
        },
      },
    ]);
    const events: ExecutorEvent[] = [];
    await runAll(d, ['2024-03-01'], 1, events);

    expect(calls).toBe(3);
    const ti = store.getTaskInstance('test_dag__2024-03-01', 'flaky')!;
    expect(ti).toMatchObject({ state: 'success', tryNumber: 3, maxTries: 3 });
    const tries = store.listTaskTries('test_dag__2024-03-01', 'flaky');
    expect(tries.map((t) => [t.tryNumber, t.state, t.error])).toEqual([
      [1, 'failed', 'flake 1'],
      [2, 'failed', 'flake 2'],
      [3, 'success', null],
    ]);
    for (const t of tries) {
      const text = readFileSync(join(home, t.logPath), 'utf8');
      expect(text).toContain(`attempt ${t.tryNumber}`);
    }
    const retryEvents = events.filter((e) => e.kind === 'task-finished' && e.state === 'up_for_retry');
    expect(retryEvents).toHaveLength(2);
  });

  it('fails at once, without using its retries, when the error says a retry cannot help', async () => {
    let calls = 0;
    const d = dag([
      {
        id: 'check',
        retries: 2,
        run: async () => {
          calls++;
          throw new PipelineError('check unique_sensor_period failed', 'validate', '2024-03-01', {
            retryable: false,
          });
        },
      },
    ]);
    await runAll(d, ['2024-03-01'], 1);
    expect(calls).toBe(1);
    expect(store.getTaskInstance('test_dag__2024-03-01', 'check')).toMatchObject({
      state: 'failed',
      tryNumber: 1,
    });
  });

  it('aborts a task at its timeout, and fails one that ignores the signal anyway', async () => {
    let seen: unknown;
    const d = dag([
      {
        id: 'polite',
        timeoutMs: 30,
        run: (ctx) =>
          new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => {
              seen = ctx.signal.reason;
              reject(ctx.signal.reason);
            });
          }),
      },
      { id: 'deaf', timeoutMs: 30, run: () => new Promise(() => {}) },
    ]);
    await runAll(d, ['2024-04-01']);

    expect(seen).toBeInstanceOf(TaskTimeoutError);
    for (const id of ['polite', 'deaf'])
      expect(store.getTaskInstance('test_dag__2024-04-01', id)).toMatchObject({
        state: 'failed',
        error: 'timed out after 30 ms',
      });
  });

  it('a skipped task counts as done for its downstream', async () => {
    const d = dag([
      {
        id: 'nothing_new',
        run: async () => {
          throw new SkipTask('no new data');
        },
      },
      { id: 'next', upstream: ['nothing_new'], run: async () => {} },
    ]);
    const result = await runAll(d, ['2024-04-02']);
    expect(result.runs.get('test_dag__2024-04-02')).toBe('success');
    expect(store.listTaskInstances('test_dag__2024-04-02').map((t) => t.state)).toEqual([
      'skipped',
      'success',
    ]);
  });

  it('recovers a try left running by a dead process and runs it again', async () => {
    const d = dag([{ id: 'only', retries: 1, run: async () => {} }]);
    const { run } = store.createRun(d, { logicalDate: '2024-05-01', runType: 'backfill' });
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const dead = { id: 'gone', pid: deadPid, hostname: HOSTNAME };
    expect(store.claimRun(run.runId, dead)).toBe(true);
    expect(store.claimTask(run.runId, 'only', dead, (n) => `x/try-${n}.log`)).toMatchObject({ tryNumber: 1 });

    const events: ExecutorEvent[] = [];
    const result = await executeRuns({
      store,
      home,
      dags: () => d,
      runIds: [run.runId],
      parallelism: 1,
      onEvent: (e) => events.push(e),
    });

    expect(result.runs.get(run.runId)).toBe('success');
    expect(events.find((e) => e.kind === 'recovered')).toMatchObject({
      task: { runId: run.runId, taskId: 'only', tryNumber: 1, state: 'up_for_retry' },
    });
    expect(store.listTaskTries(run.runId, 'only').map((t) => [t.tryNumber, t.state])).toEqual([
      [1, 'failed'],
      [2, 'success'],
    ]);
    expect(store.listTaskTries(run.runId, 'only')[0]!.error).toMatch(/no longer running/);
  });

  it('a stale heartbeat from another host fails the instance when no tries remain', () => {
    const d = dag([
      { id: 'one', run: async () => {} },
      { id: 'two', upstream: ['one'], run: async () => {} },
    ]);
    const { run } = store.createRun(d, { logicalDate: '2024-05-02', runType: 'scheduled' });
    const remote = { id: 'remote', pid: 1, hostname: 'elsewhere' };
    store.claimRun(run.runId, remote);
    store.claimTask(run.runId, 'one', remote, (n) => `x/try-${n}.log`);
    const probe = (now: Date) => ({
      now,
      staleAfterMs: 30_000,
      hostname: HOSTNAME,
      pid: process.pid,
      liveOwnerIds: new Set<string>(),
      isPidAlive: () => true,
    });
    expect(store.recoverStale(probe(new Date(Date.now() + 10_000)))).toEqual([]);
    const recovered = store.recoverStale(probe(new Date(Date.now() + 60_000)));
    expect(recovered).toMatchObject([{ taskId: 'one', state: 'failed' }]);
    expect(store.listTaskInstances(run.runId).map((t) => t.state)).toEqual(['failed', 'upstream_failed']);
    expect(store.getRun(run.runId)).toMatchObject({ state: 'failed', ownerId: null });
  });

  it('on stop, aborts running tasks and records them for a retry with the reason', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    let reason: unknown;
    const d = dag([
      {
        id: 'long',
        retries: 1,
        run: (ctx) =>
          new Promise((_, reject) => {
            started();
            ctx.signal.addEventListener('abort', () => {
              reason = ctx.signal.reason;
              reject(new Error('stopped'));
            });
          }),
      },
      { id: 'after', upstream: ['long'], run: async () => {} },
    ]);
    const { run } = store.createRun(d, { logicalDate: '2024-06-01', runType: 'backfill' });
    const controller = new AbortController();
    const executor = new Executor({ store, home, dags: () => d, parallelism: 1, stopGraceMs: 1000 });
    executor.submit(run.runId);
    const done = executor.run({ signal: controller.signal });
    await running;
    controller.abort('SIGTERM');
    const result = await done;

    expect(result.stoppedBecause).toBe('SIGTERM');
    expect(reason).toBeInstanceOf(TaskInterruptedError);
    expect(store.getTaskInstance(run.runId, 'long')).toMatchObject({
      state: 'up_for_retry',
      error: 'interrupted: SIGTERM',
    });
    expect(store.getTaskInstance(run.runId, 'after')!.state).toBe('queued');
    expect(store.getRun(run.runId)).toMatchObject({ state: 'running', ownerId: null });
  });

  it('clearing a running task aborts its try and runs it again', async () => {
    let firstStarted!: () => void;
    const started = new Promise<void>((r) => {
      firstStarted = r;
    });
    const reasons: unknown[] = [];
    const d = dag([
      {
        id: 'slow',
        run: (ctx) => {
          if (ctx.tryNumber > 1) return Promise.resolve();
          firstStarted();
          return new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => {
              reasons.push(ctx.signal.reason);
              reject(ctx.signal.reason);
            }),
          );
        },
      },
    ]);
    const { run } = store.createRun(d, { logicalDate: '2024-06-02', runType: 'manual' });
    const done = executeRuns({
      store,
      home,
      dags: () => d,
      runIds: [run.runId],
      parallelism: 1,
      heartbeatIntervalMs: 10,
    });
    await started;
    // A second connection, as `aqlake clear` in another process would use.
    const other = new RunStore(openMetaDb(home));
    expect(other.clearTasks(run.runId, { taskIds: ['slow'] })).toEqual(['slow']);
    other.db.close();
    const result = await done;

    expect(reasons[0]).toBeInstanceOf(TaskClearedError);
    expect(result.runs.get(run.runId)).toBe('success');
    expect(store.listTaskTries(run.runId, 'slow').map((t) => [t.tryNumber, t.state, t.error])).toEqual([
      [1, 'failed', 'cleared while running'],
      [2, 'success', null],
    ]);
    expect(existsSync(join(home, '_logs/test_dag', run.runId, 'slow/try-2.log'))).toBe(true);
  });
});
