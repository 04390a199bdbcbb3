// The narrow interfaces the HTTP server needs from the orchestrator, the catalog, the checks and the query engine.
// Handlers depend on these only; real-services.ts adapts the real modules, tests pass fakes.

import type { DagRun, TaskInstance, TaskTry } from '../orchestrator/run-store.js';
import type { RunState, TaskState } from '../orchestrator/state-machine.js';

// The run and task words are the orchestrator's: the same states, and views that pick the orchestrator's fields.
export { RUN_STATES, type TaskState } from '../orchestrator/state-machine.js';

/** A DAG run with the current state of each of its task instances (what one column of the grid needs). */
export interface RunSummary
  extends Pick<
    DagRun,
    'runId' | 'dagId' | 'logicalDate' | 'runType' | 'state' | 'startedAt' | 'endedAt' | 'params'
  > {
  /** taskId → state of the task instance's latest try. */
  taskStates: Record<string, TaskState>;
  /** What the run's Glue runs and Athena queries cost at list price, in dollars; null when it paid for none (local). */
  costUsd: number | null;
}

/** One try of a task instance, as the page shows it. */
export type TaskTryView = Pick<
  TaskTry,
  'tryNumber' | 'state' | 'startedAt' | 'endedAt' | 'durationMs' | 'error'
>;

/** A task instance with every try so far (oldest first), as the page shows it. */
export interface TaskInstanceView
  extends Pick<
    TaskInstance,
    'runId' | 'taskId' | 'state' | 'tryNumber' | 'maxTries' | 'startedAt' | 'endedAt' | 'durationMs' | 'error'
  > {
  tries: TaskTryView[];
}

interface RunFilter {
  dagId?: string;
  state?: RunState;
  /** Logical dates, both inclusive. */
  from?: string;
  to?: string;
  /** Newest runs first when limited. */
  limit?: number;
}

/** A backfill the server started, as the page polls it (the orchestrator's BackfillProgress is one event of it). */
export interface BackfillStatus {
  id: string;
  from: string;
  to: string;
  state: 'running' | 'success' | 'failed';
  totalRuns: number;
  doneRuns: number;
  failedRuns: number;
  runningRuns: number;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
}

export interface RunsService {
  /** The DAG's task ids in topological order (the rows of the grid). */
  taskIds(): readonly string[];
  /** Runs ordered by logical date (oldest first), the newest `limit` of them when limited. */
  listRuns(filter: RunFilter): Promise<RunSummary[]>;
  /** undefined when no run has this id. */
  getRun(runId: string): Promise<RunSummary | undefined>;
  /** undefined when no run has this id. */
  taskInstances(runId: string): Promise<TaskInstanceView[] | undefined>;
  /** The text of one try's log; undefined when the run, task or try does not exist. */
  taskLog(runId: string, taskId: string, tryNumber: number): Promise<string | undefined>;
  /** Creates a manual run for `date` and starts it in the background; resolves once the run is recorded. */
  trigger(request: { date: string; locations?: number[] }): Promise<RunSummary>;
  /** Resets task instances so they run again; undefined when the run (or the named task) does not exist. */
  clear(request: {
    runId: string;
    task?: string;
    downstream?: boolean;
  }): Promise<{ cleared: string[] } | undefined>;
  /** Starts a backfill in the background; resolves with its first progress report. */
  startBackfill(request: { from: string; to: string; locations?: number[] }): Promise<BackfillStatus>;
  /** The backfill started by this process (by id, or the latest); undefined when there is none. */
  backfillProgress(id?: string): Promise<BackfillStatus | undefined>;
}

export interface TableInfo {
  name: string;
  /** Partitioned by local date (dev/{table}/year=/month=/day=/). */
  partitioned: boolean;
  /** Null before the catalog step recorded a schema. */
  schemaVersion: number | null;
  partitionCount: number;
  rowCount: number;
  bytes: number;
  fileCount: number;
  /** Range of the table's time column over its current partitions. */
  minTime: string | null;
  maxTime: string | null;
  /** When a partition of the table was last committed. */
  updatedAt: string | null;
}

