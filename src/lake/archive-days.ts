// What aqlake knows of the OpenAQ archive's location-days (SQLite table archive_days), and the archive objects the
// transform of a range of local days reads from it.
import type { RawArchiveObject } from '../engines/engine.js';
import { PipelineError } from '../errors.js';
import { addDays } from '../time/local-day.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { latestParametersObjects } from './manifest.js';
import type { MetaDb } from './meta/meta-db.js';
import type { ObjectStore } from './store/index.js';

/** What aqlake last learnt about one archive location-day (table archive_days). */
export interface ArchiveDayState {
  locationId: number;
  localDate: string;
  status: 'present' | 'absent';
  rawKey: string | null;
  etag: string | null;
  lastModified: string | null;
  size: number | null;
  checkedAt: string;
}

interface ArchiveDayRow {
  location_id: number;
  local_date: string;
  status: 'present' | 'absent';
  raw_key: string | null;
  etag: string | null;
  last_modified: string | null;
  size: number | null;
  checked_at: string;
}

// Row → record: two formats of one column list (snake_case columns, camelCase fields), like every store's mapper.
function fromDayRow(r: ArchiveDayRow): ArchiveDayState {
  return {
    locationId: r.location_id,
    localDate: r.local_date,
    status: r.status,
    rawKey: r.raw_key,
    etag: r.etag,
    lastModified: r.last_modified,
    size: r.size,
    checkedAt: r.checked_at,
  };
}

export function readArchiveDay(
  meta: MetaDb,
  locationId: number,
  localDate: string,
): ArchiveDayState | undefined {
  const row = meta
    .prepare('SELECT * FROM archive_days WHERE location_id = ? AND local_date = ?')
    .get(locationId, localDate) as ArchiveDayRow | undefined;
  return row && fromDayRow(row);
}

/** Every recorded day of the locations in `from`..`to` (local dates), in date order. */
export function listArchiveDays(
  meta: MetaDb,
  q: { from: string; to: string; locationIds?: readonly number[] },
): ArchiveDayState[] {
  const rows = meta
    .prepare('SELECT * FROM archive_days WHERE local_date BETWEEN ? AND ? ORDER BY local_date, location_id')
    .all(q.from, q.to) as ArchiveDayRow[];
  const wanted = q.locationIds && new Set(q.locationIds);
  return rows.filter((r) => !wanted || wanted.has(r.location_id)).map(fromDayRow);
}

export function saveArchiveDay(meta: MetaDb, s: ArchiveDayState, runId: string | null): void {
  meta
    .prepare(
      `INSERT INTO archive_days (location_id, local_date, status, raw_key, etag, last_modified, size, checked_at, run_id)
       VALUES (@locationId, @localDate, @status, @rawKey, @etag, @lastModified, @size, @checkedAt, @runId)
       ON CONFLICT (location_id, local_date) DO UPDATE SET status = excluded.status, raw_key = excluded.raw_key,
         etag = excluded.etag, last_modified = excluded.last_modified, size = excluded.size,
         checked_at = excluded.checked_at, run_id = excluded.run_id`,
    )
    .run({ ...s, runId });
}

/** Local paths fetched at once (an S3 store downloads each). */
const LOCAL_PATH_CONCURRENCY = 8;

/**
 * What the transform of local days `from`..`to` reads from the archive: the newest object of each location-day the
 * archive holds (the day before and after too, for rows a changed zone puts across midnight), and the pages of the
 * newest /v3/parameters snapshot. Older versions of a day are not read: a re-export replaces the whole file, so a
 * row OpenAQ removed from the day is gone from dev too. A day the archive no longer has is not read at all.
 */
export async function archiveTransformInputs(
  ctx: { meta: MetaDb; store: ObjectStore },
  from: string,
  to: string,
  /** False for an engine that reads the store itself: keys only, `path` empty, nothing fetched. */
  options: { localPaths?: boolean } = {},
): Promise<{ archiveObjects: RawArchiveObject[]; parameterFiles: string[]; parameterKeys: string[] }> {
  const fetch = options.localPaths !== false;
  const rows = ctx.meta
    .prepare(
      `SELECT d.location_id, d.local_date, o.raw_key, o.fetched_at, o.valid, o.validation_error
       FROM archive_days d JOIN raw_objects o ON o.raw_key = d.raw_key
       WHERE d.status = 'present' AND d.local_date BETWEEN ? AND ?
       ORDER BY d.local_date, d.location_id`,
    )
    .all(addDays(from, -1), addDays(to, 1)) as {
    location_id: number;
    local_date: string;
    raw_key: string;
    fetched_at: string;
    valid: number;
    validation_error: string | null;
  }[];
  if (rows.length === 0) return { archiveObjects: [], parameterFiles: [], parameterKeys: [] };
  const parameters = latestParametersObjects(ctx.meta);
  if (parameters.length === 0) {
    throw new PipelineError(
      `transform: raw/ holds archive objects for ${from}..${to} but no /v3/parameters snapshot to give their rows parameter ids; run extract_parameters (extractArchiveTask does) first`,
      'transform',
    );
  }
  const archiveObjects = await mapWithConcurrency(rows, LOCAL_PATH_CONCURRENCY, async (r) => ({
    rawKey: r.raw_key,
    path: fetch ? await ctx.store.localPath(r.raw_key) : '',
    locationId: r.location_id,
    localDate: r.local_date,
    fetchedAt: r.fetched_at,
    valid: r.valid === 1,
    validationError: r.validation_error,
  }));
  const parameterKeys = parameters.map((o) => o.rawKey);
  const parameterFiles = fetch
    ? await mapWithConcurrency(parameterKeys, LOCAL_PATH_CONCURRENCY, (k) => ctx.store.localPath(k))
    : [];
  return { archiveObjects, parameterFiles, parameterKeys };
}
