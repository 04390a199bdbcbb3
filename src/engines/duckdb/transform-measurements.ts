// DuckDB's side of the measurements transform: runs sql/dev/measurements.sql over raw objects and writes one
// Parquet file per local day (plus quarantine files), returning the files and each day's reconciliation counts.
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { EngineError, errorMessage } from '../../errors.js';
import { eachDate } from '../../time/local-day.js';
import type {
  DayStats,
  LocalFile,
  MeasurementsTransformInput,
  MeasurementsTransformOutput,
  RawMeasurementsObject,
} from '../engine.js';
import { sqlStatement } from '../sql-files.js';
import { type DuckDbSession, sqlString, withSession } from './duckdb-instance.js';
import { mergeParquetInSession } from './merge-parquet.js';
import { insertArchiveRows } from './transform-archive.js';

const SQL = 'dev/measurements.sql';

import { MEASUREMENTS_COLUMNS, QUARANTINE_COLUMNS } from '../dev-tables.js';

export { MEASUREMENTS_COLUMNS, QUARANTINE_COLUMNS };

interface FileRow {
  path: string;
  raw_key: string;
  sensor_id: number;
  location_id: number | null;
  fetched_at: string;
  window_from_utc: string | null;
  window_to_utc: string | null;
  object_reason: string | null;
  /** The extract validated it: read typed in bulk. */
  valid: boolean;
}

/** Sizes that keep the transform within DuckDB's memory_limit whatever the input (see transformLimits). */
export interface TransformLimits {
  /** Raw JSON bytes above which the rows are staged in a DuckDB file instead of an in-memory table. */
  stageAboveJsonBytes: number;
  /** Rows one partitioned COPY writes at most. */
  copyChunkRows: number;
  /** Rows the dedup counts in one pass at most (its hash table holds one entry per key). */
  dedupPassRows: number;
}

/**
 * The limits for a memory_limit of `memoryLimit` bytes:
 * - A record of a raw page (~600 bytes of JSON) is ~150 bytes in DuckDB's uncompressed in-memory table, which may
 *   take 40% of the limit; beyond, the rows go to a DuckDB file of the transform's own, whose row groups are written
 *   compressed as they fill (~30 bytes a row) and read back through the buffer pool.
 * - A partitioned COPY keeps every day it has open in memory until it ends (a day is one row group) and encodes them
 *   at the end (~500 bytes a row at peak): an 8th of the limit in those bytes (250k rows for 1 GB), 100k–1M rows.
 * - The dedup's hash table: 2M keys a pass.
 */
function transformLimits(memoryLimit: number): TransformLimits {
  return {
    stageAboveJsonBytes: (0.4 * memoryLimit) / 0.25,
    copyChunkRows: Math.min(1_000_000, Math.max(100_000, Math.floor(memoryLimit / 4000))),
    dedupPassRows: 2_000_000,
  };
}

export async function transformMeasurements(
  instance: DuckDBInstance,
  input: MeasurementsTransformInput,
  overrides: Partial<TransformLimits> = {},
): Promise<MeasurementsTransformOutput> {
  return withSession(instance, async (db) => {
    const files = await classifyObjects(db, input.objects);
    const [setting] = await db.rows<{ limit: string }>("SELECT current_setting('memory_limit') AS limit");
    const limits = { ...transformLimits(byteSize(setting?.limit ?? '')), ...overrides };
    // The rows table holds every record of the range: in memory when it fits easily, else in a staging file.
    // Its name is the instance's (ATTACH is not per connection): one of its own for each transform running.
    const staging =
      (await inputJsonBytes(files, input.archiveObjects ?? [])) > limits.stageAboveJsonBytes
        ? `staging_${randomUUID().replaceAll('-', '')}`
        : null;
    if (staging) {
      await mkdir(input.workDir, { recursive: true });
      await db.run(`ATTACH ${sqlString(join(input.workDir, 'rows.duckdb'))} AS ${staging}`);
    }
    try {
      return await transformLoaded(db, files, input, { staging, limits });
    } finally {
      // Best effort, so that a failure here never hides the transform's own error; the work folder goes anyway.
      if (staging)
        for (const statement of ['USE memory', `DETACH DATABASE IF EXISTS ${staging}`])
          await db.run(statement).catch(() => undefined);
    }
  });
}

/** DuckDB error kinds that say nothing about the objects read (EngineError.kind, from toEngineError). */
const RESOURCE_ERRORS = new Set(['Out of Memory Error', 'INTERRUPT Error']);

