// RunsService over the orchestrator: the run store for history, triggerRun / clearRun / runBackfill for actions,
// each executed in the background of the server process so a request returns at once.
import { randomUUID } from 'node:crypto';
import type { AqlakeConfig } from '../../config/index.js';
import { errorMessage, isNotFound } from '../../errors.js';
import type { Logger } from '../../logging.js';
import {
  type Dag,
  type DagRun,
  executeRuns,
  clearRun as orchestratorClear,
  triggerRun as orchestratorTrigger,
  type RunStore,
  readTaskLog,
  runBackfill,
  secretsOf,
} from '../../orchestrator/index.js';
import { runCosts } from '../../orchestrator/task-cost.js';
import { redactTaskLog } from '../log-redaction.js';
import type { BackfillStatus, RunSummary, RunsService, TaskInstanceView } from '../services.js';

export interface OrchestratorRunsOptions {
  config: AqlakeConfig;
  store: RunStore;
  /** The DAG the page shows, triggers and backfills. */
  dag: Dag;
  logger?: Logger;
  /** Tasks at once per background execution (default config.orchestrator.parallelism). */
  parallelism?: number;
}

export interface ClosableRunsService extends RunsService {
  /** Stops background executions (running tasks are interrupted and recorded) and waits for them. */
  close(): Promise<void>;
}

