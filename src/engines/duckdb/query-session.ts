// The read side of the local lake: an in-memory DuckDB with dev.* views over Parquet files and prod.* views from
// sql/prod/, which can be locked down so that a user's SQL reads the lake and does nothing else.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DuckDBArrayVector,
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  DuckDBListVector,
  type DuckDBPreparedStatement,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBVector,
  JSDuckDBValueConverter,
  StatementType,
} from '@duckdb/node-api';
import { EngineError, errorMessage } from '../../errors.js';
import type {
  CellValue,
  ColumnSchema,
  DevTableFiles,
  QueryOptions,
  QueryResult,
  QueryStream,
  ReadOnlyQuerySession,
} from '../engine.js';
import { listProdViews, type ProdViewFile } from '../sql-files.js';
import { DEFAULT_MAX_TEMP_DIRECTORY_SIZE } from './duckdb-instance.js';
import { MEASUREMENTS_COLUMNS } from './transform-measurements.js';

export type { CellValue, QueryOptions, QueryResult, QueryStream } from '../engine.js';

/** One dev table as the session sees it: the Parquet files that make it up now. */
export interface DevTableSource {
  name: string;
  /** Readable local paths of the table's current files. */
  files: readonly string[];
  /** The table's columns: they type the view when there is no file yet. */
  columns: readonly ColumnSchema[];
}

/** The engine seam's table shape, as a session takes it. */
export function tableSource(table: DevTableSource | DevTableFiles): DevTableSource {
  return 'table' in table ? { name: table.table, files: table.paths, columns: table.columns } : table;
}

export interface SessionSettings {
  memoryLimit?: string;
  threads?: number;
  /** Where DuckDB may spill; default `{os tmpdir}/aqlake-duckdb`. */
  tempDirectory?: string;
  /** Spill cap, e.g. `4GiB` (default DEFAULT_MAX_TEMP_DIRECTORY_SIZE). */
  maxTempDirectorySize?: string;
}

export interface QuerySessionOptions {
  /** Either shape: the session's own or the engine seam's. */
  tables: readonly (DevTableSource | DevTableFiles)[];
  /** Create prod.* from this folder's `NN_name.sql` files (default sql/prod); false for none. */
  prodSqlDir?: string | false;
  /**
   * Materialised prod tables: prod.{name} reads these day files instead of computing its sql/prod rule over dev.*
   * (a typed empty view when there are none yet). Tables not listed are computed live.
   */
  prodTables?: readonly (DevTableSource | DevTableFiles)[];
  /**
   * Lock the session for untrusted SQL once the views exist: only these folders (and the temp folder) can be read,
   * nothing can be written, attached, installed or re-configured. Leave undefined for a trusted session.
   */
  lockdown?: { allowedDirectories: readonly string[] };
  settings?: SessionSettings;
}

