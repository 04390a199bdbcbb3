import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.js';
import {
  finishTry,
  initialTaskState,
  isReady,
  loseTry,
  type RunEvent,
  type RunSnapshot,
  removedFromDag,
  type SettleTask,
  selectForClear,
  settle,
  startTry,
  type TaskState,
  type Transition,
  type TryResult,
  transition,
  tryResult,
} from './state-machine.js';

// extract → transform → (catalog, validate) → publish, in priority order.
const UPSTREAM: Record<string, string[]> = {
  extract: [],
  transform: ['extract'],
  catalog: ['transform'],
  validate: ['transform'],
  publish: ['catalog', 'validate'],
};
const pipe = (states: Record<string, TaskState>): SettleTask[] =>
  Object.entries(states).map(([taskId, state]) => ({ taskId, state, upstream: UPSTREAM[taskId] ?? [] }));
const unowned = { ownerId: null };
const policy = { retryDelayMs: 1_000, retryBackoff: 2, maxRetryDelayMs: 60_000 };
const NOW = new Date('2024-03-01T12:00:00.000Z');
const later = (ms: number): Date => new Date(NOW.getTime() + ms);

describe('a new run', () => {
  it('schedules its root tasks at once and queues the others behind their upstream', () => {
    expect(initialTaskState([])).toBe('scheduled');
    expect(initialTaskState(['extract'])).toBe('queued');
  });
});

describe('settle: a waiting task follows its upstream', () => {
  it('queued → scheduled once every upstream succeeded or was skipped', () => {
    const s = settle(
      { state: 'running', ...unowned },
      pipe({
        extract: 'success',
        transform: 'skipped',
        catalog: 'queued',
        validate: 'queued',
        publish: 'queued',
      }),
    );
    expect(s.tasks).toEqual([
      { taskId: 'catalog', state: 'scheduled' },
      { taskId: 'validate', state: 'scheduled' },
    ]);
  });

  it('stays queued while an upstream is queued, scheduled, running or waiting for a retry', () => {
    for (const up of ['queued', 'scheduled', 'running', 'up_for_retry'] as const) {
      const s = settle(
        { state: 'running', ...unowned },
        pipe({ extract: 'success', transform: up, catalog: 'queued' }),
      );
      expect(s.tasks.filter((t) => t.taskId === 'catalog')).toEqual([]);
    }
  });

  it('queued → upstream_failed below a failed task, and on down the graph in the same settle', () => {
    const s = settle(
      { state: 'running', ...unowned },
      pipe({
        extract: 'failed',
        transform: 'queued',
        catalog: 'queued',
        validate: 'queued',
        publish: 'queued',
      }),
    );
    expect(s.tasks.map((t) => `${t.taskId}:${t.state}`)).toEqual([
      'transform:upstream_failed',
      'catalog:upstream_failed',
      'validate:upstream_failed',
      'publish:upstream_failed',
    ]);
    expect(s.runState).toBe('failed');
  });

  it('one failed upstream is enough even while the other is still running', () => {
    const s = settle(
      { state: 'running', ...unowned },
      pipe({
        extract: 'success',
        transform: 'success',
        catalog: 'failed',
        validate: 'running',
        publish: 'queued',
      }),
    );
    expect(s.tasks).toEqual([{ taskId: 'publish', state: 'upstream_failed' }]);
    expect(s.runState).toBe('running');
  });

  it('scheduled → queued when its upstream was cleared (and starts again), scheduled → upstream_failed when it failed', () => {
    expect(
      settle({ state: 'running', ...unowned }, pipe({ extract: 'queued', transform: 'scheduled' })).tasks,
    ).toEqual([
      { taskId: 'extract', state: 'scheduled' },
      { taskId: 'transform', state: 'queued' },
    ]);
    expect(
      settle({ state: 'running', ...unowned }, pipe({ extract: 'failed', transform: 'scheduled' })).tasks,
    ).toEqual([{ taskId: 'transform', state: 'upstream_failed' }]);
  });

  it('counts an upstream task without an instance (removed from the DAG) as done', () => {
    const s = settle({ state: 'running', ...unowned }, [
      { taskId: 'transform', state: 'queued', upstream: ['gone'] },
    ]);
    expect(s.tasks).toEqual([{ taskId: 'transform', state: 'scheduled' }]);
  });

  it('leaves running, retrying and finished tasks alone whatever their upstream', () => {
    for (const own of [
      'running',
      'up_for_retry',
      'success',
      'failed',
      'skipped',
      'upstream_failed',
    ] as const) {
      const s = settle({ state: 'running', ...unowned }, pipe({ extract: 'failed', transform: own }));
      expect(s.tasks).toEqual([]);
    }
  });
});

