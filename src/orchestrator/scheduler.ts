// The scheduler: a tick loop that creates due runs (croner only computes times) and runs them through one executor.
import type { Logger } from '../logging.js';
import { systemClock } from '../time/clock.js';
import type { Dag } from './dag.js';
import { type ExecutionSettings, executionSettings } from './execute-runs.js';
import { Executor, type ExecutorEvent } from './executor.js';
import type { DagRun, RunState, RunStore } from './run-store.js';
import { dueLogicalDates, latestDueDate, nextFireTime } from './schedule.js';

/** Creates the runs that are due at `now` for each scheduled DAG, within its free active-run slots. */
function createDueRuns(store: RunStore, dags: readonly Dag[], now: Date): DagRun[] {
  const created: DagRun[] = [];
  for (const dag of dags) {
    if (!dag.schedule) continue;
    const latest = latestDueDate(dag.schedule, now);
    if (!latest || latest < dag.startDate) continue;
    const activeRuns = store.listRuns({ dagId: dag.id, states: ['queued', 'running'] }).length;
    const existingDates = dag.catchup
      ? store.runDates(dag.id, dag.startDate, latest)
      : store.runDates(dag.id, latest, latest);
    const dates = dueLogicalDates({ ...dag, now, existingDates, activeRuns });
    for (const logicalDate of dates) {
      const { run, created: isNew } = store.createRun(dag, { logicalDate, runType: 'scheduled' });
      if (isNew) created.push(run);
    }
  }
  return created;
}

/** Unfinished scheduled and manual runs of these DAGs, oldest first. Backfill runs belong to `aqlake backfill`. */
function runsForScheduler(store: RunStore, dags: readonly Dag[]): DagRun[] {
  const ids = new Set(dags.map((d) => d.id));
  return store
    .listRuns({ states: ['queued', 'running'], runTypes: ['scheduled', 'manual'], order: 'oldest' })
    .filter((r) => ids.has(r.dagId));
}

export interface SchedulerOptions extends ExecutionSettings {
  dags: readonly Dag[];
  store: RunStore;
  home: string;
  /** Task instances running at once, across DAGs and runs. */
  parallelism: number;
  /** Create what is due, run it (and anything queued) to completion, then return. */
  once?: boolean;
  /** Longest wait between ticks (default 5 s); a finished run or the next fire time wakes it earlier. */
  tickMs?: number;
  signal?: AbortSignal;
  now?: () => Date;
  onEvent?: (event: ExecutorEvent | { kind: 'runs-created'; runs: DagRun[] }) => void;
  logger?: Logger;
}

export interface SchedulerResult {
  created: DagRun[];
  runs: Map<string, RunState>;
  stoppedBecause: string | null;
}

/**
 * Runs the scheduler until `signal` aborts (or, with `once`, until nothing is due or queued). Survives
 * restarts: state lives in the run store, and the executor recovers tries a dead process left running.
 */
export async function runScheduler(options: SchedulerOptions): Promise<SchedulerResult> {
  const now = options.now ?? systemClock;
  const tickMs = options.tickMs ?? 5_000;
  const created: DagRun[] = [];
  let wakeTick: (() => void) | null = null;
  const executor = new Executor({
    ...executionSettings(options),
    store: options.store,
    home: options.home,
    dags: (id) => options.dags.find((d) => d.id === id),
    parallelism: options.parallelism,
    onEvent: (event) => {
      options.onEvent?.(event);
      if (event.kind === 'run-finished') wakeTick?.();
    },
  });

  const tick = (): number => {
    const fresh = createDueRuns(options.store, options.dags, now());
    if (fresh.length > 0) {
      created.push(...fresh);
      options.onEvent?.({ kind: 'runs-created', runs: fresh });
    }
    let submitted = 0;
    for (const run of runsForScheduler(options.store, options.dags))
      if (!executor.isWorkingOn(run.runId)) {
        executor.submit(run.runId);
        submitted++;
      }
    return fresh.length + submitted;
  };

  const signalOpt = options.signal ? { signal: options.signal } : {};
  if (options.once) {
    const runs = new Map<string, RunState>();
    let stoppedBecause: string | null = null;
    // Finishing a run frees a slot, so with catchup a further round may create more due runs.
    while (!options.signal?.aborted && tick() > 0) {
      const result = await executor.run({ untilIdle: true, ...signalOpt });
      for (const [id, state] of result.runs) runs.set(id, state);
      stoppedBecause = result.stoppedBecause;
      if (stoppedBecause) break;
    }
    return { created, runs, stoppedBecause: stoppedBecause ?? abortReasonOf(options.signal) };
  }

  const running = executor.run({ untilIdle: false, ...signalOpt });
  while (!options.signal?.aborted) {
    try {
      tick();
    } catch (err) {
      options.logger?.warn({ err }, 'scheduler tick failed; retrying at the next tick');
    }
    await new Promise<void>((resolve) => {
      const fires = options.dags
        .map((d) => (d.schedule ? nextFireTime(d.schedule, now()) : null))
        .filter((d): d is Date => d !== null)
        .map((d) => d.getTime() - now().getTime() + 10);
      const timer = setTimeout(done, Math.max(0, Math.min(tickMs, ...fires)));
      function done(): void {
        clearTimeout(timer);
        wakeTick = null;
        options.signal?.removeEventListener('abort', done);
        resolve();
      }
      wakeTick = done;
      options.signal?.addEventListener('abort', done);
    });
  }
  const result = await running;
  return { created, runs: result.runs, stoppedBecause: result.stoppedBecause };
}

function abortReasonOf(signal: AbortSignal | undefined): string | null {
  if (!signal?.aborted) return null;
  const reason: unknown = signal.reason;
  return typeof reason === 'string' ? reason : reason instanceof Error ? reason.message : 'aborted';
}
