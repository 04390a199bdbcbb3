// The DAG model: a DAG is code — tasks with dependencies, retries, timeouts and a schedule — validated once by defineDag.
import { Cron } from 'croner';
import type { Logger } from '../logging.js';
import { isIsoDate, isValidTimeZone } from '../time/local-day.js';
import { DagDefinitionError } from './errors.js';

export type RunType = 'scheduled' | 'backfill' | 'manual';

/** Local calendar days, both inclusive (YYYY-MM-DD). */
export interface DataInterval {
  from: string;
  to: string;
}

export interface TaskRunContext {
  dagId: string;
  runId: string;
  taskId: string;
  /** 1 for the first try, 2 for the first retry, … */
  tryNumber: number;
  /** The last try number this task instance may reach (retries + 1, more after a clear). */
  maxTries: number;
  runType: RunType;
  /** YYYY-MM-DD: the local calendar day of the run, in the schedule's zone. */
  logicalDate: string;
  /** The days this run reads (with a lookback, from = D − lookbackDays, to = D). */
  interval: DataInterval;
  /** Run params, e.g. `{ locations: [1, 2] }`. */
  params: Record<string, unknown>;
  /** Aborted on timeout (TaskTimeoutError), on SIGTERM (TaskInterruptedError) or on clear (TaskClearedError). */
  signal: AbortSignal;
  /** Writes this try's log file; secrets are redacted. */
  logger: Logger;
  /** An extra heartbeat for long tasks; a timer heartbeats every running task anyway. */
  heartbeat(): void;
}

export interface TaskDef {
  id: string;
  upstream?: string[];
  /** Retries after the first try (default: the DAG's defaultRetries, else 0). */
  retries?: number;
  /** Delay before the first retry (default: the DAG's defaultRetryDelayMs, else 30 s). */
  retryDelayMs?: number;
  /** Each further retry waits this many times longer (default 2). */
  retryBackoff?: number;
  /** Upper bound on a retry delay (default 1 h). */
  maxRetryDelayMs?: number;
  /** The try fails after this long; its signal is aborted (default: the DAG's defaultTimeoutMs, else none). */
  timeoutMs?: number;
  run(ctx: TaskRunContext): Promise<void>;
}

export interface Schedule {
  /** Five- or six-field cron expression, evaluated in `timezone`. */
  cron: string;
  /** IANA time zone; also the zone of logical dates. */
  timezone: string;
}

export interface DagDef {
  id: string;
  description?: string;
  /** null: runs only by trigger or backfill. */
  schedule: Schedule | null;
  /** First logical date the scheduler creates a run for (YYYY-MM-DD). */
  startDate: string;
  /** Create runs for every missed day since startDate (true) or only the latest due day (false). */
  catchup: boolean;
  maxActiveRuns: number;
  defaultRetries?: number;
  defaultRetryDelayMs?: number;
  defaultTimeoutMs?: number;
  /** The data interval of the run for `logicalDate`; default: that day alone. */
  dataInterval?(logicalDate: string, runType: RunType): DataInterval;
  tasks: TaskDef[];
}

/** A task with every default applied and its place in the graph. */
export interface DagTask {
  readonly id: string;
  readonly upstream: readonly string[];
  readonly downstream: readonly string[];
  /** Position in a topological order: upstream tasks come first. */
  readonly priority: number;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryBackoff: number;
  readonly maxRetryDelayMs: number;
  readonly timeoutMs: number | null;
  readonly run: (ctx: TaskRunContext) => Promise<void>;
}

