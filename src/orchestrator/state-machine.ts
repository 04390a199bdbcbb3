// The run/task state machine: given what happened (a try started, ended, was lost; a run was cleared or resynced),
// it decides the next task and run states. Pure: no SQLite, no clock of its own — the RunStore only persists.
import { errorMessage, isNonRetryable } from '../errors.js';
import type { DagTask } from './dag.js';
import { afterFailure } from './retry.js';

export const RUN_STATES = ['queued', 'running', 'success', 'failed'] as const;
export type RunState = (typeof RUN_STATES)[number];
const TASK_STATES = [
  'queued',
  'scheduled',
  'running',
  'success',
  'failed',
  'up_for_retry',
  'upstream_failed',
  'skipped',
] as const;
export type TaskState = (typeof TASK_STATES)[number];
export type TryState = 'running' | 'success' | 'failed' | 'skipped';

const FINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'success',
  'failed',
  'upstream_failed',
  'skipped',
]);
const DONE_OK: ReadonlySet<TaskState> = new Set(['success', 'skipped']);
const DONE_BAD: ReadonlySet<TaskState> = new Set(['failed', 'upstream_failed']);
/** States a task instance waits in: a DAG change may still skip it. */
const WAITING: ReadonlySet<TaskState> = new Set(['queued', 'scheduled', 'up_for_retry']);

export const isFinalRunState = (s: RunState): s is 'success' | 'failed' => s === 'success' || s === 'failed';

/** How a try ended, as the store records it. */
export type TryResult =
  | { state: 'success' | 'skipped'; error?: string }
  | { state: 'up_for_retry'; retryAt: Date; error: string }
  | { state: 'failed'; error: string };

/** What the executor saw of a try: the first of completion, timeout, stop or clear. */
export type TryOutcome =
  | { kind: 'success' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'error'; err: unknown }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'interrupted'; reason: string }
  | { kind: 'cleared' };

// ── settling: upstream states decide a waiting task's state; task states decide the run's ────────────────

/** A task instance as the settle rule sees it, in priority order. */
export interface SettleTask {
  taskId: string;
  state: TaskState;
  upstream: readonly string[];
}

export interface Settled {
  /** Task instances whose state changes (an `upstream_failed` one also ends now). */
  tasks: { taskId: string; state: TaskState }[];
  runState: RunState;
  /** Whether the run's row changes: a new state, or a final run still recorded with an owner. */
  runChanged: boolean;
  /** The run ended: its owner is released and its end time set. */
  runFinal: boolean;
}

/**
 * Promotes waiting task instances whose upstream is done (queued → scheduled), fails those below a failure
 * (→ upstream_failed), demotes a scheduled one whose upstream was cleared (→ queued), and derives the run's
 * state. Tasks are visited in priority order, each seeing the states decided before it.
 */
export function settle(
  run: { state: RunState; ownerId: string | null },
  tasks: readonly SettleTask[],
): Settled {
  const state = new Map(tasks.map((t) => [t.taskId, t.state]));
  const changed: { taskId: string; state: TaskState }[] = [];
  for (const ti of tasks) {
    const current = state.get(ti.taskId)!;
    if (current !== 'queued' && current !== 'scheduled') continue;
    // An upstream task that no longer has an instance counts as done.
    const ups = ti.upstream.map((u) => state.get(u) ?? 'success');
    let next: TaskState;
    if (ups.some((s) => DONE_BAD.has(s))) next = 'upstream_failed';
    else if (ups.every((s) => DONE_OK.has(s))) next = 'scheduled';
    else next = 'queued';
    if (next !== current) {
      changed.push({ taskId: ti.taskId, state: next });
      state.set(ti.taskId, next);
    }
  }
  const states = [...state.values()];
  let runState: RunState;
  if (states.every((s) => FINAL_TASK_STATES.has(s)))
    runState = states.some((s) => DONE_BAD.has(s)) ? 'failed' : 'success';
  else if (states.includes('running')) runState = 'running';
  // A final run with unfinished tasks again (a clear) waits for an executor.
  else runState = isFinalRunState(run.state) ? 'queued' : run.state;
  const runFinal = isFinalRunState(runState);
  return {
    tasks: changed,
    runState,
    runChanged: runState !== run.state || (runFinal && run.ownerId !== null),
    runFinal,
  };
}