async function transformLoaded(
  db: DuckDbSession,
  files: FileRow[],
  input: MeasurementsTransformInput,
  { staging, limits }: { staging: string | null; limits: TransformLimits },
): Promise<MeasurementsTransformOutput> {
  const stmt = (name: string) => sqlStatement(SQL, name);
  const dropLoaded = async () => {
    for (const table of ['rows', 'local_days', 'file_context', 'location_versions', 'raw_files'])
      await db.run(`DROP TABLE IF EXISTS ${table}`);
  };
  // Validated objects typed in bulk, as one line each, else of any layout; when an object does not fit the types
  // after all, every object leaf by leaf; when an object still breaks the read, each probed alone and the bad
  // quarantined.
  let failure: EngineError | null = null;
  for (const reading of ['lines', 'typed', 'json'] as const) {
    try {
      await loadRows(db, files, input, { reading, staging });
      failure = null;
      break;
    } catch (err) {
      // Out of memory or interrupted: another reading of the same objects cannot help, only take longer.
      if (!(err instanceof EngineError) || RESOURCE_ERRORS.has(err.kind)) throw err;
      failure = err;
      await dropLoaded();
    }
  }
  if (failure) {
    for (const f of files)
      if (f.object_reason === null)
        f.object_reason = await probe(db, { path: f.path, rawKey: f.raw_key }, null);
    if (!files.some((f) => f.object_reason !== null)) throw failure;
    await loadRows(db, files, input, { reading: 'json', staging });
  }
  // Dedup in passes over sensors (hash of sensor_id): each pass counts the keys of a share of the rows.
  const [{ total } = { total: 0 }] = await db.rows<{ total: number }>('SELECT count(*) AS total FROM rows');
  await db.run(stmt('create_losers'));
  const parts = Math.max(1, Math.ceil(total / limits.dedupPassRows));
  for (let part = 0; part < parts; part++) await db.run(stmt('insert_losers'), { parts, part });
  await db.run(stmt('create_quality_rules'), { rules_path: input.qualityRulesPath });
  await db.run(stmt('create_quality_ranges'), { rules_path: input.qualityRulesPath });

  const counts = await db.rows<{
    local_date: string;
    raw_rows: number;
    quarantined_rows: number;
    duplicates_dropped: number;
    min_period_end_utc: string | null;
    max_period_end_utc: string | null;
  }>(stmt('day_counts'));
  const dataFiles: DayFile[] = [];
  const quarantineFiles: DayFile[] = [];
  for (const [i, chunk] of copyChunks(counts, limits.copyChunkRows).entries()) {
    // A COPY writes into a folder of its own.
    const range = { copy_from: chunk.from, copy_to: chunk.to };
    if (chunk.rows > chunk.quarantined)
      dataFiles.push(
        ...(await copyByDay(
          db,
          stmt('copy_measurements'),
          join(input.workDir, 'measurements', `${i}`),
          range,
        )),
      );
    if (chunk.quarantined > 0)
      quarantineFiles.push(
        ...(await copyByDay(db, stmt('copy_quarantine'), join(input.workDir, 'quarantine', `${i}`), range)),
      );
  }

  const days = eachDate(input.fromDate, input.toDate).map((localDate) => {
    const c = counts.find((x) => x.local_date === localDate);
    const files = dataFiles.filter((f) => f.localDate === localDate).map(({ localDate: _, ...f }) => f);
    const stats: DayStats = {
      rawRows: c?.raw_rows ?? 0,
      // Counted from the files written, not derived: a row lost on the way breaks the reconciliation check.
      rows: files.reduce((sum, f) => sum + f.rows, 0),
      quarantinedRows: c?.quarantined_rows ?? 0,
      duplicatesDropped: c?.duplicates_dropped ?? 0,
      minPeriodEndUtc: c?.min_period_end_utc ?? null,
      maxPeriodEndUtc: c?.max_period_end_utc ?? null,
    };
    return {
      localDate,
      files,
      quarantineFiles: quarantineFiles
        .filter((f) => f.localDate === localDate)
        .map(({ localDate: _, ...f }) => f),
      stats,
    };
  });
  return { days, columns: MEASUREMENTS_COLUMNS, quarantineColumns: QUARANTINE_COLUMNS };
}

/**
 * An archive .csv.gz holds about as many rows as a JSON page 30 times its size (gzip shrinks the CSV ~6×; a CSV row,
 * ~95 bytes, is ~1/5 of a v3 JSON record): archive rows count toward the rows table's size as API rows do. A rough
 * factor is enough: it only decides whether the rows table is staged in a file.
 */
const ARCHIVE_GZ_TO_JSON_BYTES = 30;

