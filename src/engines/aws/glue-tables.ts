// The dev tables as the Glue Data Catalog declares them (schemas in code, not discovered by a crawler).
import { athenaType } from '../../lake/catalog/athena-ddl.js';
import { versionObjectKey } from '../../lake/keys.js';
import { MEASUREMENTS_COLUMNS, QUARANTINE_COLUMNS } from '../dev-tables.js';
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
  columns: QUARANTINE_COLUMNS,
};

/** An unpartitioned dimension table (dev.locations, dev.sensors) with the columns its transform reports. */
export function dimensionTable(name: string, columns: readonly ColumnSchema[]): GlueTableDef {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`bad table name: ${name}`);
  return { name, columns, partitioned: false, prefix: `dev/${name}/` };
}

/** The Glue (Hive) type of a column declared with a DuckDB type name: the same mapping the Athena DDL uses. */
export function glueType(duckType: string): string {
  return athenaType(duckType.toUpperCase());
}

export const PARTITION_KEYS = ['year', 'month', 'day'] as const;

/**
 * Where the Glue job writes a day's new version, `{date}` standing for YYYY-MM-DD: the lake's version key
 * (versionObjectKey: one object under `dev/_versions/`, outside every table location); the lake's commit then copies
 * it to the table's current key server-side. `dev/_versions/measurements/{date}/{tag}.parquet`,
 * `dev/_versions/_quarantine/measurements/{date}/{tag}.parquet`.
 */
export function versionKeyTemplate(table: GlueTableDef, tag: string): string {
  const kind = table.prefix.startsWith('dev/_quarantine/') ? 'quarantine' : 'data';
  const probe = '2000-01-01';
  return versionObjectKey('dev', MEASUREMENTS_TABLE.name, probe, tag, kind).replace(`/${probe}/`, '/{date}/');
}
