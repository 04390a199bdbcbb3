// Test support for the query side: dev.measurements rows built by hand, written to real Parquet files with DuckDB.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { QuerySession, sqlString } from '../src/engines/duckdb/query-session.js';
import { MEASUREMENTS_COLUMNS } from '../src/engines/duckdb/transform-measurements.js';
import { localDateOfPeriodEnd } from '../src/time/local-day.js';
import { tempDir } from './helpers/temp-dir.js';

/** dev.measurements as the transform writes it (ARCHITECTURE §4). */
const MEASUREMENT_COLUMNS = MEASUREMENTS_COLUMNS;

export interface MeasurementRow {
  location_id: number;
  sensor_id: number;
  parameter_id: number;
  parameter: string;
  units: string;
  value: number | null;
  period_start_utc: string;
  period_end_utc: string;
  timezone: string;
  local_date: string | null;
  interval_seconds: number;
  latitude: number;
  longitude: number;
  has_flags: boolean;
  quality: string;
  source: string;
  raw_key: string;
  ingested_at: string;
}

export type MeasurementInput = Partial<MeasurementRow> & {
  sensor_id: number;
  period_end_utc: string;
  value: number | null;
};

/** A full row from the fields a test cares about: pm25 µg/m³, hourly, quality from the value, local_date by OpenAQ's rule. */
export function measurement(input: MeasurementInput): MeasurementRow {
  const intervalSeconds = input.interval_seconds ?? 3600;
  const timezone = input.timezone ?? 'UTC';
  const endMs = Date.parse(`${input.period_end_utc.replace(' ', 'T')}Z`);
  if (Number.isNaN(endMs)) throw new Error(`bad period_end_utc ${input.period_end_utc}`);
  const value = input.value;
  const quality = value === null ? 'ok' : value <= -999 ? 'sentinel' : value < 0 ? 'negative' : 'ok';
  return {
    location_id: 1,
    parameter_id: 2,
    parameter: 'pm25',
    units: 'µg/m³',
    timezone,
    interval_seconds: intervalSeconds,
    latitude: 43.6685,
    longitude: -79.7603,
    has_flags: false,
    quality,
    source: 'api',
    raw_key: 'raw/openaq/sensors_measurements/year=2024/month=07/day=21/test.json',
    ingested_at: '2024-07-21 00:00:00',
    period_start_utc: naive(new Date(endMs - intervalSeconds * 1000)),
    local_date: localDateOfPeriodEnd(new Date(endMs), timezone),
    ...input,
    period_end_utc: naive(new Date(endMs)),
  };
}

/** A UTC instant as DuckDB's naive TIMESTAMP text. */
export function naive(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** Writes rows as a Snappy Parquet file with dev.measurements' exact column types (DuckDB reads NDJSON, writes Parquet). */
export async function writeMeasurementsParquet(path: string, rows: readonly MeasurementRow[]): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const scratch = tempDir('aqlake-rows-');
  const ndjson = join(scratch, 'rows.json');
  writeFileSync(ndjson, rows.map((r) => JSON.stringify(r)).join('\n'));
  const columns = MEASUREMENT_COLUMNS.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ');
  const session = await QuerySession.create({ tables: [], prodSqlDir: false });
  try {
    await session.run(
      `COPY (SELECT * FROM read_json(${sqlString(ndjson)}, format = 'newline_delimited', columns = {${columns}}))
       TO ${sqlString(path)} (FORMAT parquet, COMPRESSION snappy)`,
    );
  } finally {
    session.close();
  }
}

/** A session over the given dev.measurements files (all of prod created), trusted unless `lockdown` is given. */
export function sessionOver(
  files: string[],
  lockdown?: { allowedDirectories: string[] },
): Promise<QuerySession> {
  return QuerySession.create({
    tables: [{ name: 'measurements', files, columns: MEASUREMENT_COLUMNS }],
    lockdown,
  });
}