// ── a new run and a changed DAG ─────────────────────────────────────────────────────────────────────────

/** The first state of a new task instance: a root may start at once, the others wait for their upstream. */
export function initialTaskState(upstream: readonly string[]): TaskState {
  return upstream.length === 0 ? 'scheduled' : 'queued';
}

/** Task instances to skip because their task is no longer in the DAG (only those still waiting). */
export function removedFromDag(
  tasks: readonly { taskId: string; state: TaskState }[],
  dagTaskIds: readonly string[],
): string[] {
  const known = new Set(dagTaskIds);
  return tasks.filter((t) => !known.has(t.taskId) && WAITING.has(t.state)).map((t) => t.taskId);
}

// ── a try starts ────────────────────────────────────────────────────────────────────────────────────────

/** May this task instance start a try now? Scheduled, or waiting for a retry whose time has come. */
export function isReady(task: { state: TaskState; nextRetryAt: string | null }, now: Date): boolean {
  if (task.state === 'scheduled') return true;
  return (
    task.state === 'up_for_retry' &&
    task.nextRetryAt !== null &&
    Date.parse(task.nextRetryAt) <= now.getTime()
  );
}

/** A try starts: the instance runs its next try number; a queued run starts with its first try. */
export function startTry(
  task: { state: TaskState; nextRetryAt: string | null; tryNumber: number },
  runState: RunState,
  now: Date,
): { tryNumber: number; runState: RunState } | null {
  if (!isReady(task, now)) return null;
  return { tryNumber: task.tryNumber + 1, runState: runState === 'queued' ? 'running' : runState };
}

// ── a try ends ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * The result of a try from what the executor saw. A failure is retried after the task's backoff while tries are
 * left, at once when the process cut it short (interrupted), and never when the error says retrying cannot help.
 * A try whose instance was cleared under it is recorded failed (its result is not applied to the instance).
 */
export function tryResult(
  outcome: TryOutcome,
  task: Pick<DagTask, 'retryDelayMs' | 'retryBackoff' | 'maxRetryDelayMs'>,
  attempt: { tryNumber: number; maxTries: number },
  now: Date,
): TryResult {
  switch (outcome.kind) {
    case 'success':
      return { state: 'success' };
    case 'skipped':
      return { state: 'skipped', error: outcome.reason };
    case 'cleared':
      return { state: 'failed', error: 'cleared while running' };
    default: {
      const error =
        outcome.kind === 'error'
          ? errorMessage(outcome.err)
          : outcome.kind === 'timeout'
            ? `timed out after ${outcome.timeoutMs} ms`
            : `interrupted: ${outcome.reason}`;
      const next =
        outcome.kind === 'error' && isNonRetryable(outcome.err)
          ? ({ state: 'failed' } as const)
          : afterFailure(task, attempt.tryNumber, attempt.maxTries, now, outcome.kind === 'interrupted');
      return next.state === 'failed' ? { state: 'failed', error } : { ...next, error };
    }
  }
}

export interface TryEnd {
  /** The try's own row: a retry-bound failure is still a failed try. */
  tryState: TryState;
  /**
   * The instance's next state, or null when the try no longer holds its instance (cleared, or taken over after
   * being judged lost): then only the try's row records the outcome.
   */
  task: { state: TaskState; ended: boolean; retryAt: Date | null; error: string | null } | null;
}

/** Applies a try's result to its task instance, if that try still holds it. */
export function finishTry(
  task: { state: TaskState; tryNumber: number } | undefined,
  tryNumber: number,
  result: TryResult,
): TryEnd {
  const tryState: TryState = result.state === 'up_for_retry' ? 'failed' : result.state;
  if (task?.state !== 'running' || task.tryNumber !== tryNumber) return { tryState, task: null };
  return {
    tryState,
    task: {
      state: result.state,
      ended: result.state !== 'up_for_retry',
      retryAt: result.state === 'up_for_retry' ? result.retryAt : null,
      error: 'error' in result ? (result.error ?? null) : null,
    },
  };
}