export class QuerySession implements ReadOnlyQuerySession {
  private closed = false;
  private readonly open = new Set<DuckDBConnection>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Every view the session created, dev.* then prod.*. */
    readonly views: readonly string[],
    readonly locked: boolean,
  ) {}

  static async create(options: QuerySessionOptions): Promise<QuerySession> {
    const settings = options.settings ?? {};
    const tempDirectory = resolve(settings.tempDirectory ?? join(tmpdir(), 'aqlake-duckdb'));
    const config: Record<string, string> = {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      temp_directory: tempDirectory,
      max_temp_directory_size: settings.maxTempDirectorySize ?? DEFAULT_MAX_TEMP_DIRECTORY_SIZE,
    };
    if (settings.memoryLimit) config.memory_limit = settings.memoryLimit;
    if (settings.threads) config.threads = String(settings.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const connection = await instance.connect();
    const views: string[] = [];
    try {
      // GLOBAL, so every connection opened later (one per user query) reads naive TIMESTAMPs as UTC too.
      await exec(connection, "SET GLOBAL TimeZone = 'UTC'");
      // Footers read once per session: a year of prod days is 365 files per table.
      await exec(connection, 'SET GLOBAL parquet_metadata_cache = true');
      await exec(connection, 'CREATE SCHEMA dev');
      await exec(connection, 'CREATE SCHEMA prod');
      for (const table of withRequiredTables(options.tables.map(tableSource), options.prodSqlDir !== false)) {
        await exec(connection, devViewSql(table));
        views.push(`dev.${table.name}`);
      }
      if (options.prodSqlDir !== false) {
        const materialised = new Map(
          (options.prodTables ?? []).map(tableSource).map((t) => [`prod.${t.name}`, t]),
        );
        for (const v of listProdViews(options.prodSqlDir)) {
          await exec(
            connection,
            `CREATE OR REPLACE VIEW ${v.view} AS\n${prodViewSelect(v, materialised.get(v.view))}`,
            `prod view ${v.view} (${v.file})`,
          );
          views.push(v.view);
        }
      }
      if (options.lockdown) {
        const dirs = [...options.lockdown.allowedDirectories, tempDirectory].map(asDirectory);
        await exec(connection, `SET allowed_directories = [${dirs.map(sqlString).join(', ')}]`);
        await exec(connection, 'SET enable_external_access = false');
        await exec(connection, 'SET lock_configuration = true');
      }
    } catch (err) {
      connection.closeSync();
      instance.closeSync();
      throw err;
    }
    return new QuerySession(instance, connection, views, options.lockdown !== undefined);
  }

  /** Our own SQL (checks, tests): any statement, parameters bound by name; every row read into memory. */
  async run(
    sql: string,
    params?: Record<string, string | number | boolean | null>,
  ): Promise<Record<string, CellValue>[]> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params);
      const columns = reader.columnNames();
      const types = reader.columnTypes();
      return reader.getRowsJS().map((row) => {
        const out: Record<string, CellValue> = {};
        row.forEach((v, i) => {
          out[columns[i]!] = toCell(v, types[i]!);
        });
        return out;
      });
    } catch (err) {
      throw toEngineError(err, sql);
    }
  }

  /**
   * A user's SQL: exactly one read-only statement (DuckDB plans SELECT, WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE
   * and PRAGMA lookups as SELECT), checked with DuckDB's own parser before it runs, then streamed.
   */
  async stream(sql: string, options: QueryOptions = {}): Promise<QueryStream> {
    // A connection per statement: interrupting one query leaves the others running, and an abandoned stream
    // cannot invalidate the next one.
    const connection = await this.instance.connect();
    this.open.add(connection);
    const release = () => {
      if (this.open.delete(connection)) connection.closeSync();
    };
    let stop: Deadline | undefined;
    try {
      const prepared = await this.prepareReadOnly(connection, sql);
      if (options.params !== undefined) prepared.bind(options.params);
      stop = arm(connection, options);
      const result = await prepared.stream();
      const types = result.columnTypes();
      const columns = result.columnNames().map((name, i) => ({ name, type: types[i]!.toString() }));
      const deadline = stop;
      const batches = async function* (): AsyncGenerator<CellValue[][]> {
        try {
          for (;;) {
            const chunk = await result.fetchChunk();
            if (!chunk || chunk.rowCount === 0) break;
            yield convertChunk(chunk, types, options.maxRowBytes);
            // The chunk was converted on the event loop: let other requests in before the next one.
            await new Promise<void>((r) => setImmediate(r));
          }
          // An interrupted statement may end its stream like a finished one: a cut result must not pass as whole.
          const why = deadline.reason();
          if (why) throw why;
        } catch (err) {
          throw deadline.reason() ?? toEngineError(err, sql, true);
        } finally {
          deadline.clear();
          // Stopping early (a consumer that breaks out) must stop DuckDB too, not only drop the rows.
          connection.interrupt();
          release();
        }
      };
      return { columns, batches: batches() };
    } catch (err) {
      stop?.clear();
      release();
      throw stop?.reason() ?? toEngineError(err, sql, this.locked);
    }
  }

  /** `stream`, read to the end. */
  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const { columns, batches } = await this.stream(sql, options);
    const rows: CellValue[][] = [];
    for await (const batch of batches) rows.push(...batch);
    return { columns, rows };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.open) c.closeSync();
    this.open.clear();
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async prepareReadOnly(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
    if (sql.trim() === '' || /^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*;?\s*$/.test(sql))
      throw new EngineError('no SQL statement to run', 'Usage Error', sql);
    let prepared: DuckDBPreparedStatement;
    try {
      const statements = await connection.extractStatements(sql);
      if (statements.count !== 1)
        throw new EngineError(
          `one statement at a time, got ${statements.count}: split them and run each on its own`,
          'Read-only Error',
          sql,
        );
      prepared = await statements.prepare(0);
    } catch (err) {
      throw toEngineError(err, sql, this.locked);
    }
    const type = prepared.statementType;
    if (type !== StatementType.SELECT) {
      prepared.destroySync();
      throw new EngineError(
        `read-only: only queries (SELECT, WITH, FROM, DESCRIBE, SHOW) can run here, not ${statementName(type, sql)}`,
        'Read-only Error',
        sql,
      );
    }
    return prepared;
  }
}