describe('settle: the run follows its tasks', () => {
  it('succeeds when every task succeeded or was skipped, and is released', () => {
    const s = settle({ state: 'running', ownerId: 'me' }, pipe({ extract: 'success', transform: 'skipped' }));
    expect(s).toMatchObject({ runState: 'success', runChanged: true, runFinal: true });
  });

  it('fails when every task is final and one failed or was upstream_failed', () => {
    expect(
      settle({ state: 'running', ...unowned }, pipe({ extract: 'success', transform: 'failed' })).runState,
    ).toBe('failed');
    expect(
      settle({ state: 'running', ...unowned }, pipe({ extract: 'skipped', transform: 'upstream_failed' }))
        .runState,
    ).toBe('failed');
  });

  it('is running while a task runs, even from queued', () => {
    const s = settle({ state: 'queued', ...unowned }, pipe({ extract: 'running', transform: 'queued' }));
    expect(s).toMatchObject({ runState: 'running', runChanged: true, runFinal: false });
  });

  it('keeps its state while nothing runs and tasks remain (waiting for a retry, or not started)', () => {
    expect(
      settle({ state: 'running', ...unowned }, pipe({ extract: 'up_for_retry', transform: 'queued' })),
    ).toMatchObject({ runState: 'running', runChanged: false });
    expect(
      settle({ state: 'queued', ...unowned }, pipe({ extract: 'scheduled', transform: 'queued' })),
    ).toMatchObject({ runState: 'queued', runChanged: false });
  });

  it('a finished run with unfinished tasks again (a clear) is queued for an executor', () => {
    for (const was of ['success', 'failed'] as const) {
      const s = settle({ state: was, ...unowned }, pipe({ extract: 'queued', transform: 'queued' }));
      expect(s).toMatchObject({ runState: 'queued', runChanged: true, runFinal: false });
    }
  });

  it('a finished run still recorded with an owner changes (the owner is released) though its state does not', () => {
    const tasks = pipe({ extract: 'success', transform: 'success' });
    expect(settle({ state: 'success', ownerId: 'me' }, tasks)).toMatchObject({
      runChanged: true,
      runFinal: true,
    });
    expect(settle({ state: 'success', ownerId: null }, tasks)).toMatchObject({
      runChanged: false,
      runFinal: true,
    });
  });
});

describe('a changed DAG', () => {
  it('skips instances of removed tasks that are still waiting, never running or finished ones', () => {
    const tasks = (['queued', 'scheduled', 'up_for_retry', 'running', 'success', 'failed'] as const).map(
      (state, i) => ({ taskId: `old${i}`, state }),
    );
    expect(removedFromDag([...tasks, { taskId: 'kept', state: 'queued' }], ['kept'])).toEqual([
      'old0',
      'old1',
      'old2',
    ]);
  });
});

describe('a try starts', () => {
  it('from scheduled, with the next try number; the run starts with its first try', () => {
    expect(startTry({ state: 'scheduled', nextRetryAt: null, tryNumber: 0 }, 'queued', NOW)).toEqual({
      tryNumber: 1,
      runState: 'running',
    });
    expect(startTry({ state: 'scheduled', nextRetryAt: null, tryNumber: 2 }, 'running', NOW)).toEqual({
      tryNumber: 3,
      runState: 'running',
    });
  });

  it('from up_for_retry once the retry time has come, not before', () => {
    const at = later(5_000).toISOString();
    expect(startTry({ state: 'up_for_retry', nextRetryAt: at, tryNumber: 1 }, 'running', NOW)).toBeNull();
    expect(
      startTry({ state: 'up_for_retry', nextRetryAt: at, tryNumber: 1 }, 'running', later(5_000)),
    ).toEqual({
      tryNumber: 2,
      runState: 'running',
    });
  });

  it('never from queued, running or a final state', () => {
    for (const state of ['queued', 'running', 'success', 'failed', 'skipped', 'upstream_failed'] as const)
      expect(isReady({ state, nextRetryAt: NOW.toISOString() }, NOW)).toBe(false);
  });
});

