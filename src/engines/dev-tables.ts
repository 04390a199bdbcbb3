// The columns of the dev tables every engine writes (ARCHITECTURE §4): one declaration for DuckDB, Glue and Athena.
import type { ColumnSchema } from './engine.js';

/** dev.measurements as ARCHITECTURE §4 defines it, in file order. */
export const MEASUREMENTS_COLUMNS: ColumnSchema[] = [
  { name: 'location_id', type: 'BIGINT' },
  { name: 'sensor_id', type: 'BIGINT' },
  { name: 'parameter_id', type: 'INTEGER' },
  { name: 'parameter', type: 'VARCHAR' },
  { name: 'units', type: 'VARCHAR' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'period_start_utc', type: 'TIMESTAMP' },
  { name: 'period_end_utc', type: 'TIMESTAMP' },
  { name: 'timezone', type: 'VARCHAR' },
  { name: 'local_date', type: 'DATE' },
  { name: 'interval_seconds', type: 'INTEGER' },
  { name: 'latitude', type: 'DOUBLE' },
  { name: 'longitude', type: 'DOUBLE' },
  { name: 'has_flags', type: 'BOOLEAN' },
  { name: 'quality', type: 'VARCHAR' },
  { name: 'source', type: 'VARCHAR' },
  { name: 'raw_key', type: 'VARCHAR' },
  { name: 'ingested_at', type: 'TIMESTAMP' },
];

export const QUARANTINE_COLUMNS: ColumnSchema[] = [
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
];
