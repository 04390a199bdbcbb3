// DuckDB's side of the archive input to the measurements transform: sql/dev/archive_measurements.sql types the rows of
// raw archive .csv.gz objects into the transform's `rows` table, beside the API's, before the dedup.
import type { RawArchiveObject } from '../engine.js';
import { sqlStatement } from '../sql-files.js';
import type { DuckDbSession } from './duckdb-instance.js';

const SQL = 'dev/archive_measurements.sql';

export type { RawArchiveObject };

export interface ArchiveRowsInput {
  fromDate: string;
  toDate: string;
  archiveObjects: readonly RawArchiveObject[];
  /** Local paths of the newest /v3/parameters snapshot's pages. */
  parameterFiles: readonly string[];
}

/**
 * Inserts the archive rows of local days fromDate..toDate into `rows` (source 'archive'). Needs the temp tables
 * `location_versions` and `rows` (with a `source` column) of dev/measurements.sql on the same connection.
 */
export async function insertArchiveRows(db: DuckDbSession, input: ArchiveRowsInput): Promise<void> {
  if (input.archiveObjects.length === 0) return;
  const stmt = (name: string) => sqlStatement(SQL, name);
  const range = { from_date: input.fromDate, to_date: input.toDate };
  const files = input.archiveObjects.map((o) => ({
    path: o.path,
    raw_key: o.rawKey,
    location_id: o.locationId,
    file_date: o.localDate,
    fetched_at: o.fetchedAt,
    object_reason: o.valid
      ? null
      : `raw archive object failed the extract's check${o.validationError ? `: ${o.validationError}` : ''}`,
  }));
  // A retried load (see transformMeasurements) finds these tables from the first attempt.
  for (const table of ['archive_files', 'archive_parameters', 'archive_file_context'])
    await db.run(`DROP TABLE IF EXISTS ${table}`);
  await db.run(stmt('create_archive_files'), { files: JSON.stringify(files) });
  if (input.parameterFiles.length > 0)
    await db.run(stmt('create_archive_parameters'), { parameter_files: input.parameterFiles });
  else await db.run(stmt('create_empty_archive_parameters'));
  // The location rule of the API rows (CREATE OR REPLACE: the API's load has usually made it already).
  await db.run(sqlStatement('dev/measurements.sql', 'create_location_rule'));
  await db.run(stmt('create_archive_file_context'));
  const readable = files.filter((f) => f.object_reason === null).map((f) => f.path);
  if (readable.length > 0) await db.run(stmt('insert_archive_records'), { paths: readable, ...range });
  await db.run(stmt('insert_archive_object_rows'), range);
}
