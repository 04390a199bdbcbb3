// Athena DDL for the dev tables, from the catalog's latest schema versions (what the Glue Crawler would register).
// Partitioned tables use partition projection: Athena computes each day's location from the key layout
// (src/lake/keys.ts: `{table}/year=YYYY/month=MM/day=DD/`), so no crawler, no MSCK REPAIR and no partition API
// call is ever needed — a day is readable the moment its object is committed.

import { type TableZone, tableLocation } from '../keys.js';
import type { MetaDb } from '../meta/meta-db.js';
import { CatalogError, latestSchema, listTables } from './catalog.js';
import type { TableColumn } from './schema-evolution.js';

export interface AthenaDdlOptions {
  /** S3 bucket of the lake; default `AQLAKE_BUCKET`, else a `<bucket>` placeholder. */
  bucket?: string;
  /** Glue database; default `dev`. */
  database?: string;
  /** Years the partition projection covers (inclusive). Default: projectedYears(now). */
  years?: readonly [number, number];
  now?: Date;
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

/** The DuckDB type of a Hive/Athena column type athenaType gives (its inverse: `string` → VARCHAR, `int` → INTEGER). */
export function duckDbType(hiveType: string): string {
  const t = hiveType.toLowerCase();
  const simple = Object.entries(SIMPLE_TYPES).find(([, hive]) => hive === t)?.[0];
  if (simple) return simple;
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  throw new CatalogError(`no DuckDB type for Athena type ${hiveType}`);
}

/** `CREATE EXTERNAL TABLE` for one dev table, partitioned by year/month/day strings when the table is by day. */
export function athenaDdl(meta: MetaDb, table: string, options: AthenaDdlOptions = {}): string {
  const summary = listTables(meta).find((t) => t.table === table);
  const schema = latestSchema(meta, table);
  if (!summary || !schema)
    throw new CatalogError(`dev.${table} has no cataloged schema yet; run transform and catalog first`);
  const bucket = options.bucket ?? process.env.AQLAKE_BUCKET ?? '<bucket>';
  const years = options.years ?? projectedYears(options.now);
  return createTableStatement(options.database ?? 'dev', table, schema.columns, summary.partitioned, bucket, {
    years,
    zone: summary.zone,
  });
}

/** The first year OpenAQ has measurements of. */
const OPENAQ_FIRST_YEAR = 2016;

/**
 * The years partition projection covers — one rule for the Glue tables `aqlake aws deploy` declares and the DDL
 * `aqlake catalog ddl` prints: from OpenAQ's first year to ten years after `now`. A day outside the range is invisible
 * to Athena, so deploy again (or re-run `catalog ddl`) within ten years; deploy shows the table as changed each new
 * year, when the range grows.
 *
 * The range is also what a query without a year/month/day filter enumerates: the prod views filter on
 * `local_date`, a data column, not on the partition keys, so Athena cannot prune by year/month/day and lists every
 * projected partition's prefix (about 372 a year, mostly empty) on each query of dev.measurements. A known cost,
 * small at this size; a filter on the keys would remove it.
 */
export function projectedYears(now: Date = new Date()): [number, number] {
  return [OPENAQ_FIRST_YEAR, Math.max(OPENAQ_FIRST_YEAR, now.getUTCFullYear() + 10)];
}

/** The Athena table properties that project a day-partitioned table's partitions from its key layout. */
export function partitionProjection(
  bucket: string,
  table: string,
  years: readonly [number, number],
  zone: TableZone = 'dev',
): Record<string, string> {
  return projectionProperties(`s3://${bucket}/${tableLocation(zone, table)}`, years);
}

/**
 * Partition projection over a table location (`s3://…/`): Athena computes the partitions from these settings (no
 * partition calls, no crawler, no MSCK REPAIR): year/month/day as zero-padded integers, each partition at
 * `{location}year=YYYY/month=MM/day=DD/`, the key layout of the day's one current object. A day without an object is
 * an empty partition.
 */
export function projectionProperties(
  location: string,
  years: readonly [number, number],
): Record<string, string> {
  if (!(Number.isInteger(years[0]) && Number.isInteger(years[1]) && years[0] <= years[1] && years[0] >= 1000))
    throw new CatalogError(`bad projection years: ${years.join(',')}`);
  const base = location.endsWith('/') ? location : `${location}/`;
  return {
    'projection.enabled': 'true',
    'projection.year.type': 'integer',
    'projection.year.range': `${years[0]},${years[1]}`,
    'projection.year.digits': '4',
    'projection.month.type': 'integer',
    'projection.month.range': '1,12',
    'projection.month.digits': '2',
    'projection.day.type': 'integer',
    'projection.day.range': '1,31',
    'projection.day.digits': '2',
    // `${year}` etc. are Athena's placeholders, escaped here.
    'storage.location.template': `${base}year=\${year}/month=\${month}/day=\${day}/`,
  };
}

function createTableStatement(
  database: string,
  table: string,
  columns: readonly TableColumn[],
  partitioned: boolean,
  bucket: string,
  options: { years?: readonly [number, number]; zone?: TableZone } = {},
): string {
  const zone = options.zone ?? 'dev';
  const width = Math.max(...columns.map((c) => c.name.length)) + 2;
  const lines = [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${database}\`.\`${table}\` (`,
    columns.map((c) => `  ${`\`${c.name}\``.padEnd(width)} ${athenaType(c.type)}`).join(',\n'),
    ')',
  ];
  if (partitioned) lines.push('PARTITIONED BY (`year` string, `month` string, `day` string)');
  const properties: Record<string, string> = {
    'parquet.compression': 'SNAPPY',
    ...(partitioned && options.years ? partitionProjection(bucket, table, options.years, zone) : {}),
  };
  const entries = Object.entries(properties).map(([k, v]) => `'${k}'='${v}'`);
  lines.push(
    'STORED AS PARQUET',
    `LOCATION 's3://${bucket}/${tableLocation(zone, table)}'`,
    entries.length === 1
      ? `TBLPROPERTIES (${entries[0]});`
      : `TBLPROPERTIES (\n${entries.map((e) => `  ${e}`).join(',\n')}\n);`,
  );
  return lines.join('\n');
}