/** The input's size in JSON-page bytes: what decides whether the rows table is staged in a file. */
async function inputJsonBytes(
  files: readonly FileRow[],
  archiveObjects: readonly { path: string; valid: boolean }[],
): Promise<number> {
  const size = async (path: string) => (await stat(path).catch(() => ({ size: 0 }))).size;
  let bytes = 0;
  for (const f of files) if (f.object_reason === null) bytes += await size(f.path);
  for (const a of archiveObjects) if (a.valid) bytes += ARCHIVE_GZ_TO_JSON_BYTES * (await size(a.path));
  return bytes;
}

const UNITS: Record<string, number> = { bytes: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

/** DuckDB's `953.6 MiB` in bytes (Infinity when unparsable: no limit known). */
function byteSize(text: string): number {
  const m = /^([\d.]+)\s*(bytes|KiB|MiB|GiB|TiB)$/.exec(text.trim());
  return m ? Number(m[1]) * UNITS[m[2]!]! : Number.POSITIVE_INFINITY;
}

/**
 * Objects that passed the extract's validation are read in bulk. An invalid one is probed alone first: if DuckDB
 * cannot read it, or it yields no record, it becomes one quarantine row with the reason instead of failing the day.
 */
async function classifyObjects(
  db: DuckDbSession,
  objects: readonly RawMeasurementsObject[],
): Promise<FileRow[]> {
  const rows: FileRow[] = [];
  for (const o of objects) {
    const row: FileRow = {
      path: o.path,
      raw_key: o.rawKey,
      sensor_id: o.sensorId,
      location_id: o.locationId,
      fetched_at: o.fetchedAt,
      window_from_utc: o.windowFromUtc,
      window_to_utc: o.windowToUtc,
      object_reason: null,
      valid: o.valid,
    };
    if (!o.valid) row.object_reason = await probe(db, o, o.validationError);
    rows.push(row);
  }
  return rows;
}

async function probe(
  db: DuckDbSession,
  object: { path: string; rawKey: string },
  validationError: string | null,
): Promise<string | null> {
  try {
    const [row] = await db.rows<{ records: number }>(recordsStatement('probe_object', 'json'), {
      paths: [object.path],
    });
    if ((row?.records ?? 0) > 0) return null;
    return `raw object failed validation and yields no record${validationError ? `: ${validationError}` : ''}`;
  } catch (err) {
    // Name the object by its key: the local path is a detail of this machine (or of a download cache).
    return `unreadable raw object: ${errorMessage(err).replaceAll(object.path, object.rawKey)}`;
  }
}

async function loadRows(
  db: DuckDbSession,
  files: FileRow[],
  input: MeasurementsTransformInput,
  { reading, staging }: { reading: Reading; staging: string | null },
): Promise<void> {
  const stmt = (name: string) => sqlStatement(SQL, name);
  const range = { from_date: input.fromDate, to_date: input.toDate };
  await db.run(stmt('create_raw_files'), {
    files: JSON.stringify(files.map(({ valid: _, ...f }, i) => ({ file_id: i, ...f }))),
  });
  if (input.locationFiles.length > 0)
    await db.run(stmt('create_location_versions'), { location_files: input.locationFiles });
  else await db.run(stmt('create_empty_location_versions'));
  await db.run(stmt('create_location_rule'));
  await db.run(stmt('create_file_context'));
  await db.run(stmt('create_local_days'), { ...range, ...utcSpan(input.fromDate, input.toDate) });
  if (staging) {
    // The one table of the staging file; later statements find `rows` there (temp tables first, then staging).
    await db.run(
      replaceExactlyOnce(stmt('create_rows'), 'CREATE TEMP TABLE rows', `CREATE TABLE ${staging}.rows`),
    );
    await db.run(`USE ${staging}`);
  } else await db.run(stmt('create_rows'));
  // In time order (of the request windows): the table then holds a day's rows close together, and the COPY of a
  // run of days skips the row groups of other times by their min/max.
  const readable = files
    .filter((f) => f.object_reason === null)
    .map((f) => ({ f, t: Date.parse(f.window_from_utc ?? f.fetched_at) || 0 }))
    .sort((a, b) => a.t - b.t || a.f.raw_key.localeCompare(b.f.raw_key))
    .map(({ f }) => f);
  const bulk = readable.filter((f) => reading !== 'json' && f.valid).map((f) => f.path);
  const leafByLeaf = readable.filter((f) => !(reading !== 'json' && f.valid)).map((f) => f.path);
  if (bulk.length > 0) await db.run(recordsStatement('insert_records', reading), { paths: bulk, ...range });
  if (leafByLeaf.length > 0)
    await db.run(recordsStatement('insert_records', 'json'), { paths: leafByLeaf, ...range });
  await db.run(stmt('insert_object_rows'), range);
  await insertArchiveRows(db, {
    fromDate: input.fromDate,
    toDate: input.toDate,
    archiveObjects: input.archiveObjects ?? [],
    parameterFiles: input.parameterFiles ?? [],
  });
}

/**
 * Statement `name` over the records of API objects: read typed in bulk (typed_records) or leaf by leaf as JSON
 * (json_records), two readings of one format into one column list.
 */
function recordsStatement(name: string, reading: Reading): string {
  const records =
    reading === 'json'
      ? sqlStatement(SQL, 'json_records')
      : reading === 'typed'
        ? replaceExactlyOnce(
            sqlStatement(SQL, 'typed_records'),
            "format = 'newline_delimited'",
            "format = 'auto'",
          )
        : sqlStatement(SQL, 'typed_records');
  // A replacer function: the SQL holds `$` patterns (->> '$') that a replacement string would expand.
  return sqlStatement(SQL, name).replace('{{records}}', () => records);
}

/**
 * How validated objects are read: typed as one line of JSON each (as the API sends them), typed whatever their
 * layout, or leaf by leaf as JSON (as invalid objects always are).
 */
type Reading = 'lines' | 'typed' | 'json';

/** UTC instants that hold every local day fromDate..toDate in any zone (UTC−12 … UTC+14). */
function utcSpan(fromDate: string, toDate: string): { span_from_utc: string; span_to_utc: string } {
  const from = Date.parse(`${fromDate}T00:00:00Z`) - 14 * 3_600_000;
  const to = Date.parse(`${toDate}T00:00:00Z`) + (24 + 12) * 3_600_000;
  return { span_from_utc: new Date(from).toISOString(), span_to_utc: new Date(to).toISOString() };
}

type DayFile = LocalFile & { localDate: string };

interface CopyChunk {
  from: string;
  to: string;
  rows: number;
  quarantined: number;
}

/** Consecutive days (those with rows, in order) in runs of at most maxRows rows (or one larger day). */
function copyChunks(
  counts: readonly { local_date: string; raw_rows: number; quarantined_rows: number }[],
  maxRows: number,
): CopyChunk[] {
  const chunks: CopyChunk[] = [];
  let current: CopyChunk | null = null;
  for (const c of [...counts].sort((a, b) => a.local_date.localeCompare(b.local_date))) {
    if (current === null || current.rows + c.raw_rows > maxRows) {
      current = { from: c.local_date, to: c.local_date, rows: 0, quarantined: 0 };
      chunks.push(current);
    }
    current.to = c.local_date;
    current.rows += c.raw_rows;
    current.quarantined += c.quarantined_rows;
  }
  return chunks;
}

/** Runs a partitioned COPY into `target` and returns its files with the day each holds, rows and bytes. */
async function copyByDay(
  db: DuckDbSession,
  copySql: string,
  target: string,
  range: { copy_from: string; copy_to: string },
): Promise<DayFile[]> {
  await mkdir(target, { recursive: true });
  const [result] = await db.rows<{ Count: number; Files: string[] }>(
    copySql.replace('{{target}}', () => sqlString(target)),
    range,
  );
  const paths = result?.Files ?? [];
  if (paths.length === 0) return [];
  const meta = await db.rows<{ path: string; rows: number; bytes: number }>(sqlStatement(SQL, 'file_rows'), {
    paths,
  });
  const files = meta.map((m) => {
    const day = /partition_date=(\d{4}-\d{2}-\d{2})/.exec(m.path)?.[1];
    if (!day) throw new EngineError(`unexpected partition folder in ${m.path}`, 'Internal Error');
    return { localDate: day, localPath: m.path, rows: m.rows, bytes: m.bytes };
  });
  // The lake keeps ONE object per day: a partitioned COPY may split a day (many open partitions, parallel
  // writers), so a split day is merged into one file.
  const merged: DayFile[] = [];
  for (const localDate of [...new Set(files.map((f) => f.localDate))].sort()) {
    const own = files.filter((f) => f.localDate === localDate);
    if (own.length === 1) merged.push(own[0]!);
    else {
      const out = join(target, `day-${localDate}.parquet`);
      const file = await mergeParquetInSession(
        db,
        own.map((f) => f.localPath),
        out,
      );
      merged.push({ ...file, localDate });
    }
  }
  return merged;
}

/** `text` with `from` replaced; throws unless `from` occurs exactly once (the SQL it edits may not drift silently). */
function replaceExactlyOnce(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2)
    throw new Error(`expected one '${from}' in the statement, found ${parts.length - 1}`);
  return parts.join(to);
}