export interface PartitionInfo {
  table: string;
  /** e.g. `year=2024/month=03/day=07`. */
  partition: string;
  /** The partition's local date when it is a day partition. */
  localDate: string | null;
  rowCount: number;
  bytes: number;
  fileCount: number;
  /** Min/max of the table's time column in this partition. */
  minTime: string | null;
  maxTime: string | null;
  schemaVersion: number | null;
  /** Rows the transform could not type and set aside, when known. */
  quarantinedRows: number | null;
  committedAt: string | null;
}

interface SchemaColumn {
  name: string;
  type: string;
}

export interface SchemaVersionInfo {
  table: string;
  version: number;
  columns: SchemaColumn[];
  createdAt: string | null;
}

export interface CatalogService {
  tables(): Promise<TableInfo[]>;
  /** undefined when the table is unknown. */
  partitions(table: string): Promise<PartitionInfo[] | undefined>;
  /** undefined when the table is unknown. */
  schemaVersions(table: string): Promise<SchemaVersionInfo[] | undefined>;
}

export interface CheckResult {
  check: string;
  table: string | null;
  partition: string | null;
  localDate: string | null;
  severity: 'error' | 'warn';
  /** skip: the check did not apply to this partition. */
  status: 'pass' | 'fail' | 'skip';
  message: string | null;
  observed: number | string | null;
  runId: string | null;
  checkedAt: string | null;
}

export interface ChecksService {
  /** The newest result of each check on each partition, optionally of one local date; the server sorts failed first. */
  results(filter: { date?: string }): Promise<CheckResult[]>;
}

/** Rows as the HTTP API returns them: column names, and each row as an object (the engine's QueryResult, shaped for JSON). */
interface RowSet {
  columns: string[];
  rows: Record<string, unknown>[];
  /** True when the rows were cut at the server's row limit. */
  truncated?: boolean;
}

/** A query the read-only guard or the engine rejected because of the SQL itself (the server answers 400). */
export class QueryRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryRejectedError';
  }
}

/** What one /api/query answer may hold at most; a longer result is cut and says so. */
export interface QueryLimits {
  maxRows: number;
  /** Bytes of the serialised rows. */
  maxBytes: number;
}

/** A user's query as it streams: rows arrive in batches as DuckDB produces them. */
export interface QueryRowStream {
  columns: string[];
  /** Row batches; breaking out of the loop stops the query and frees its connection. */
  batches: AsyncIterable<Record<string, unknown>[]>;
}

export interface QueryService {
  /**
   * Runs one statement on the read-only session (the same guard as `aqlake query`) and streams its rows. Values are
   * JSON-safe (no bigint). Throws QueryRejectedError when the SQL is refused or invalid before the first row; an error
   * while rows stream ends `batches` with it. `maxRowBytes`: a row that cannot be smaller than this ends the stream
   * with QueryTooLargeError before it is built in memory.
   */
  query(
    sql: string,
    options?: { params?: Record<string, string | number | null>; signal?: AbortSignal; maxRowBytes?: number },
  ): Promise<QueryRowStream>;
}

/** The result was cut because one row alone would exceed the byte cap. */
export class QueryTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryTooLargeError';
  }
}

export interface ProdFilter {
  locationId?: number;
  sensorId?: number;
  parameter?: string;
  /** Local dates, both inclusive. */
  from?: string;
  to?: string;
  limit?: number;
}

export interface LocationOption {
  id: number;
  name: string;
  timezone: string | null;
  country: string | null;
  parameters: { parameter: string; units: string; parameterId: number | null; sensorId: number | null }[];
  /** The local date range of its daily averages, when there are any. */
  firstDate: string | null;
  lastDate: string | null;
}

export interface ProdService {
  /** The views the server may read, e.g. `daily_averages` (never user input as SQL). */
  views(): readonly string[];
  /** Rows of `prod.{view}` matching the filter, filters bound as parameters. */
  rows(view: string, filter: ProdFilter): Promise<RowSet>;
  /** Locations with the parameters they have data for (for the page's picker). */
  locations(): Promise<LocationOption[]>;
}

/** What stops the server from answering truthfully (its metadata database deleted or replaced); empty when healthy. */
interface HealthService {
  problems(): string[];
}

export interface Services {
  /** Absent: always healthy (test fakes). */
  health?: HealthService;
  runs: RunsService;
  catalog: CatalogService;
  checks: ChecksService;
  query: QueryService;
  prod: ProdService;
}
