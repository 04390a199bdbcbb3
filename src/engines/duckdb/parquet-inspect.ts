// What the crawler learns from Parquet files without trusting their writer: schema, row counts, time range.
import type { DuckDBInstance } from '@duckdb/node-api';
import { EngineError } from '../../errors.js';
import type { ColumnSchema, ParquetInspection } from '../engine.js';
import { withSession } from './duckdb-instance.js';

export async function inspectParquet(
  instance: DuckDBInstance,
  paths: readonly string[],
  options: { timeColumn?: string } = {},
): Promise<ParquetInspection> {
  const timeColumn = options.timeColumn ?? 'period_end_utc';
  if (paths.length === 0) return { columns: [], rows: 0, files: [], minTime: null, maxTime: null };
  return withSession(instance, async (db) => {
    let columns: ColumnSchema[] | null = null;
    for (const path of paths) {
      const described = (
        await db.rows<{ column_name: string; column_type: string }>(
          'DESCRIBE SELECT * FROM read_parquet($path, hive_partitioning = false)',
          { path },
        )
      ).map((c) => ({ name: c.column_name, type: c.column_type }));
      if (columns === null) columns = described;
      else if (JSON.stringify(columns) !== JSON.stringify(described))
        throw new EngineError(
          `Parquet files of one partition disagree on their schema: ${paths[0]} has ${formatColumns(columns)}, ${path} has ${formatColumns(described)}`,
          'Schema Error',
        );
    }
    const files = await db.rows<{ path: string; rows: number; bytes: number }>(
      'SELECT file_name AS path, num_rows AS rows, file_size_bytes AS bytes FROM parquet_file_metadata($paths)',
      { paths: [...paths] },
    );
    let minTime: string | null = null;
    let maxTime: string | null = null;
    if (columns?.some((c) => c.name === timeColumn)) {
      // The column name comes from our own table definitions, never from user input.
      const [range] = await db.rows<{ min_time: string | null; max_time: string | null }>(
        `SELECT strftime(min("${timeColumn}"), '%Y-%m-%dT%H:%M:%SZ') AS min_time,
                strftime(max("${timeColumn}"), '%Y-%m-%dT%H:%M:%SZ') AS max_time
         FROM read_parquet($paths, hive_partitioning = false)`,
        { paths: [...paths] },
      );
      minTime = range?.min_time ?? null;
      maxTime = range?.max_time ?? null;
    }
    return {
      columns: columns ?? [],
      rows: files.reduce((sum, f) => sum + f.rows, 0),
      files,
      minTime,
      maxTime,
    };
  });
}

function formatColumns(columns: ColumnSchema[]): string {
  return columns.map((c) => `${c.name} ${c.type}`).join(', ');
}