describe('a try ends', () => {
  const first = { tryNumber: 1, maxTries: 3 };
  const last = { tryNumber: 3, maxTries: 3 };

  it('succeeded → success; skipped → skipped with its reason', () => {
    expect(tryResult({ kind: 'success' }, policy, first, NOW)).toEqual({ state: 'success' });
    expect(tryResult({ kind: 'skipped', reason: 'no data' }, policy, first, NOW)).toEqual({
      state: 'skipped',
      error: 'no data',
    });
  });

  it('failed with tries left → up_for_retry after the backoff (retryDelay × backoff^(try − 1))', () => {
    expect(tryResult({ kind: 'error', err: new Error('503') }, policy, first, NOW)).toEqual({
      state: 'up_for_retry',
      retryAt: later(1_000),
      error: '503',
    });
    expect(
      tryResult({ kind: 'error', err: new Error('503') }, policy, { tryNumber: 2, maxTries: 3 }, NOW),
    ).toEqual({
      state: 'up_for_retry',
      retryAt: later(2_000),
      error: '503',
    });
  });

  it('failed on the last try → failed', () => {
    expect(tryResult({ kind: 'error', err: new Error('503') }, policy, last, NOW)).toEqual({
      state: 'failed',
      error: '503',
    });
  });

  it('failed with an error that says retrying cannot help → failed at once, tries left or not', () => {
    const err = new PipelineError('check failed', 'validate', '2024-03-01', { retryable: false });
    expect(tryResult({ kind: 'error', err }, policy, first, NOW)).toEqual({
      state: 'failed',
      error: 'check failed',
    });
  });

  it('timed out → retried after the backoff, or failed on the last try', () => {
    expect(tryResult({ kind: 'timeout', timeoutMs: 50 }, policy, first, NOW)).toEqual({
      state: 'up_for_retry',
      retryAt: later(1_000),
      error: 'timed out after 50 ms',
    });
    expect(tryResult({ kind: 'timeout', timeoutMs: 50 }, policy, last, NOW)).toEqual({
      state: 'failed',
      error: 'timed out after 50 ms',
    });
  });

  it('interrupted (the process stopped) → retried at once, or failed on the last try', () => {
    expect(tryResult({ kind: 'interrupted', reason: 'SIGTERM' }, policy, first, NOW)).toEqual({
      state: 'up_for_retry',
      retryAt: NOW,
      error: 'interrupted: SIGTERM',
    });
    expect(tryResult({ kind: 'interrupted', reason: 'SIGTERM' }, policy, last, NOW).state).toBe('failed');
  });

  it('cleared under the try → the try failed', () => {
    expect(tryResult({ kind: 'cleared' }, policy, first, NOW)).toEqual({
      state: 'failed',
      error: 'cleared while running',
    });
  });

  it('applies the result to the instance the try still holds', () => {
    const running = { state: 'running' as const, tryNumber: 2 };
    expect(finishTry(running, 2, { state: 'success' })).toEqual({
      tryState: 'success',
      task: { state: 'success', ended: true, retryAt: null, error: null },
    });
    expect(finishTry(running, 2, { state: 'failed', error: 'boom' })).toEqual({
      tryState: 'failed',
      task: { state: 'failed', ended: true, retryAt: null, error: 'boom' },
    });
    expect(finishTry(running, 2, { state: 'skipped', error: 'nothing' })).toEqual({
      tryState: 'skipped',
      task: { state: 'skipped', ended: true, retryAt: null, error: 'nothing' },
    });
  });

  it('a retry-bound failure is a failed try and an instance waiting (not ended) until its retry time', () => {
    const result: TryResult = { state: 'up_for_retry', retryAt: later(1_000), error: '503' };
    expect(finishTry({ state: 'running', tryNumber: 1 }, 1, result)).toEqual({
      tryState: 'failed',
      task: { state: 'up_for_retry', ended: false, retryAt: later(1_000), error: '503' },
    });
  });

  it('records only the try when its instance was cleared, taken over by a newer try, or is gone', () => {
    const result: TryResult = { state: 'success' };
    expect(finishTry({ state: 'queued', tryNumber: 1 }, 1, result)).toEqual({
      tryState: 'success',
      task: null,
    });
    expect(finishTry({ state: 'running', tryNumber: 2 }, 1, result)).toEqual({
      tryState: 'success',
      task: null,
    });
    expect(finishTry(undefined, 1, result)).toEqual({ tryState: 'success', task: null });
  });
});

