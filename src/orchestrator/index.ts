// The orchestrator's public surface: DAG model, run store, executor, scheduler, backfill, manual runs, task logs.
export {
  type BackfillPlan,
  type BackfillProgress,
  type BackfillSummary,
  planBackfill,
  runBackfill,
} from './backfill.js';
export {
  type Dag,
  type DagDef,
  defineDag,
  type TaskDef,
  type TaskRunContext,
} from './dag.js';

export { executeRuns, secretsOf } from './execute-runs.js';

export { clearRun, type ManualRunResult, triggerRun } from './manual-run.js';
export { DagRegistry } from './registry.js';

export {
  type DagRun,
  type RunState,
  RunStore,
  type TaskState,
  type TaskTry,
} from './run-store.js';
export { defaultTriggerDate } from './schedule.js';
export { runScheduler } from './scheduler.js';
export { RUN_STATES } from './state-machine.js';
export { formatLogLine, readTaskLog } from './task-log.js';