export interface Dag {
  readonly id: string;
  readonly description: string;
  readonly schedule: Schedule | null;
  /** The zone logical dates are days of: the schedule's, else UTC. */
  readonly timezone: string;
  readonly startDate: string;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  /** Tasks in topological order. */
  readonly tasks: readonly DagTask[];
  task(id: string): DagTask | undefined;
  /** Every task downstream of `id`, transitively, in topological order. */
  allDownstream(id: string): string[];
  dataIntervalFor(logicalDate: string, runType: RunType): DataInterval;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const DEFAULT_RETRY_DELAY_MS = 30_000;
const DEFAULT_MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Validates a DAG definition and applies defaults. Throws DagDefinitionError naming the problem:
 * a duplicate or unknown task id, a cycle (with its path), a bad cron, time zone or start date.
 *
 * @example
 * const dag = defineDag({ id: 'hello', schedule: { cron: '0 4 * * *', timezone: 'UTC' }, startDate: '2024-01-01',
 *   catchup: false, maxActiveRuns: 1, tasks: [{ id: 'a', run: async (ctx) => ctx.logger.info('hi') }] });
 */
export function defineDag(def: DagDef): Dag {
  const fail = (issue: string): never => {
    throw new DagDefinitionError(def.id, issue);
  };
  if (!ID.test(def.id)) fail('the id may hold only letters, digits, _ . - (it names log folders)');
  if (!isIsoDate(def.startDate)) fail(`startDate: expected YYYY-MM-DD, got "${def.startDate}"`);
  if (!Number.isInteger(def.maxActiveRuns) || def.maxActiveRuns < 1)
    fail(`maxActiveRuns: expected a whole number ≥ 1, got ${def.maxActiveRuns}`);
  if (def.schedule) validateSchedule(def.schedule, fail);
  if (def.tasks.length === 0) fail('has no tasks');

  const defs = new Map<string, TaskDef>();
  for (const t of def.tasks) {
    if (!ID.test(t.id)) fail(`task "${t.id}": the id may hold only letters, digits, _ . -`);
    if (defs.has(t.id)) fail(`task id "${t.id}" is used twice`);
    defs.set(t.id, t);
  }
  for (const t of def.tasks) {
    for (const up of t.upstream ?? []) {
      if (!defs.has(up)) fail(`task "${t.id}" depends on unknown task "${up}"`);
      if (up === t.id) fail(`task "${t.id}" depends on itself`);
    }
    checkTaskNumbers(t, def, fail);
  }
  const order = topologicalOrder(def.tasks, fail);
  const downstream = new Map<string, string[]>(order.map((id) => [id, []]));
  for (const t of def.tasks) for (const up of t.upstream ?? []) downstream.get(up)!.push(t.id);

  const tasks: DagTask[] = order.map((id, priority) => {
    const t = defs.get(id)!;
    return Object.freeze({
      id,
      upstream: Object.freeze([...new Set(t.upstream ?? [])]),
      downstream: Object.freeze(downstream.get(id)!),
      priority,
      retries: t.retries ?? def.defaultRetries ?? 0,
      retryDelayMs: t.retryDelayMs ?? def.defaultRetryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
      retryBackoff: t.retryBackoff ?? 2,
      maxRetryDelayMs: t.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
      timeoutMs: t.timeoutMs ?? def.defaultTimeoutMs ?? null,
      run: t.run,
    });
  });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const intervalOf = def.dataInterval;

  return Object.freeze({
    id: def.id,
    description: def.description ?? '',
    schedule: def.schedule ? Object.freeze({ ...def.schedule }) : null,
    timezone: def.schedule?.timezone ?? 'UTC',
    startDate: def.startDate,
    catchup: def.catchup,
    maxActiveRuns: def.maxActiveRuns,
    tasks: Object.freeze(tasks),
    task: (id: string) => byId.get(id),
    allDownstream(id: string): string[] {
      const seen = new Set<string>();
      const visit = (t: string): void => {
        for (const d of byId.get(t)?.downstream ?? [])
          if (!seen.has(d)) {
            seen.add(d);
            visit(d);
          }
      };
      visit(id);
      return tasks.filter((t) => seen.has(t.id)).map((t) => t.id);
    },
    dataIntervalFor(logicalDate: string, runType: RunType): DataInterval {
      const interval = intervalOf ? intervalOf(logicalDate, runType) : { from: logicalDate, to: logicalDate };
      if (!isIsoDate(interval.from) || !isIsoDate(interval.to) || interval.to < interval.from)
        throw new DagDefinitionError(
          def.id,
          `dataInterval(${logicalDate}) gave ${JSON.stringify(interval)}; expected {from, to} dates, from ≤ to`,
        );
      return { from: interval.from, to: interval.to };
    },
  });
}

function validateSchedule(schedule: Schedule, fail: (issue: string) => never): void {
  if (!isValidTimeZone(schedule.timezone))
    fail(`schedule.timezone: "${schedule.timezone}" is not an IANA time zone`);
  try {
    new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  } catch (err) {
    fail(`schedule.cron "${schedule.cron}": ${(err as Error).message}`);
  }
}

function checkTaskNumbers(t: TaskDef, def: DagDef, fail: (issue: string) => never): void {
  const whole = (name: string, v: number | undefined, min: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min))
      fail(`task "${t.id}": ${name} must be a whole number ≥ ${min}, got ${v}`);
  };
  whole('retries', t.retries ?? def.defaultRetries, 0);
  whole('retryDelayMs', t.retryDelayMs ?? def.defaultRetryDelayMs, 0);
  whole('maxRetryDelayMs', t.maxRetryDelayMs, 0);
  whole('timeoutMs', t.timeoutMs ?? def.defaultTimeoutMs, 1);
  if (t.retryBackoff !== undefined && !(t.retryBackoff >= 1))
    fail(`task "${t.id}": retryBackoff must be ≥ 1, got ${t.retryBackoff}`);
}

/** Kahn's algorithm, keeping declaration order among ready tasks; on a cycle, names it. */
function topologicalOrder(tasks: readonly TaskDef[], fail: (issue: string) => never): string[] {
  const indegree = new Map(tasks.map((t) => [t.id, new Set(t.upstream ?? []).size]));
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < tasks.length) {
    const next = tasks.find((t) => !done.has(t.id) && indegree.get(t.id) === 0);
    if (!next) return fail(`has a cycle: ${findCycle(tasks, done).join(' → ')}`);
    done.add(next.id);
    order.push(next.id);
    for (const t of tasks) if (t.upstream?.includes(next.id)) indegree.set(t.id, indegree.get(t.id)! - 1);
  }
  return order;
}

function findCycle(tasks: readonly TaskDef[], done: Set<string>): string[] {
  const upstreamOf = new Map(tasks.map((t) => [t.id, (t.upstream ?? []).filter((u) => !done.has(u))]));
  // Every remaining task has a remaining upstream, so walking upstream must revisit a task.
  const path: string[] = [];
  let at = tasks.find((t) => !done.has(t.id))!.id;
  while (!path.includes(at)) {
    path.push(at);
    at = upstreamOf.get(at)![0]!;
  }
  const cycle = path.slice(path.indexOf(at)).reverse();
  return [...cycle, cycle[0]!];
}