/**
 * A running try whose process is gone (dead pid, silent heartbeat): retried at once while tries are left
 * (the task did not fail, its process did), else failed.
 */
export function loseTry(
  task: { tryNumber: number; maxTries: number },
  reason: string,
): { state: 'up_for_retry' | 'failed'; error: string } {
  return {
    state: task.tryNumber < task.maxTries ? 'up_for_retry' : 'failed',
    error: `try ${task.tryNumber} lost: ${reason}`,
  };
}

// ── a clear ─────────────────────────────────────────────────────────────────────────────────────────────

export interface ClearSelection {
  /** Tasks to clear (default: all). */
  taskIds?: readonly string[];
  /** Also clear every task downstream of `taskIds`. */
  downstream?: boolean;
  /** Only tasks that failed or were upstream_failed (a resume). */
  onlyFailed?: boolean;
}

export interface Cleared {
  /** Task ids reset to queued, in the order given. Each gets its retries anew: maxTries = tryNumber + retries + 1. */
  taskIds: string[];
  /** The run's start time resets: it starts over, unless a task not cleared is still running. */
  restartRun: boolean;
}

/** Which task instances a clear resets; an unknown task id is an error naming the run. */
export function selectForClear(
  runId: string,
  tasks: readonly { taskId: string; state: TaskState; upstream: readonly string[] }[],
  options: ClearSelection,
): Cleared {
  const known = new Set(tasks.map((t) => t.taskId));
  let selected = new Set(options.taskIds ?? known);
  for (const id of selected) if (!known.has(id)) throw new Error(`run ${runId} has no task "${id}"`);
  if (options.downstream && options.taskIds) {
    let grew = true;
    while (grew) {
      grew = false;
      for (const t of tasks)
        if (!selected.has(t.taskId) && t.upstream.some((u) => selected.has(u))) {
          selected.add(t.taskId);
          grew = true;
        }
    }
  }
  if (options.onlyFailed)
    selected = new Set(
      tasks.filter((t) => selected.has(t.taskId) && DONE_BAD.has(t.state)).map((t) => t.taskId),
    );
  return {
    taskIds: tasks.filter((t) => selected.has(t.taskId)).map((t) => t.taskId),
    restartRun: selected.size > 0 && !tasks.some((t) => t.state === 'running' && !selected.has(t.taskId)),
  };
}

// ── one event, one transition: what the RunStore applies ─────────────────────────────────────────────────

/** A task instance as the state machine sees it. */
interface TaskSnapshot {
  taskId: string;
  state: TaskState;
  upstream: readonly string[];
  tryNumber: number;
  maxTries: number;
  /** Retries after the first try, as the DAG defines them now. */
  retries: number;
  nextRetryAt: string | null;
}

/** A run and its task instances (in priority order), read in the transaction that applies the transition. */
export interface RunSnapshot {
  runId: string;
  state: RunState;
  ownerId: string | null;
  tasks: readonly TaskSnapshot[];
}

export type RunEvent =
  /** An executor starts the next try of a task instance. */
  | { kind: 'try-started'; taskId: string }
  /** A try ended with `result` (see tryResult). */
  | { kind: 'try-ended'; taskId: string; tryNumber: number; result: TryResult }
  /** A running try's process is gone: dead pid, or no heartbeat for too long. */
  | { kind: 'try-lost'; taskId: string; tryNumber: number; reason: string }
  /** The executor holding the run is gone; its tries are handled by try-lost. */
  | { kind: 'owner-lost' }
  /** Task instances reset to run again (a clear, a resume, a rerun). */
  | { kind: 'cleared'; selection: ClearSelection }
  /** The DAG's definition changed: instances of tasks no longer in it are skipped. */
  | { kind: 'dag-changed'; taskIds: readonly string[] };

