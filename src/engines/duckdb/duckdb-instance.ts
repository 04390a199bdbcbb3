// The process's in-memory DuckDB, configured from aqlake's config, and the connection wrapper that every engine
// statement goes through (bound parameters, plain JS rows, DuckDB errors turned into EngineError{kind, sql}).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue, listValue } from '@duckdb/node-api';
import type { AqlakeConfig } from '../../config/index.js';
import { EngineError, errorMessage } from '../../errors.js';

export interface DuckDbSettings {
  memoryLimit: string;
  threads: number;
  /** Where DuckDB spills when a statement needs more than memoryLimit. */
  tempDirectory: string;
  /** At most this much spill on disk (DuckDB's `max_temp_directory_size`), e.g. `4GiB`. */
  maxTempDirectorySize?: string;
}

/** Spill cap when the config names none: a runaway DISTINCT fails instead of filling the disk. */
export const DEFAULT_MAX_TEMP_DIRECTORY_SIZE = '4GiB';

export function duckDbSettings(config: Pick<AqlakeConfig, 'home' | 'duckdb'>): DuckDbSettings {
  return {
    memoryLimit: config.duckdb.memoryLimit,
    threads: config.duckdb.threads,
    tempDirectory: config.duckdb.tempDirectory ?? join(config.home, '_tmp', 'duckdb'),
    maxTempDirectorySize: config.duckdb.maxTempDirectorySize,
  };
}

/**
 * A new in-memory instance. The lake is Parquet only, so nothing here is persistent: a second process never
 * fights over a `.duckdb` file lock.
 */
export async function createDuckDbInstance(settings: DuckDbSettings): Promise<DuckDBInstance> {
  mkdirSync(settings.tempDirectory, { recursive: true });
  try {
    return await DuckDBInstance.create(':memory:', {
      memory_limit: settings.memoryLimit,
      threads: String(settings.threads),
      temp_directory: settings.tempDirectory,
      max_temp_directory_size: settings.maxTempDirectorySize ?? DEFAULT_MAX_TEMP_DIRECTORY_SIZE,
      // GROUP BY and COPY may then stream and spill instead of keeping input order in memory.
      preserve_insertion_order: 'false',
      // No network: fail at once instead of trying to download an extension.
      autoinstall_known_extensions: 'false',
      // An insert into a database file (the transform's staging file) writes its row groups out one at a time
      // instead of buffering five per thread (~120 MB less). Global in DuckDB, so set once here, not per transform.
      write_buffer_row_group_count: '1',
    });
  } catch (err) {
    throw toEngineError(err);
  }
}

/** Values for `$name` placeholders; string arrays become DuckDB lists (e.g. a list of files for read_json). */
export type SqlParams = Record<string, string | number | boolean | bigint | null | readonly string[]>;

/** JS values as this wrapper returns them: BIGINT as number, TIMESTAMP/DATE as Date, LIST as array. */
export type Row = Record<string, unknown>;

/** One DuckDB connection with the session settings every aqlake statement relies on. */
export class DuckDbSession {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(instance: DuckDBInstance): Promise<DuckDbSession> {
    const session = new DuckDbSession(await instance.connect());
    // Naive TIMESTAMP columns hold UTC; timezone(tz, ts::TIMESTAMPTZ) then gives local wall time.
    await session.run("SET TimeZone = 'UTC'");
    return session;
  }

  async run(sql: string, params?: SqlParams): Promise<void> {
    try {
      await this.connection.run(sql, params && toDuckValues(params));
    } catch (err) {
      throw toEngineError(err, sql);
    }
  }

  async rows<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params && toDuckValues(params));
      return reader.getRowObjectsJS().map((row) => plainRow(row) as T);
    } catch (err) {
      throw toEngineError(err, sql);
    }
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** Runs `work` on a fresh connection (its temp tables die with it) and always closes it. */
export async function withSession<T>(
  instance: DuckDBInstance,
  work: (session: DuckDbSession) => Promise<T>,
): Promise<T> {
  const session = await DuckDbSession.open(instance);
  try {
    return await work(session);
  } finally {
    session.close();
  }
}

/**
 * DuckDB throws a plain Error whose message starts with the kind (`Catalog Error: …`, `IO Error: …`);
 * with bound parameters it is prefixed by `Failed to extract statements:`.
 */
export function toEngineError(err: unknown, sql?: string): EngineError {
  if (err instanceof EngineError) return err;
  const message = errorMessage(err)
    .replace(/^Failed to extract statements:\s*/, '')
    .trim();
  const kind = /^([A-Za-z][A-Za-z ]*?) Error:/.exec(message)?.[1];
  const firstLine = message.split('\n')[0] ?? message;
  return new EngineError(`DuckDB ${firstLine}`, kind ? `${kind} Error` : 'Error', sql);
}

/** A string for a path or name spliced into SQL where DuckDB cannot bind a parameter (COPY … TO 'file'). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function toDuckValues(params: SqlParams): Record<string, DuckDBValue> {
  const out: Record<string, DuckDBValue> = {};
  for (const [name, value] of Object.entries(params)) {
    out[name] = Array.isArray(value) ? listValue(value as string[]) : (value as DuckDBValue);
  }
  return out;
}

function plainRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = plainValue(value);
  return out;
}

function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainValue(v);
    return out;
  }
  return value;
}