/** One chunk's rows as CellValues; a row that cannot fit `maxRowBytes` is refused before it is converted. */
function convertChunk(chunk: DuckDBDataChunk, types: DuckDBType[], maxRowBytes?: number): CellValue[][] {
  const rows: CellValue[][] = [];
  const vectors = maxRowBytes === undefined ? [] : types.map((_, i) => chunk.getColumnVector(i));
  for (let r = 0; r < chunk.rowCount; r++) {
    if (maxRowBytes !== undefined) {
      const least = vectors.reduce((sum, v) => sum + leastBytes(v, r), 0);
      if (least > maxRowBytes)
        throw new EngineError(
          `a row of the result is larger than ${maxRowBytes} bytes (at least ${least})`,
          'Result Too Large',
        );
    }
    rows.push(chunk.convertRowValues(r, JSDuckDBValueConverter).map((v, i) => toCell(v, types[i]!)));
  }
  return rows;
}

/** A lower bound of one cell's JSON size, read without converting it: a list item takes at least 2 bytes (`0,`). */
function leastBytes(vector: DuckDBVector, row: number): number {
  if (vector instanceof DuckDBListVector) return 2 * vector.getEntryLength(row);
  if (vector instanceof DuckDBArrayVector) return 2 * vector.type.length;
  return 0;
}

interface Deadline {
  clear(): void;
  /** The EngineError for the timeout or abort that interrupted the statement, if one did. */
  reason(): EngineError | undefined;
}

/** A deadline and an abort signal both interrupt the connection's running statement. */
function arm(connection: DuckDBConnection, options: QueryOptions): Deadline {
  let fired: EngineError | undefined;
  const interrupt = (why: EngineError) => {
    fired ??= why;
    connection.interrupt();
  };
  const timer =
    options.timeoutMs !== undefined
      ? setTimeout(
          () => interrupt(new EngineError(`query timed out after ${options.timeoutMs} ms`, 'Timeout')),
          options.timeoutMs,
        )
      : undefined;
  const onAbort = () => interrupt(new EngineError('query cancelled', 'Interrupted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  return {
    clear: () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    },
    reason: () => fired,
  };
}

/** The prod views read dev.measurements: before the first transform it is a typed empty view. */
function withRequiredTables(tables: DevTableSource[], prod: boolean): DevTableSource[] {
  if (!prod || tables.some((t) => t.name === 'measurements')) return tables;
  return [...tables, { name: 'measurements', files: [], columns: MEASUREMENTS_COLUMNS }];
}

/**
 * A prod view's SELECT: its rule over dev.* — or, for a materialised table, its day files (the rule with no rows, for
 * the column types, while there are none).
 */
function prodViewSelect(view: ProdViewFile, materialised: DevTableSource | undefined): string {
  if (!materialised) return view.sql;
  if (materialised.files.length === 0) return `SELECT * FROM (\n${view.sql}\n) AS rule WHERE false`;
  // One rule writes every file of the table (a rule change rebuilds them): one schema, so no union_by_name, which
  // would read every footer to bind each query.
  const files = materialised.files.map(sqlString).join(', ');
  return `SELECT * FROM read_parquet([${files}], hive_partitioning = false)`;
}

/**
 * `CREATE VIEW dev.x` over the table's files, or a typed empty view when it has none yet. A damaged file (not a whole
 * Parquet file: truncated, overwritten) is left out and stands in the view as one row that raises an error naming the
 * file and the command that rebuilds it: a query whose filter keeps its day away (another day, a prod view of
 * another day) still runs; one that reads it fails instead of answering without it.
 */
function devViewSql(table: DevTableSource): string {
  if (!/^[a-z][a-z0-9_]*$/.test(table.name)) throw new Error(`bad dev table name: ${table.name}`);
  const damaged = table.files.flatMap((path) => {
    const why = damagedParquet(path);
    return why ? [{ path, why }] : [];
  });
  const healthy = table.files.filter((f) => !damaged.some((d) => d.path === f));
  const typedNulls = (overrides: Record<string, string>) =>
    table.columns
      .map((c) => `${overrides[c.name] ?? `CAST(NULL AS ${c.type})`} AS ${quoteIdent(c.name)}`)
      .join(', ');
  // Partition folders look like Hive's, but local_date is stored in the files; don't add year/month/day columns.
  const parts = [
    healthy.length > 0
      ? `SELECT * FROM read_parquet([${healthy.map(sqlString).join(', ')}], hive_partitioning = false, union_by_name = true)`
      : `SELECT ${typedNulls({})} WHERE false`,
  ];
  for (const { path, why } of damaged) {
    const day = partitionDay(path);
    const repair = day
      ? `rebuild it with \`aqlake run --from ${day} --to ${day}\``
      : 'rebuild it with `aqlake run` for a recent day';
    const message = `${lakeRelative(path)} is damaged (${why}): ${repair}`;
    const hasDate = table.columns.some((c) => c.name === 'local_date');
    parts.push(
      `SELECT ${typedNulls(day && hasDate ? { local_date: `DATE '${day}'` } : {})} FROM range(1) WHERE error(${sqlString(message)}) IS NULL`,
    );
  }
  return `CREATE OR REPLACE VIEW dev.${table.name} AS ${parts.join('\nUNION ALL BY NAME\n')}`;
}