describe('a try is lost (its process died or stopped heartbeating)', () => {
  it('is retried at once while tries are left, else failed, naming the reason', () => {
    expect(loseTry({ tryNumber: 1, maxTries: 2 }, 'process 7 on h is no longer running')).toEqual({
      state: 'up_for_retry',
      error: 'try 1 lost: process 7 on h is no longer running',
    });
    expect(loseTry({ tryNumber: 2, maxTries: 2 }, 'silent')).toEqual({
      state: 'failed',
      error: 'try 2 lost: silent',
    });
  });
});

describe('a clear', () => {
  const tasks = pipe({
    extract: 'success',
    transform: 'success',
    catalog: 'failed',
    validate: 'success',
    publish: 'upstream_failed',
  }).map((t) => ({ ...t }));

  it('resets every task by default and restarts the run', () => {
    expect(selectForClear('r', tasks, {})).toEqual({
      taskIds: ['extract', 'transform', 'catalog', 'validate', 'publish'],
      restartRun: true,
    });
  });

  it('resets the named tasks, with everything downstream when asked', () => {
    expect(selectForClear('r', tasks, { taskIds: ['transform'] }).taskIds).toEqual(['transform']);
    expect(selectForClear('r', tasks, { taskIds: ['transform'], downstream: true }).taskIds).toEqual([
      'transform',
      'catalog',
      'validate',
      'publish',
    ]);
  });

  it('resets only failed and upstream_failed tasks for a resume', () => {
    expect(selectForClear('r', tasks, { onlyFailed: true }).taskIds).toEqual(['catalog', 'publish']);
  });

  it('does not restart the run while a task it leaves alone is still running; nothing cleared restarts nothing', () => {
    const busy = tasks.map((t) => (t.taskId === 'validate' ? { ...t, state: 'running' as const } : t));
    expect(selectForClear('r', busy, { taskIds: ['catalog'] }).restartRun).toBe(false);
    expect(selectForClear('r', busy, { taskIds: ['validate'] }).restartRun).toBe(true);
    const allOk = tasks.map((t) => ({ ...t, state: 'success' as const }));
    expect(selectForClear('r', allOk, { onlyFailed: true })).toEqual({ taskIds: [], restartRun: false });
  });

  it('names the run and the task when a task id is unknown', () => {
    expect(() => selectForClear('pipe__2024-01-01', tasks, { taskIds: ['nope'] })).toThrow(
      'run pipe__2024-01-01 has no task "nope"',
    );
  });
});

// ── whole transitions, replayed on an in-memory run (what the RunStore does with SQLite) ────────────────────

const RETRIES = 1;
function newRun(): RunSnapshot {
  return {
    runId: 'pipe__2024-03-01',
    state: 'queued',
    ownerId: null,
    tasks: Object.entries(UPSTREAM).map(([taskId, upstream]) => ({
      taskId,
      state: initialTaskState(upstream),
      upstream,
      tryNumber: 0,
      maxTries: RETRIES + 1,
      retries: RETRIES,
      nextRetryAt: null,
    })),
  };
}

