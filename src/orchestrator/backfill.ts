// Backfills: one run per day of [from, to]; resumable (done days are skipped, the rest resumed) and --rerun-able.
import type { AqlakeConfig } from '../config/index.js';
import { errorMessage, PipelineError, stopsCommand, storageFailure, UsageError } from '../errors.js';
import { openMetaDb } from '../lake/meta/meta-db.js';
import { systemClock } from '../time/clock.js';
import { eachDate } from '../time/local-day.js';
import type { Dag } from './dag.js';
import { type ExecutionSettings, executeRuns, executionSettings, secretsOf } from './execute-runs.js';
import { type ExecutorEvent, livenessProbe } from './executor.js';
import { failUnfinishedRuns } from './fail-unfinished.js';
import type { PlanEstimate } from './registry.js';
import { type DagRun, type RunState, RunStore, runIdFor } from './run-store.js';

/** create: no run yet · resume: continue an unfinished or failed run (failed tasks only) · rerun: clear all · skip: done. */
type BackfillAction = 'create' | 'resume' | 'rerun' | 'skip';

interface BackfillPlanItem {
  logicalDate: string;
  runId: string;
  action: BackfillAction;
  /** The state of the existing run, if any. */
  existing: RunState | null;
}

export interface BackfillPlan {
  dagId: string;
  from: string;
  to: string;
  items: BackfillPlanItem[];
  /** Days that will run (create, resume, rerun). */
  toRun: string[];
  estimate?: PlanEstimate;
}

/** Redo every day (true), none (false), or the days in the set (e.g. days whose source data changed). */
export type Rerun = boolean | ReadonlySet<string>;

/** The plan for a backfill given the runs that exist: a pure function of its inputs. */
function planBackfillFrom(
  dag: Pick<Dag, 'id'>,
  from: string,
  to: string,
  existing: ReadonlyMap<string, Pick<DagRun, 'state'>>,
  rerun: Rerun,
): BackfillPlan {
  const items = eachDate(from, to).map((logicalDate): BackfillPlanItem => {
    const run = existing.get(logicalDate);
    const action: BackfillAction = !run
      ? 'create'
      : rerun === true || (rerun instanceof Set && rerun.has(logicalDate))
        ? 'rerun'
        : run.state === 'success'
          ? 'skip'
          : 'resume';
    return { logicalDate, runId: runIdFor(dag.id, logicalDate), action, existing: run?.state ?? null };
  });
  return {
    dagId: dag.id,
    from,
    to,
    items,
    toRun: items.filter((i) => i.action !== 'skip').map((i) => i.logicalDate),
  };
}

export function planBackfill(
  store: RunStore,
  dag: Dag,
  from: string,
  to: string,
  rerun: Rerun,
): BackfillPlan {
  const existing = new Map(store.listRuns({ dagId: dag.id, from, to }).map((r) => [r.logicalDate, r]));
  return planBackfillFrom(dag, from, to, existing, rerun);
}

export interface BackfillProgress {
  event: ExecutorEvent | { kind: 'planned'; plan: BackfillPlan };
  /** Runs of this backfill finished so far (success or failed), and how many will run. */
  done: number;
  total: number;
  failed: number;
}

export interface BackfillOptions extends ExecutionSettings {
  dag: Dag;
  from: string;
  to: string;
  params?: Record<string, unknown>;
  /** Days run at once, and tasks at once (default: config.orchestrator.parallelism, else 1). */
  parallel?: number;
  /** Clear and redo days whose runs exist, successful ones included: all of them (true) or the days given. */
  rerun?: Rerun;
  /** AQLAKE_HOME (default: config.home). */
  home?: string;
  config?: AqlakeConfig;
  /** An open run store on the home's metadata DB (default: opened here and closed at the end). */
  store?: RunStore;
  onProgress?: (progress: BackfillProgress) => void;
  /** Abort to stop: running tasks are interrupted and recorded; a later backfill resumes. */
  signal?: AbortSignal;
}

export interface BackfillSummary {
  dagId: string;
  from: string;
  to: string;
  runs: { runId: string; logicalDate: string; action: BackfillAction; state: RunState }[];
  succeeded: number;
  failed: number;
  skipped: number;
  /** Runs not finished because the backfill was stopped. */
  unfinished: number;
  /** Why it stopped early, or null. */
  interrupted: string | null;
  /**
   * Set when a task's error stopped the whole backfill (a refused API key, an unreachable API, a full disk): its
   * message. The runs it left unfinished are failed with it, so none stays queued or running.
   */
  stoppedByError: string | null;
  durationMs: number;
}