export function orchestratorRuns(options: OrchestratorRunsOptions): ClosableRunsService {
  const { config, store, dag, logger } = options;
  const home = config.home;
  const parallelism = options.parallelism ?? config.orchestrator.parallelism;
  const secrets = secretsOf(config);
  const stop = new AbortController();
  const background = new Set<Promise<unknown>>();
  const backfills = new Map<string, BackfillStatus>();
  let latestBackfill: string | undefined;

  const inBackground = (what: string, job: Promise<unknown>): void => {
    const tracked = job
      .catch((err) => logger?.error({ err: errorMessage(err) }, `${what} failed`))
      .finally(() => background.delete(tracked));
    background.add(tracked);
  };

  /** Runs a queued run here unless another executor (a scheduler) holds it. */
  const execute = (run: DagRun): void => {
    if (stop.signal.aborted || store.getRun(run.runId)?.ownerId) return;
    inBackground(
      `run ${run.runId}`,
      executeRuns({
        store,
        home,
        dags: (id) => (id === dag.id ? dag : undefined),
        runIds: [run.runId],
        parallelism,
        maxActiveRuns: 1,
        signal: stop.signal,
        secrets,
        ...(logger ? { logger } : {}),
      }),
    );
  };

  const summary = (run: DagRun, costs = runCosts(store.db, [run.runId])): RunSummary => ({
    runId: run.runId,
    dagId: run.dagId,
    logicalDate: run.logicalDate,
    runType: run.runType,
    state: run.state,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    params: run.params,
    taskStates: Object.fromEntries(store.listTaskInstances(run.runId).map((ti) => [ti.taskId, ti.state])),
    costUsd: costs.get(run.runId)?.usd ?? null,
  });

  return {
    taskIds: () => dag.tasks.map((t) => t.id),

    async listRuns(filter) {
      const runs = store.listRuns({
        dagId: filter.dagId ?? dag.id,
        ...(filter.state ? { states: [filter.state] } : {}),
        ...(filter.from ? { from: filter.from } : {}),
        ...(filter.to ? { to: filter.to } : {}),
        order: 'newest',
        ...(filter.limit ? { limit: filter.limit } : {}),
      });
      const costs = runCosts(
        store.db,
        runs.map((r) => r.runId),
      );
      return runs.reverse().map((r) => summary(r, costs));
    },

    async getRun(runId) {
      const run = store.getRun(runId);
      return run && summary(run);
    },

    async taskInstances(runId) {
      if (!store.getRun(runId)) return undefined;
      const tries = store.listTaskTries(runId);
      return store.listTaskInstances(runId).map(
        (ti): TaskInstanceView => ({
          runId,
          taskId: ti.taskId,
          state: ti.state,
          tryNumber: ti.tryNumber,
          maxTries: ti.maxTries,
          startedAt: ti.startedAt,
          endedAt: ti.endedAt,
          durationMs: ti.durationMs,
          error: ti.error,
          tries: tries
            .filter((t) => t.taskId === ti.taskId)
            .sort((a, b) => a.tryNumber - b.tryNumber)
            .map((t) => ({
              tryNumber: t.tryNumber,
              state: t.state,
              startedAt: t.startedAt,
              endedAt: t.endedAt,
              durationMs: t.durationMs,
              error: t.error,
            })),
        }),
      );
    },

    async taskLog(runId, taskId, tryNumber) {
      const attempt = store.listTaskTries(runId, taskId).find((t) => t.tryNumber === tryNumber);
      if (!attempt) return undefined;
      try {
        return redactTaskLog(readTaskLog(home, attempt.logPath), { home });
      } catch (err) {
        // A try that has not written a line yet has no file.
        if (isNotFound(err)) return '';
        throw err;
      }
    },

    async trigger({ date, locations }) {
      const result = await orchestratorTrigger({
        store,
        dag,
        logicalDate: date,
        params: locations ? { locations } : {},
        home,
        parallelism,
        queueOnly: true,
      });
      execute(result.run);
      return summary(store.getRun(result.run.runId)!);
    },

    async clear({ runId, task, downstream }) {
      const run = store.getRun(runId);
      if (!run || (task && !store.getTaskInstance(runId, task))) return undefined;
      const result = await orchestratorClear({
        store,
        dag,
        runId,
        ...(task ? { taskIds: [task] } : {}),
        downstream: downstream ?? false,
        home,
        parallelism,
        queueOnly: true,
      });
      execute(result.run);
      return { cleared: result.clearedTasks };
    },

    async startBackfill({ from, to, locations }) {
      const id = randomUUID();
      const progress: BackfillStatus = {
        id,
        from,
        to,
        state: 'running',
        totalRuns: 0,
        doneRuns: 0,
        failedRuns: 0,
        runningRuns: 0,
        startedAt: store.clock().toISOString(),
        endedAt: null,
        error: null,
      };
      backfills.set(id, progress);
      latestBackfill = id;
      const running = new Set<string>();
      const finish = (state: 'success' | 'failed', error: string | null): void => {
        progress.state = state;
        progress.error = error;
        progress.runningRuns = 0;
        progress.endedAt = store.clock().toISOString();
      };
      // runBackfill plans and reports `planned` before its first await, so totalRuns is known when this returns.
      const job = runBackfill({
        dag,
        from,
        to,
        params: locations ? { locations } : {},
        config,
        home,
        store,
        parallel: parallelism,
        signal: stop.signal,
        secrets,
        ...(logger ? { logger } : {}),
        onProgress: (p) => {
          progress.totalRuns = p.total;
          progress.doneRuns = p.done - p.failed;
          progress.failedRuns = p.failed;
          if (p.event.kind === 'run-started') running.add(p.event.runId);
          if (p.event.kind === 'run-finished') running.delete(p.event.runId);
          progress.runningRuns = running.size;
        },
      }).then(
        (s) =>
          finish(
            s.failed === 0 && s.interrupted === null && s.unfinished === 0 ? 'success' : 'failed',
            s.interrupted ?? (s.failed > 0 ? `${s.failed} of ${s.runs.length} runs failed` : null),
          ),
        (err) => finish('failed', errorMessage(err)),
      );
      inBackground(`backfill ${from}..${to}`, job);
      return { ...progress };
    },

    async backfillProgress(id) {
      const p = backfills.get(id ?? latestBackfill ?? '');
      return p && { ...p };
    },

    async close() {
      stop.abort(new Error('the server is stopping'));
      await Promise.allSettled([...background]);
    },
  };
}