/** Applies a transition to the in-memory run, as the store's writes would. */
function applyTo(run: RunSnapshot, t: Transition): RunSnapshot {
  const tasks = run.tasks.map((task) => ({ ...task }));
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  for (const c of t.tasks) {
    const task = byId.get(c.taskId)!;
    if (c.kind === 'started')
      Object.assign(task, { state: 'running', tryNumber: c.tryNumber, nextRetryAt: null });
    else if (c.kind === 'ended')
      Object.assign(task, { state: c.state, nextRetryAt: c.retryAt ? c.retryAt.toISOString() : null });
    else if (c.kind === 'lost')
      Object.assign(task, {
        state: c.state,
        nextRetryAt: c.state === 'up_for_retry' ? NOW.toISOString() : null,
      });
    else if (c.kind === 'cleared')
      Object.assign(task, { state: 'queued', maxTries: c.maxTries, nextRetryAt: null });
    else if (c.kind === 'removed') task.state = 'skipped';
    else task.state = c.state;
  }
  return { ...run, state: t.run.state, ownerId: t.run.final ? null : run.ownerId, tasks };
}

function replay(run: RunSnapshot, events: RunEvent[], now = NOW): RunSnapshot {
  return events.reduce((r, e) => applyTo(r, transition(r, e, now)), run);
}

const stateOf = (run: RunSnapshot): Record<string, TaskState> =>
  Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));

const succeed = (taskId: string, tryNumber = 1): RunEvent[] => [
  { kind: 'try-started', taskId },
  { kind: 'try-ended', taskId, tryNumber, result: { state: 'success' } },
];

describe('transition: a run from its first try to its end, without a database', () => {
  it('runs every task in dependency order to success', () => {
    let run = newRun();
    run = replay(run, [{ kind: 'try-started', taskId: 'extract' }]);
    expect(run.state).toBe('running');
    run = replay(run, [
      { kind: 'try-ended', taskId: 'extract', tryNumber: 1, result: { state: 'success' } },
      ...succeed('transform'),
      ...succeed('catalog'),
    ]);
    expect(stateOf(run)).toMatchObject({ catalog: 'success', validate: 'scheduled', publish: 'queued' });
    run = replay(run, [...succeed('validate'), ...succeed('publish')]);
    expect(run.state).toBe('success');
  });

  it('retries a failed try, then fails the run below the second failure', () => {
    let run = replay(newRun(), [...succeed('extract'), { kind: 'try-started', taskId: 'transform' }]);
    const retry: TryResult = { state: 'up_for_retry', retryAt: later(1_000), error: '503' };
    run = replay(run, [{ kind: 'try-ended', taskId: 'transform', tryNumber: 1, result: retry }]);
    expect(stateOf(run).transform).toBe('up_for_retry');
    expect(run.state).toBe('running');
    // Not before its retry time:
    expect(transition(run, { kind: 'try-started', taskId: 'transform' }, NOW).applied).toBe(false);
    run = replay(run, [{ kind: 'try-started', taskId: 'transform' }], later(1_000));
    run = replay(run, [
      { kind: 'try-ended', taskId: 'transform', tryNumber: 2, result: { state: 'failed', error: 'boom' } },
    ]);
    expect(stateOf(run)).toEqual({
      extract: 'success',
      transform: 'failed',
      catalog: 'upstream_failed',
      validate: 'upstream_failed',
      publish: 'upstream_failed',
    });
    expect(run.state).toBe('failed');
  });
});