/**
 * Runs a DAG for every day in [from, to] (local dates of the DAG's zone) and waits for the runs.
 * A second call skips days already done and resumes the others; `rerun` redoes them all.
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillSummary> {
  const clock = options.clock ?? systemClock;
  const started = clock().getTime();
  const { dag, from, to } = options;
  if (to < from) throw new UsageError(`backfill: --to (${to}) is before --from (${from})`);
  const home = options.home ?? options.config?.home;
  if (!home) throw new UsageError('backfill: no lake home given');
  const parallel = options.parallel ?? options.config?.orchestrator.parallelism ?? 1;
  const ownStore = !options.store;
  const store = options.store ?? new RunStore(openMetaDb(home));
  try {
    // Runs left behind by a killed process must be released before they can be resumed.
    store.recoverStale(livenessProbe(options.staleAfterMs ?? 30_000, clock()));
    const plan = planBackfill(store, dag, from, to, options.rerun ?? false);
    const params = options.params ?? {};
    for (const item of plan.items) prepare(store, dag, item, params);

    const total = plan.toRun.length;
    let done = 0;
    let failed = 0;
    const report = (event: BackfillProgress['event']): void =>
      options.onProgress?.({ event, done, total, failed });
    report({ kind: 'planned', plan });
    const runIds = plan.items.filter((i) => i.action !== 'skip').map((i) => i.runId);
    let stoppedByError: string | null = null;
    const execution = executeRuns({
      stopOn: (err) => {
        if (!stopsCommand(err)) return false;
        stoppedByError ??= errorMessage(err);
        return true;
      },
      ...executionSettings(options),
      ...(options.signal ? { signal: options.signal } : {}),
      secrets: options.secrets ?? secretsOf(options.config),
      store,
      home,
      dags: (id) => (id === dag.id ? dag : undefined),
      runIds,
      parallelism: parallel,
      maxActiveRuns: parallel,
      onEvent: (event) => {
        if (event.kind === 'run-finished' && runIds.includes(event.runId)) {
          done++;
          if (event.state === 'failed') failed++;
        }
        report(event);
      },
    });
    let result: Awaited<typeof execution>;
    try {
      result = await execution;
    } catch (err) {
      // The executor itself failed (its own SQLite write on a full disk): leave no run of this backfill open.
      const storage = storageFailure(err);
      if (!storage) throw err;
      recordUnfinished(store, runIds, errorMessage(err));
      throw new PipelineError(
        `stopped, ${storage}: ${errorMessage(err)}; ${done} of ${total} day(s) finished, the others are marked failed — free space (or fix the disk) and run the same command again`,
      );
    }

    if (stoppedByError !== null) recordUnfinished(store, runIds, stoppedByError);
    const runs = plan.items.map((item) => ({
      runId: item.runId,
      logicalDate: item.logicalDate,
      action: item.action,
      state: store.getRun(item.runId)?.state ?? 'queued',
    }));
    return {
      dagId: dag.id,
      from,
      to,
      runs,
      succeeded: runs.filter((r) => r.action !== 'skip' && r.state === 'success').length,
      failed: runs.filter((r) => r.state === 'failed').length,
      skipped: runs.filter((r) => r.action === 'skip').length,
      unfinished: runs.filter((r) => r.state === 'queued' || r.state === 'running').length,
      interrupted: result.stoppedBecause,
      stoppedByError,
      durationMs: clock().getTime() - started,
    };
  } finally {
    if (ownStore) store.db.close();
  }
}

/** Fails the unfinished runs with the error that stopped the backfill; the DB may be on the full disk too. */
function recordUnfinished(store: RunStore, runIds: readonly string[], reason: string): void {
  try {
    failUnfinishedRuns(store, runIds, `not finished: ${reason}`);
  } catch (err) {
    process.stderr.write(`aqlake: could not record the unfinished runs: ${errorMessage(err)}\n`);
  }
}

function prepare(store: RunStore, dag: Dag, item: BackfillPlanItem, params: Record<string, unknown>): void {
  if (item.action === 'skip') return;
  if (item.action === 'create') {
    const { created } = store.createRun(dag, { logicalDate: item.logicalDate, runType: 'backfill', params });
    if (created) return;
    // Another process created it between planning and now: resume it like any existing run.
  }
  store.clearTasks(item.runId, {
    ...(item.action === 'rerun' ? {} : { onlyFailed: true }),
    params,
    note: item.action === 'rerun' ? 'cleared by backfill --rerun' : 'resumed by backfill',
  });
}
