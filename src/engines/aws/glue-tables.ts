// The dev tables as the Glue Data Catalog declares them (schemas in code, not discovered by a crawler).
import { MEASUREMENTS_COLUMNS } from '../dev-tables.js';
import type { ColumnSchema } from '../engine.js';

export interface GlueTableDef {
  /** Glue table name (the SQL's dev.<name>). */
  name: string;
  columns: readonly ColumnSchema[];
  /** Partitioned by year/month/day strings (Hive style), as the lake's keys are. */
  partitioned: boolean;
  /** Key prefix of the table's data in the bucket, ending in `/`. */
  prefix: string;
}

/** dev.measurements (ARCHITECTURE §4), in file order; the Glue job writes exactly these. */
export const MEASUREMENTS_TABLE: GlueTableDef = {
  name: 'measurements',
  partitioned: true,
  prefix: 'dev/measurements/',
  columns: MEASUREMENTS_COLUMNS,
};

/** Rows the transform could not type, with the reason (dev/_quarantine/measurements/). */
export const MEASUREMENTS_QUARANTINE_TABLE: GlueTableDef = {
  name: 'measurements_quarantine',
  partitioned: true,
  prefix: 'dev/_quarantine/measurements/',
  columns: [
    { name: 'raw_key', type: 'VARCHAR' },
    { name: 'record_index', type: 'BIGINT' },
    { name: 'reason', type: 'VARCHAR' },
    { name: 'sensor_id', type: 'BIGINT' },
    { name: 'location_id', type: 'BIGINT' },
    { name: 'parameter_id', type: 'INTEGER' },
    { name: 'parameter', type: 'VARCHAR' },
    { name: 'units', type: 'VARCHAR' },
    { name: 'value', type: 'DOUBLE' },
    { name: 'value_raw', type: 'VARCHAR' },
    { name: 'period_start_utc', type: 'TIMESTAMP' },
    { name: 'period_end_utc', type: 'TIMESTAMP' },
    { name: 'period_end_raw', type: 'VARCHAR' },
    { name: 'timezone', type: 'VARCHAR' },
    { name: 'local_date', type: 'DATE' },
    { name: 'ingested_at', type: 'TIMESTAMP' },
  ],
};

/** An unpartitioned dimension table (dev.locations, dev.sensors) with the columns its transform reports. */
export function dimensionTable(name: string, columns: readonly ColumnSchema[]): GlueTableDef {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`bad table name: ${name}`);
  return { name, columns, partitioned: false, prefix: `dev/${name}/` };
}

const HIVE_TYPES: Record<string, string> = {
  BOOLEAN: 'boolean',
  TINYINT: 'tinyint',
  SMALLINT: 'smallint',
  INTEGER: 'int',
  BIGINT: 'bigint',
  FLOAT: 'float',
  DOUBLE: 'double',
  VARCHAR: 'string',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  BLOB: 'binary',
};

/** The Glue (Hive) type of a column declared with a DuckDB type name. */
export function glueType(duckType: string): string {
  const simple = HIVE_TYPES[duckType.toUpperCase()];
  if (simple) return simple;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(duckType);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  throw new Error(`no Glue type for column type ${duckType}`);
}

export const PARTITION_KEYS = ['year', 'month', 'day'] as const;

/** `2024-03-05` → `['2024', '03', '05']`, the partition's values. */
export function partitionValues(localDate: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!m) throw new Error(`not a date YYYY-MM-DD: ${localDate}`);
  return [m[1]!, m[2]!, m[3]!];
}

/**
 * Where one version of a day lives on AWS: `{prefix}year=YYYY/month=MM/day=DD/run={runId}/`. A new version is a new
 * folder, and the Glue partition's location moves to it in one UpdatePartition, so Athena reads the old version or
 * the new one, never both (Athena reads every file under a partition's location).
 */
export function versionPrefix(table: GlueTableDef, localDate: string, runId: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(runId)) throw new Error(`bad run id: ${runId}`);
  const [y, m, d] = partitionValues(localDate);
  return `${table.prefix}year=${y}/month=${m}/day=${d}/run=${runId}/`;
}
