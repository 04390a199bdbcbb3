// One Parquet file out of several (the lake keeps one object per partition): rows in file order, Snappy.
import { DuckDBInstance } from '@duckdb/node-api';
import type { LocalFile } from '../engine.js';
import { type DuckDbSession, sqlString, withSession } from './duckdb-instance.js';

/** Merges `paths` into `out` on an open session and returns the merged file's rows and bytes. */
export async function mergeParquetInSession(
  db: DuckDbSession,
  paths: readonly string[],
  out: string,
): Promise<LocalFile> {
  // hive_partitioning off: a writer's `partition_date=…/` folder must not become a column.
  await db.run(
    `COPY (SELECT * FROM read_parquet($paths, hive_partitioning = false)) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy)`,
    { paths },
  );
  const [meta] = await db.rows<{ rows: number; bytes: number }>(
    'SELECT num_rows AS rows, file_size_bytes AS bytes FROM parquet_file_metadata($path)',
    { path: out },
  );
  return { localPath: out, rows: Number(meta?.rows ?? 0), bytes: Number(meta?.bytes ?? 0) };
}

/** mergeParquetInSession on a throwaway in-memory DuckDB (for engines that write files elsewhere). */
export async function mergeParquetFiles(paths: readonly string[], out: string): Promise<LocalFile> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    autoinstall_known_extensions: 'false',
  });
  try {
    return await withSession(instance, (db) => mergeParquetInSession(db, paths, out));
  } finally {
    instance.closeSync();
  }
}
