// Athena DDL for the dev tables, from the catalog's latest schema versions (what the Glue Crawler would register).
import type { MetaDb } from '../meta/meta-db.js';
import { CatalogError, latestSchema, listTables } from './catalog.js';
import type { TableColumn } from './schema-evolution.js';

export interface AthenaDdlOptions {
  /** S3 bucket of the lake; default `AQLAKE_BUCKET`, else a `<bucket>` placeholder. */
  bucket?: string;
  /** Glue database; default `dev`. */
  database?: string;
}

const SIMPLE_TYPES: Record<string, string> = {
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

/** The Hive/Athena type of a DuckDB column type; throws for a type Athena cannot read from our Parquet. */
export function athenaType(duckType: string): string {
  const simple = SIMPLE_TYPES[duckType];
  if (simple) return simple;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(duckType);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  throw new CatalogError(`no Athena type for DuckDB type ${duckType}`);
}

/** `CREATE EXTERNAL TABLE` for one dev table, partitioned by year/month/day strings when the table is by day. */
export function athenaDdl(meta: MetaDb, table: string, options: AthenaDdlOptions = {}): string {
  const summary = listTables(meta).find((t) => t.table === table);
  const schema = latestSchema(meta, table);
  if (!summary || !schema)
    throw new CatalogError(`dev.${table} has no cataloged schema yet; run transform and catalog first`);
  const bucket = options.bucket ?? process.env.AQLAKE_BUCKET ?? '<bucket>';
  return createTableStatement(options.database ?? 'dev', table, schema.columns, summary.partitioned, bucket);
}

export function createTableStatement(
  database: string,
  table: string,
  columns: readonly TableColumn[],
  partitioned: boolean,
  bucket: string,
): string {
  const width = Math.max(...columns.map((c) => c.name.length)) + 2;
  const lines = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${database}\`.\`${table}\` (`,
    columns.map((c) => `  ${`\`${c.name}\``.padEnd(width)} ${athenaType(c.type)}`).join(',\n'),
    ')',
  ];
  if (partitioned) lines.push('PARTITIONED BY (`year` string, `month` string, `day` string)');
  lines.push(
    'STORED AS PARQUET',
    `LOCATION 's3://${bucket}/dev/${table}/'`,
    "TBLPROPERTIES ('parquet.compression'='SNAPPY');",
  );
  return lines.join('\n');
}
