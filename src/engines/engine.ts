// The Engine seam: what the pipeline asks of a compute engine (DuckDB locally, Glue + Athena on AWS).

export interface Engine {
  readonly name: 'duckdb' | 'aws';
  /**
   * True when the engine reads raw objects and writes its output in the object store itself (AWS: Glue reads and
   * writes S3). The pipeline then passes store keys without fetching local copies (`path` is empty) and stages the
   * objects the engine reports in `TransformedDay.storedFiles` instead of uploading local files.
   */
  readonly readsStore?: boolean;
  /** Raw /measurements objects → dev.measurements rows of local days `fromDate`..`toDate`, as local Parquet files. */
  transformMeasurements(input: MeasurementsTransformInput): Promise<MeasurementsTransformOutput>;
  /** Location snapshots → dev.locations and dev.sensors (SCD2: a new version only when attributes change). */
  transformDimensions(input: DimensionsTransformInput): Promise<DimensionsTransformOutput>;
  /** Schema, row counts and the time column's range of Parquet files, read from their footers (the crawler's view). */
  inspectParquet(paths: readonly string[], options?: { timeColumn?: string }): Promise<ParquetInspection>;
  /** Runs the data checks of sql/checks/ on one partition version (validate, `aqlake check`). */
  checkPartition(input: PartitionCheckInput): Promise<CheckOutcome[]>;
  /** Builds the prod views of sql/prod/ over the dev tables in a fresh session (proof they compile); their names. */
  createProdViews(tables: readonly DevTableFiles[]): Promise<string[]>;
  /**
   * One local day of every prod table materialised per day (sql/prod files marked `materialised: per local day`),
   * computed by its sql/prod rule from dev.measurements files, as one local Parquet file per table (also when the day
   * has no rows), each carrying its rule version.
   */
  buildProdDay(input: ProdDayInput): Promise<ProdDayOutput>;
  /** A locked session with dev.* and prod.* views in which user SQL can read the lake and do nothing else. */
  openReadOnlySession(input: ReadOnlySessionInput): Promise<ReadOnlyQuerySession>;
  close(): Promise<void>;
  /**
   * This engine for one task, telling `onCost` each call it pays for (a cloud engine: a Glue job run, an Athena
   * query). Absent on an engine whose work costs nothing per call (the local one).
   */
  withCostListener?(onCost: (call: PricedCall) => void): Engine;
}

/** One priced call of a cloud engine, at list price: what it used and its dollars. */
export interface PricedCall {
  glueDpuSeconds?: number;
  glueBilledDpuSeconds?: number;
  glueJobRuns?: number;
  athenaBytesScanned?: number;
  athenaBilledBytes?: number;
  athenaQueries?: number;
  usd: number;
}

// --- transform and catalog (lakehouse) -------------------------------------------------------------------------

/** A column as a table's schema records it: name and DuckDB type name (BIGINT, TIMESTAMP, VARCHAR, …). */
export interface ColumnSchema {
  name: string;
  type: string;
}

/** One raw /measurements object with its request context from the manifest (records carry no ids). */
export interface RawMeasurementsObject {
  rawKey: string;
  /** A local file holding the object's bytes (ObjectStore.localPath); empty for an engine that `readsStore`. */
  path: string;
  sensorId: number;
  locationId: number | null;
  /** ISO UTC. */
  fetchedAt: string;
  windowFromUtc: string | null;
  windowToUtc: string | null;
  /** False when the extract's validation failed: the engine reads it defensively and quarantines what it cannot type. */
  valid: boolean;
  validationError: string | null;
}

export interface MeasurementsTransformInput {
  /** Local calendar days, both inclusive. */
  fromDate: string;
  toDate: string;
  /** Names the versions an engine that `readsStore` writes (the lake's newVersionTag): `…/{date}/{tag}.parquet`. */
  versionTag?: string;
  objects: readonly RawMeasurementsObject[];
  /** Local paths of dev.locations' current files: timezone and coordinates of each location over time. */
  locationFiles: readonly string[];
  /** Store keys of the same files (what an engine that `readsStore` reads). */
  locationKeys?: readonly string[];
  /** Store keys of the parameter snapshot's pages (`parameterFiles`), for an engine that `readsStore`. */
  parameterKeys?: readonly string[];
  /** The quality spec (sql/dev/quality-rules.json), shared with the AWS Glue job. */
  qualityRulesPath: string;
  /** An empty local folder the engine writes its output files into. */
  workDir: string;
  /** Raw archive objects (a location's local day each) whose rows join the API's before the dedup. */
  archiveObjects?: readonly RawArchiveObject[];
  /** Local paths of the newest /v3/parameters snapshot: archive rows get their parameter id from name + units. */
  parameterFiles?: readonly string[];
}

/** One raw OpenAQ archive object (.csv.gz of a location's local day) with its manifest context. */
export interface RawArchiveObject {
  rawKey: string;
  /** A local file holding the object's bytes (ObjectStore.localPath); its name ends in .gz. Empty for `readsStore`. */
  path: string;
  locationId: number;
  /** The local day the file is for (its name). */
  localDate: string;
  /** ISO UTC. */
  fetchedAt: string;
  /** False when the extract's check failed: the object is not read and becomes one quarantine row. */
  valid: boolean;
  validationError: string | null;
}

export interface LocalFile {
  localPath: string;
  rows: number;
  bytes: number;
}

/** Reconciliation of one local day: rawRows = rows + quarantinedRows + duplicatesDropped when nothing is lost. */
export interface DayStats {
  rawRows: number;
  rows: number;
  quarantinedRows: number;
  duplicatesDropped: number;
  /** ISO UTC of the day's first and last period end written, null without rows. */
  minPeriodEndUtc: string | null;
  maxPeriodEndUtc: string | null;
}

