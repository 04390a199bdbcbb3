// DuckDB's side of the dimension transform: location snapshots → dev.locations and dev.sensors Parquet files (SCD2).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import type {
  ColumnSchema,
  DimensionsTransformInput,
  DimensionsTransformOutput,
  DimensionTableOutput,
} from '../engine.js';
import { sqlStatement } from '../sql-files.js';
import { type DuckDbSession, sqlString, withSession } from './duckdb-instance.js';

const SQL = 'dev/dimensions.sql';

const VALIDITY: ColumnSchema[] = [
  { name: 'valid_from', type: 'TIMESTAMP' },
  { name: 'valid_to', type: 'TIMESTAMP' },
  { name: 'is_current', type: 'BOOLEAN' },
  { name: 'raw_key', type: 'VARCHAR' },
];

const LOCATIONS_COLUMNS: ColumnSchema[] = [
  { name: 'location_id', type: 'BIGINT' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'locality', type: 'VARCHAR' },
  { name: 'timezone', type: 'VARCHAR' },
  { name: 'country_id', type: 'INTEGER' },
  { name: 'country_code', type: 'VARCHAR' },
  { name: 'country_name', type: 'VARCHAR' },
  { name: 'owner_id', type: 'INTEGER' },
  { name: 'owner_name', type: 'VARCHAR' },
  { name: 'provider_id', type: 'INTEGER' },
  { name: 'provider_name', type: 'VARCHAR' },
  { name: 'is_mobile', type: 'BOOLEAN' },
  { name: 'is_monitor', type: 'BOOLEAN' },
  { name: 'latitude', type: 'DOUBLE' },
  { name: 'longitude', type: 'DOUBLE' },
  { name: 'instruments', type: 'VARCHAR' },
  { name: 'licenses', type: 'VARCHAR' },
  ...VALIDITY,
];

const SENSORS_COLUMNS: ColumnSchema[] = [
  { name: 'sensor_id', type: 'BIGINT' },
  { name: 'location_id', type: 'BIGINT' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'parameter_id', type: 'INTEGER' },
  { name: 'parameter', type: 'VARCHAR' },
  { name: 'units', type: 'VARCHAR' },
  { name: 'display_name', type: 'VARCHAR' },
  ...VALIDITY,
];

export async function transformDimensions(
  instance: DuckDBInstance,
  input: DimensionsTransformInput,
): Promise<DimensionsTransformOutput> {
  if (input.objects.length === 0) {
    return {
      locations: { files: [], columns: LOCATIONS_COLUMNS, rows: 0 },
      sensors: { files: [], columns: SENSORS_COLUMNS, rows: 0 },
    };
  }
  return withSession(instance, async (db) => {
    const stmt = (name: string) => sqlStatement(SQL, name);
    const files = input.objects.map((o) => ({ path: o.path, raw_key: o.rawKey, fetched_at: o.fetchedAt }));
    await db.run(stmt('create_snapshot_files'), { files: JSON.stringify(files) });
    await db.run(stmt('create_snapshots'), { paths: files.map((f) => f.path) });
    await mkdir(input.workDir, { recursive: true });
    return {
      locations: await copyTable(
        db,
        stmt('copy_locations'),
        join(input.workDir, 'locations.parquet'),
        LOCATIONS_COLUMNS,
      ),
      sensors: await copyTable(
        db,
        stmt('copy_sensors'),
        join(input.workDir, 'sensors.parquet'),
        SENSORS_COLUMNS,
      ),
    };
  });
}

async function copyTable(
  db: DuckDbSession,
  copySql: string,
  path: string,
  columns: ColumnSchema[],
): Promise<DimensionTableOutput> {
  const [result] = await db.rows<{ Count: number }>(copySql.replace('{{target}}', sqlString(path)));
  const rows = result?.Count ?? 0;
  const [meta] = await db.rows<{ bytes: number }>(
    'SELECT file_size_bytes AS bytes FROM parquet_file_metadata($path)',
    { path },
  );
  return { files: [{ localPath: path, rows, bytes: meta?.bytes ?? 0 }], columns, rows };
}
