// Runs started by hand: trigger a day (creating or clearing its run) and clear tasks of a run; both can run it here.
import { UsageError } from '../errors.js';
import { systemClock } from '../time/clock.js';
import type { Dag } from './dag.js';
import { type ExecutionSettings, executeRuns, executionSettings } from './execute-runs.js';
import type { ExecutorEvent } from './executor.js';
import { livenessProbe } from './executor.js';
import type { DagRun, RunState, RunStore } from './run-store.js';

export interface RunHereOptions extends ExecutionSettings {
  store: RunStore;
  home: string;
  /** Tasks running at once. */
  parallelism: number;
  /** Only change the store and leave the run to `aqlake scheduler`. */
  queueOnly?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: ExecutorEvent) => void;
}

export interface ManualRunResult {
  run: DagRun;
  /** created: a new run · rerun: the day had a run, now cleared · cleared: some of its tasks were cleared. */
  action: 'created' | 'rerun' | 'cleared';
  clearedTasks: string[];
  /** The run's state when this returned (queued when only queued). */
  state: RunState;
  /** Why execution stopped early, or null. */
  interrupted: string | null;
}

/**
 * A manual run of `dag` for `logicalDate`. Runs are unique per day, so a day that already has a run is
 * re-run: its task instances are cleared (tries and logs are kept) and it is labelled manual.
 */
export async function triggerRun(
  options: RunHereOptions & { dag: Dag; logicalDate: string; params?: Record<string, unknown> },
): Promise<ManualRunResult> {
  const { store, dag, logicalDate } = options;
  store.recoverStale(livenessProbe(options.staleAfterMs ?? 30_000, (options.clock ?? systemClock)()));
  const params = options.params ?? {};
  const { run, created } = store.createRun(dag, { logicalDate, runType: 'manual', params });
  let clearedTasks: string[] = [];
  if (!created) {
    clearedTasks = store.clearTasks(run.runId, { params, note: 'cleared by trigger' });
    store.setRunType(run.runId, 'manual');
  }
  return runHere(options, dag, run.runId, created ? 'created' : 'rerun', clearedTasks);
}

/**
 * Clears task instances of a run so they run again: all of them, or `taskIds` (and their downstream with
 * `downstream`). With a `dag` and not `queueOnly`, runs it here; a run held by a live executor is left to it.
 */
export async function clearRun(
  options: Omit<RunHereOptions, 'parallelism'> & {
    parallelism?: number;
    dag?: Dag;
    runId: string;
    taskIds?: string[];
    downstream?: boolean;
  },
): Promise<ManualRunResult> {
  const { store, dag, runId } = options;
  store.recoverStale(livenessProbe(options.staleAfterMs ?? 30_000, (options.clock ?? systemClock)()));
  const run = store.getRun(runId);
  if (!run) throw new UsageError(`no run "${runId}" (see aqlake runs)`);
  if (dag && run.dagId !== dag.id)
    throw new UsageError(`run ${runId} belongs to DAG ${run.dagId}, not ${dag.id}`);
  for (const id of options.taskIds ?? [])
    if (!store.getTaskInstance(runId, id)) throw new UsageError(`run ${runId} has no task "${id}"`);
  const cleared = store.clearTasks(runId, {
    ...(options.taskIds ? { taskIds: options.taskIds } : {}),
    downstream: options.downstream ?? false,
    note: 'cleared by hand',
  });
  if (!dag) {
    const after = store.getRun(runId)!;
    return { run: after, action: 'cleared', clearedTasks: cleared, state: after.state, interrupted: null };
  }
  return runHere({ ...options, parallelism: options.parallelism ?? 1 }, dag, runId, 'cleared', cleared);
}

async function runHere(
  options: RunHereOptions,
  dag: Dag,
  runId: string,
  action: ManualRunResult['action'],
  clearedTasks: string[],
): Promise<ManualRunResult> {
  const { store } = options;
  let interrupted: string | null = null;
  const before = store.getRun(runId)!;
  if (!options.queueOnly && before.ownerId === null) {
    const result = await executeRuns({
      ...executionSettings(options),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      store,
      home: options.home,
      dags: (id) => (id === dag.id ? dag : undefined),
      runIds: [runId],
      parallelism: options.parallelism,
      maxActiveRuns: 1,
    });
    interrupted = result.stoppedBecause;
  }
  const run = store.getRun(runId)!;
  return { run, action, clearedTasks, state: run.state, interrupted };
}