describe('transition: each event', () => {
  it('try-started on a task that is not ready changes nothing', () => {
    const t = transition(newRun(), { kind: 'try-started', taskId: 'transform' }, NOW);
    expect(t).toMatchObject({
      applied: false,
      tasks: [],
      run: { state: 'queued', changed: false, started: false },
    });
  });

  it('try-started marks the run started (its clock starts unless it has one)', () => {
    const t = transition(newRun(), { kind: 'try-started', taskId: 'extract' }, NOW);
    expect(t.tasks).toEqual([{ kind: 'started', taskId: 'extract', tryNumber: 1 }]);
    expect(t.run).toEqual({ state: 'running', changed: true, final: false, started: true });
  });

  it('try-ended of a try that lost its instance records only the try', () => {
    const run = replay(newRun(), [
      { kind: 'try-started', taskId: 'extract' },
      { kind: 'cleared', selection: {} },
    ]);
    const t = transition(
      run,
      { kind: 'try-ended', taskId: 'extract', tryNumber: 1, result: { state: 'success' } },
      NOW,
    );
    expect(t).toMatchObject({ applied: false, tryState: 'success', tasks: [] });
  });

  it('try-lost retries at once while tries are left, and fails the run below it on the last try', () => {
    const lostOnce = transition(
      replay(newRun(), [{ kind: 'try-started', taskId: 'extract' }]),
      { kind: 'try-lost', taskId: 'extract', tryNumber: 1, reason: 'process 7 is no longer running' },
      NOW,
    );
    expect(lostOnce.tasks).toEqual([
      {
        kind: 'lost',
        taskId: 'extract',
        tryNumber: 1,
        state: 'up_for_retry',
        error: 'try 1 lost: process 7 is no longer running',
      },
    ]);
    expect(lostOnce.tryState).toBe('failed');
    const lastTry = replay(newRun(), [
      { kind: 'try-started', taskId: 'extract' },
      { kind: 'try-lost', taskId: 'extract', tryNumber: 1, reason: 'gone' },
      { kind: 'try-started', taskId: 'extract' },
      { kind: 'try-lost', taskId: 'extract', tryNumber: 2, reason: 'gone' },
    ]);
    expect(stateOf(lastTry).extract).toBe('failed');
    expect(lastTry.state).toBe('failed');
  });

  it('try-lost of a try that is no longer running changes nothing', () => {
    const t = transition(
      newRun(),
      { kind: 'try-lost', taskId: 'extract', tryNumber: 1, reason: 'gone' },
      NOW,
    );
    expect(t).toMatchObject({ applied: false, tasks: [] });
  });

  it('owner-lost only settles: a run recorded final but still owned is released', () => {
    const done = replay(
      newRun(),
      ['extract', 'transform', 'catalog', 'validate', 'publish'].flatMap((id) => succeed(id)),
    );
    const t = transition({ ...done, ownerId: 'dead' }, { kind: 'owner-lost' }, NOW);
    expect(t).toMatchObject({
      applied: true,
      tasks: [],
      run: { state: 'success', changed: true, final: true },
    });
  });

  it('cleared gives each task its retries anew and requeues a finished run', () => {
    const failed = replay(newRun(), [
      ...succeed('extract'),
      { kind: 'try-started', taskId: 'transform' },
      { kind: 'try-ended', taskId: 'transform', tryNumber: 1, result: { state: 'failed', error: 'x' } },
    ]);
    expect(failed.state).toBe('failed');
    const t = transition(failed, { kind: 'cleared', selection: { onlyFailed: true } }, NOW);
    expect(t.cleared).toEqual({ taskIds: ['transform', 'catalog', 'validate', 'publish'], restartRun: true });
    expect(t.tasks.filter((c) => c.kind === 'cleared')).toContainEqual({
      kind: 'cleared',
      taskId: 'transform',
      maxTries: 1 + RETRIES + 1,
    });
    // transform's upstream is done, so settling schedules it at once.
    expect(t.tasks.filter((c) => c.kind === 'settled')).toEqual([
      { kind: 'settled', taskId: 'transform', state: 'scheduled' },
    ]);
    expect(t.run).toMatchObject({ state: 'queued', changed: true, final: false });
  });

  it('dag-changed skips waiting instances of removed tasks and settles their downstream', () => {
    const run = replay(newRun(), [...succeed('extract'), ...succeed('transform'), ...succeed('catalog')]);
    const t = transition(
      run,
      { kind: 'dag-changed', taskIds: ['extract', 'transform', 'catalog', 'publish'] },
      NOW,
    );
    expect(t.tasks).toEqual([
      { kind: 'removed', taskId: 'validate' },
      { kind: 'settled', taskId: 'publish', state: 'scheduled' },
    ]);
  });
});
