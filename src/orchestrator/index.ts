// The orchestrator's public surface: DAG model, run store, executor, scheduler, backfill, manual runs, task logs.
export {
  type BackfillAction,
  type BackfillOptions,
  type BackfillPlan,
  type BackfillPlanItem,
  type BackfillProgress,
  type BackfillSummary,
  planBackfill,
  planBackfillFrom,
  runBackfill,
} from './backfill.js';
export {
  type Dag,
  type DagDef,
  type DagTask,
  type DataInterval,
  defineDag,
  type RunType,
  type Schedule,
  type TaskDef,
  type TaskRunContext,
} from './dag.js';
export {
  DagDefinitionError,
  SkipTask,
  TaskClearedError,
  TaskInterruptedError,
  TaskTimeoutError,
} from './errors.js';
export { type ExecutionSettings, executeRuns, secretsOf } from './execute-runs.js';
export {
  type DagLookup,
  Executor,
  type ExecutorEvent,
  type ExecutorOptions,
  type ExecutorResult,
  livenessProbe,
} from './executor.js';
export { clearRun, type ManualRunResult, type RunHereOptions, triggerRun } from './manual-run.js';
export {
  type DagLoader,
  type DagPlanner,
  type DagRefresher,
  defaultDagId,
  getDag,
  getPlanner,
  getRefresher,
  loadDags,
  type PlanEstimate,
  type RegisteredDag,
  registerDag,
  setDagLoader,
} from './registry.js';
export { afterFailure, retryDelayMs } from './retry.js';
export {
  type ClearOptions,
  type DagRun,
  type Owner,
  type RecoveredTask,
  type RunQuery,
  type RunState,
  RunStore,
  runIdFor,
  type TaskInstance,
  type TaskState,
  type TaskTry,
} from './run-store.js';
export {
  dayEndUtc,
  defaultTriggerDate,
  dueLogicalDates,
  dueTime,
  lastFireTime,
  latestDueDate,
  nextFireTime,
} from './schedule.js';
export {
  createDueRuns,
  runScheduler,
  runsForScheduler,
  type SchedulerOptions,
  type SchedulerResult,
} from './scheduler.js';
export { RUN_STATES } from './state-machine.js';
export { formatLogLine, readTaskLog, taskLogPath } from './task-log.js';