/** One change to a task instance's row; the store maps each kind to its columns. */
type TaskChange =
  | { kind: 'started'; taskId: string; tryNumber: number }
  | ({ kind: 'ended'; taskId: string; tryNumber: number } & NonNullable<TryEnd['task']>)
  | { kind: 'lost'; taskId: string; tryNumber: number; state: 'up_for_retry' | 'failed'; error: string }
  | { kind: 'cleared'; taskId: string; maxTries: number }
  | { kind: 'removed'; taskId: string }
  | { kind: 'settled'; taskId: string; state: TaskState };

export interface Transition {
  /** False when the event does not apply (a task not ready to start, a try that no longer holds its instance). */
  applied: boolean;
  /** In order: the event's own changes, then what settling decided. */
  tasks: TaskChange[];
  /** For try-ended and try-lost: how the try's own row ends. */
  tryState?: TryState;
  /** For cleared: the tasks reset and whether the run's clock restarts. */
  cleared?: Cleared;
  run: {
    state: RunState;
    /** The run's row changes state, or ends while still recorded with an owner (who is then released). */
    changed: boolean;
    final: boolean;
    /** A try started: the run's start time is set unless it has one. */
    started: boolean;
  };
}

const TRY_LOST_STATE: TryState = 'failed';

/**
 * The next task and run states after `event`: the event's own change, then settling (see settle). Pure, like
 * Dagster's ActiveExecution: the RunStore reads a snapshot, calls this, and writes what it returns.
 */
export function transition(run: RunSnapshot, event: RunEvent, now: Date): Transition {
  const tasks = new Map(run.tasks.map((t) => [t.taskId, t]));
  const changes: TaskChange[] = [];
  const states = new Map(run.tasks.map((t) => [t.taskId, t.state]));
  let applied = true;
  let tryState: TryState | undefined;
  let cleared: Cleared | undefined;
  switch (event.kind) {
    case 'try-started': {
      const task = tasks.get(event.taskId);
      const next = task && startTry(task, run.state, now);
      if (!next) applied = false;
      else {
        changes.push({ kind: 'started', taskId: event.taskId, tryNumber: next.tryNumber });
        states.set(event.taskId, 'running');
      }
      break;
    }
    case 'try-ended': {
      const end = finishTry(tasks.get(event.taskId), event.tryNumber, event.result);
      tryState = end.tryState;
      if (!end.task) applied = false;
      else {
        changes.push({ kind: 'ended', taskId: event.taskId, tryNumber: event.tryNumber, ...end.task });
        states.set(event.taskId, end.task.state);
      }
      break;
    }
    case 'try-lost': {
      const task = tasks.get(event.taskId);
      if (task?.state !== 'running' || task.tryNumber !== event.tryNumber) applied = false;
      else {
        const lost = loseTry(task, event.reason);
        changes.push({ kind: 'lost', taskId: event.taskId, tryNumber: event.tryNumber, ...lost });
        states.set(event.taskId, lost.state);
      }
      tryState = TRY_LOST_STATE;
      break;
    }
    case 'owner-lost':
      break;
    case 'cleared': {
      cleared = selectForClear(run.runId, run.tasks, event.selection);
      for (const taskId of cleared.taskIds) {
        const t = tasks.get(taskId)!;
        changes.push({ kind: 'cleared', taskId, maxTries: t.tryNumber + t.retries + 1 });
        states.set(taskId, 'queued');
      }
      break;
    }
    case 'dag-changed':
      for (const taskId of removedFromDag(run.tasks, event.taskIds)) {
        changes.push({ kind: 'removed', taskId });
        states.set(taskId, 'skipped');
      }
      break;
  }
  const settled = settle(
    { state: run.state, ownerId: run.ownerId },
    run.tasks.map((t) => ({ taskId: t.taskId, state: states.get(t.taskId)!, upstream: t.upstream })),
  );
  for (const s of settled.tasks) changes.push({ kind: 'settled', ...s });
  return {
    applied,
    tasks: changes,
    ...(tryState ? { tryState } : {}),
    ...(cleared ? { cleared } : {}),
    run: {
      state: settled.runState,
      changed: settled.runChanged,
      final: settled.runFinal,
      started: event.kind === 'try-started' && applied,
    },
  };
}