/** An object an engine that `readsStore` wrote into the store itself (the day's new version). */
interface StoredVersionFile {
  key: string;
  rows: number;
  bytes: number;
  kind: 'data' | 'quarantine';
}

export interface TransformedDay {
  localDate: string;
  files: LocalFile[];
  quarantineFiles: LocalFile[];
  /** Set by an engine that `readsStore` (then `files` and `quarantineFiles` are empty): stage these keys as they are. */
  storedFiles?: StoredVersionFile[];
  stats: DayStats;
}

export interface MeasurementsTransformOutput {
  /** Every day of the range in order, days without rows included. */
  days: TransformedDay[];
  columns: ColumnSchema[];
  quarantineColumns: ColumnSchema[];
}

interface RawLocationsObject {
  rawKey: string;
  path: string;
  fetchedAt: string;
}

export interface DimensionsTransformInput {
  objects: readonly RawLocationsObject[];
  workDir: string;
}

export interface DimensionTableOutput {
  files: LocalFile[];
  columns: ColumnSchema[];
  rows: number;
}

export interface DimensionsTransformOutput {
  locations: DimensionTableOutput;
  sensors: DimensionTableOutput;
}

export interface ParquetInspection {
  /** The files' common schema; files that disagree make inspectParquet throw. */
  columns: ColumnSchema[];
  rows: number;
  files: { path: string; rows: number; bytes: number }[];
  /** Range of the time column (default period_end_utc) as ISO UTC, null when absent or empty. */
  minTime: string | null;
  maxTime: string | null;
}

// --- prod materialised per day -----------------------------------------------------------------------------------

export interface ProdDayInput {
  /** The local day to compute. */
  localDate: string;
  /**
   * Local paths of dev.measurements files holding the day's rows and the day before's (an hour can end past the local
   * midnight of its last measurement's day); rows of other days are ignored.
   */
  measurementFiles: readonly string[];
  /** dev.measurements' columns (they type the input when there is no file). */
  measurementColumns: readonly ColumnSchema[];
  /** An empty local folder the engine writes its files into. */
  workDir: string;
}

export interface ProdDayTable {
  /** `hourly` for prod.hourly. */
  table: string;
  /** Hash of the table's sql/prod rule (and of the views it reads) the file was computed with. */
  ruleVersion: string;
  file: LocalFile;
  columns: ColumnSchema[];
}

export interface ProdDayOutput {
  localDate: string;
  tables: ProdDayTable[];
}

// --- validate, publish, query ----------------------------------------------------------------------------------

/** One dev table as a reader sees it: local paths of its files now, and its columns (they type a table without files). */
export interface DevTableFiles {
  table: string;
  /** Local paths of the files (empty for an engine that `readsStore`: it reads `keys`). */
  paths: readonly string[];
  /** Store keys of the same files. */
  keys?: readonly string[];
  columns: readonly ColumnSchema[];
}

/** Values the checks of sql/checks/ bind by name ($local_date, $raw_rows, …; see sql/checks/README.md). */
export interface CheckParams {
  localDate: string;
  rawRows: number | null;
  quarantinedRows: number | null;
  duplicatesDropped: number | null;
  minCoveragePct: number;
  maxStalenessHours: number;
  /** The run's clock, ISO UTC. */
  nowUtc: string;
  qualityRulesPath: string;
}

export interface PartitionCheckInput {
  /** The partition version under test: during the checks `dev.<table>` holds exactly these files. */
  partition: DevTableFiles;
  params: CheckParams;
}

export type CheckSeverity = 'error' | 'warn';
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckOutcome {
  check: string;
  severity: CheckSeverity;
  status: CheckStatus;
  /** What the check measured (a count, hours of age …). */
  observed: number | string | null;
  /** One short line, e.g. `3 duplicate keys, e.g. sensor 7 at 2024-07-21 10:00:00 UTC (2 rows)`. */
  message: string;
  /** What a pass means (the check's header). */
  tests: string;
}

export interface ReadOnlySessionInput {
  tables: readonly DevTableFiles[];
  /**
   * Materialised prod tables (`hourly`, `daily_averages`, …): prod.{table} reads these day files. A materialised table
   * left out is computed live from dev.* by its sql/prod rule (same values, slower).
   */
  prodTables?: readonly DevTableFiles[];
  /** Folders user SQL may read (the lake's dev folder); everything else on disk is off limits. */
  allowedDirectories: readonly string[];
}

export interface QueryColumn {
  name: string;
  type: string;
}

/** A plain JS value: numbers (BIGINT → number, or string beyond 2^53), strings (dates as ISO), booleans, null, lists, objects. */
export type CellValue = null | boolean | number | string | CellValue[] | { [key: string]: CellValue };

export interface QueryOptions {
  /** Interrupt the statement after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Values for `$name` placeholders, bound, never spliced into the SQL. */
  params?: Record<string, string | number | boolean | null>;
  /**
   * A row whose serialised size cannot be below this many bytes (a list of millions of items) ends the stream with
   * an EngineError of kind `Result Too Large` before it is converted, so it never has to fit in memory.
   */
  maxRowBytes?: number;
}

export interface QueryStream {
  columns: QueryColumn[];
  /** Row batches; each row is an array in column order. */
  batches: AsyncIterable<CellValue[][]>;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: CellValue[][];
}

/** Runs one read-only statement at a time (SELECT and what the engine plans as one); anything else is an EngineError. */
export interface ReadOnlyQuerySession {
  /** The views user SQL can name: dev.* and prod.*. */
  readonly views: readonly string[];
  stream(sql: string, options?: QueryOptions): Promise<QueryStream>;
  query(sql: string, options?: QueryOptions): Promise<QueryResult>;
  close(): void;
}