/**
 * Why the file is not a whole Parquet file (it must start and end with `PAR1`, with a footer that fits), or
 * undefined when it looks whole. Reads 12 bytes; a missing file is left to DuckDB's own error.
 */
function damagedParquet(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 12) return `${size} bytes, too short for Parquet`;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(8);
    readSync(fd, head, 0, 4, 0);
    readSync(fd, tail, 0, 8, size - 8);
    if (head.toString('latin1') !== 'PAR1' || tail.toString('latin1', 4) !== 'PAR1')
      return 'not a complete Parquet file: truncated or overwritten';
    if (tail.readUInt32LE(0) > size - 12) return 'its footer is cut off';
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function partitionDay(path: string): string | undefined {
  const tree = /year=(\d{4})\/month=(\d{2})\/day=(\d{2})/.exec(path);
  if (tree) return `${tree[1]}-${tree[2]}-${tree[3]}`;
  // A version object: …/_versions/{table}/{YYYY-MM-DD}/{tag}.parquet
  return /\/_versions\/[a-z0-9_]+\/(\d{4}-\d{2}-\d{2})\//.exec(path)?.[1];
}

/** `dev/…` of a local path under the lake (the part a user recognises), else the path. */
function lakeRelative(path: string): string {
  const i = path.lastIndexOf('/dev/');
  return i >= 0 ? path.slice(i + 1) : path;
}

async function exec(connection: DuckDBConnection, sql: string, what?: string): Promise<void> {
  try {
    await connection.run(sql);
  } catch (err) {
    const e = toEngineError(err, sql);
    throw what ? new EngineError(`${what}: ${e.message}`, e.kind, sql) : e;
  }
}

/** DuckDB throws plain Errors whose message starts with the kind ("Catalog Error: …"); keep the first line. */
function toEngineError(err: unknown, sql?: string, locked = false): EngineError {
  if (err instanceof EngineError) return err;
  const message = errorMessage(err)
    .replace(/^Failed to extract statements:\s*/, '')
    .split('\n')[0]!
    .trim();
  const kind = /^([A-Za-z ]+ Error):/.exec(message)?.[1] ?? 'Error';
  if (kind === 'INTERRUPT Error') return new EngineError('query interrupted', 'Interrupted', sql);
  const prefix = locked && kind === 'Permission Error' ? 'read-only: ' : '';
  return new EngineError(`${prefix}${message}`, kind, sql);
}

/** DuckDB plans INSTALL as LOAD, CHECKPOINT as CALL and USE as SET: for those, the statement's own first word. */
const CONFLATED = new Set([StatementType.LOAD, StatementType.CALL, StatementType.SET]);

function statementName(type: StatementType, sql: string): string {
  if (CONFLATED.has(type)) {
    const word = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*([A-Za-z]+)/.exec(sql)?.[1];
    if (word) return word.toUpperCase();
  }
  const name = StatementType[type] ?? `statement type ${type}`;
  return name.replace(/_/g, ' ');
}

/** Converts one value from DuckDB's JS form: bigint → number (string if beyond 2^53), dates → ISO strings. */
function toCell(value: unknown, type: DuckDBType): CellValue {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.DATE:
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      // Naive: UTC for *_utc columns, local wall time for *_local; no zone suffix either way.
      return value instanceof Date ? naiveIso(value) : String(value);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return value instanceof Date ? value.toISOString() : String(value);
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.INTERVAL:
    case DuckDBTypeId.UUID:
    case DuckDBTypeId.BIT:
      return typeof value === 'object' ? JSON.stringify(toPlain(value)) : String(value);
    default:
      return toPlain(value);
  }
}

function toPlain(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const out: Record<string, CellValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return String(value);
}

function naiveIso(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

function asDirectory(path: string): string {
  const abs = resolve(path);
  return abs.endsWith('/') ? abs : `${abs}/`;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
