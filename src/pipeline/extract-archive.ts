// extract_archive: each location-day of a range from the OpenAQ archive into raw/ byte for byte — GET when unknown,
// HEAD when known (a new object only when the ETag changed), and a record of the days the archive has no file for.
import { createHash } from 'node:crypto';
import { PipelineError } from '../errors.js';
import { type ArchiveDayState, readArchiveDay, saveArchiveDay } from '../lake/archive-days.js';
import { RAW_ARCHIVE_ENDPOINT, rawArchiveObjectKey } from '../lake/keys.js';
import { latestParametersObjects, recordRawObject } from '../lake/manifest.js';
import { ObjectExistsError } from '../lake/store/index.js';
import { type ArchiveClient, type ArchiveResponse, ArchiveUnreachableError } from '../openaq/archive.js';
import { checkArchiveObject } from '../openaq/archive-csv.js';
import type { Location } from '../openaq/index.js';
import { eachDate, localDayWindowUtc, todayIn } from '../time/local-day.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { extractParameters } from './extract-archive-parameters.js';
import type { ExtractContext } from './extract-context.js';
import { failOnInvalid, newBatchId } from './raw-landing.js';
import { latestLocationsSnapshot } from './raw-snapshots.js';
import { isPastArchiveLag } from './source-choice.js';

/** Location-days asked at once: the archive has no OpenAQ rate limit, but S3 answers a burst with 503 SlowDown. */
const DAY_CONCURRENCY = 8;

export type ArchiveExtractContext = Pick<
  ExtractContext,
  'config' | 'store' | 'meta' | 'logger' | 'now' | 'signal' | 'runId' | 'locations'
> & {
  /** Its holder (a DAG, a refresher) makes one and shares it: it remembers an archive found unreachable. */
  archive: ArchiveClient;
};

export interface ArchiveExtractOptions {
  /** Location ids; default ctx.locations, else the configured scope, else every location of the snapshot. */
  locations?: readonly number[];
  /** Local calendar days, both inclusive. */
  from: string;
  to: string;
  /** Where the time zones come from; default the latest locations snapshot in raw/. */
  snapshot?: readonly Location[];
  /**
   * Days checked at or after this ISO instant are not asked again, so the runs of one backfill (each re-reading its
   * lookback days) share their checks. Default: every known day gets a HEAD.
   */
  checkedSince?: string;
  /** Ask again about days recorded absent even when that answer came after the export lag. */
  recheckAbsent?: boolean;
  /**
   * Called with the days the archive could not be asked about (network errors, 5xx after retries — not 403/404, which
   * say the day has no file) to take them from elsewhere (`--source auto`: the API). Without it those days fail the
   * extract.
   */
  fallback?: (days: { from: string; to: string }, reason: string) => Promise<void>;
}

export interface ArchiveExtract {
  locations: number;
  days: number;
  /** HTTP requests sent to the archive, retries included. */
  requests: number;
  gets: number;
  heads: number;
  /** New raw objects: first fetches and re-exports. */
  landed: number;
  /** Landed objects that replaced an earlier version of their day (the ETag changed). */
  reexported: number;
  /** Known days whose HEAD showed the same object. */
  unchanged: number;
  /** Days the archive has no object for (404/403). */
  missing: number;
  /** Days not asked: recorded absent after the lag, or checked since `checkedSince`. */
  skipped: number;
  /** Location-days the archive could not be asked about (handed to the fallback when there is one). */
  unreachable: number;
  rows: number;
  bytes: number;
  rawKeys: string[];
}

export type ArchiveDayAction = 'get' | 'head' | 'skip';

/**
 * The request a location-day needs: GET when nothing is known, HEAD when an object is known, and for a day the
 * archive had no file for, nothing if that answer came after the export lag (the file would have been written by
 * then), else GET again.
 */
export function archiveDayAction(
  state: ArchiveDayState | undefined,
  timezone: string,
  rules: { lagDays: number; checkedSince?: string; recheckAbsent?: boolean },
): ArchiveDayAction {
  if (!state) return 'get';
  if (rules.checkedSince !== undefined && state.checkedAt >= rules.checkedSince) return 'skip';
  if (state.status === 'present') return 'head';
  const checkedOn = todayIn(timezone, new Date(state.checkedAt));
  if (!rules.recheckAbsent && isPastArchiveLag(state.localDate, checkedOn, rules.lagDays)) return 'skip';
  return 'get';
}

/** Whether a HEAD shows another object than the one landed: the ETag, or without ETags Last-Modified and size. */
export function archiveObjectChanged(
  state: Pick<ArchiveDayState, 'etag' | 'lastModified' | 'size'>,
  head: Pick<ArchiveResponse, 'etag' | 'lastModified' | 'size'>,
): boolean {
  if (state.etag !== null && head.etag !== null) return state.etag !== head.etag;
  if (state.lastModified !== null && head.lastModified !== null)
    return state.lastModified !== head.lastModified || (head.size !== null && state.size !== head.size);
  return true;
}

/**
 * The extract_archive task of a DAG run: the /v3/parameters snapshot first when raw/ has none (the transform needs it
 * to give archive rows their parameter ids; one or two API requests), then the archive days of `range`.
 */
export async function extractArchiveTask(
  ctx: ArchiveExtractContext & Pick<ExtractContext, 'openaq'>,
  range: { from: string; to: string },
  options: Omit<ArchiveExtractOptions, 'from' | 'to'> = {},
): Promise<ArchiveExtract & { parameterRequests: number }> {
  let parameterRequests = 0;
  if (latestParametersObjects(ctx.meta).length === 0)
    parameterRequests = (await extractParameters(ctx)).requests;
  const result = await extractArchive(ctx, { ...options, from: range.from, to: range.to });
  return { ...result, parameterRequests };
}

interface DayJob {
  location: Location;
  localDate: string;
}

export async function extractArchive(
  ctx: ArchiveExtractContext,
  options: ArchiveExtractOptions,
): Promise<ArchiveExtract> {
  const snapshot = options.snapshot ?? (await latestLocationsSnapshot(ctx));
  const ids = options.locations ?? ctx.locations ?? ctx.config.scope.locations ?? snapshot.map((l) => l.id);
  const byId = new Map(snapshot.map((l) => [l.id, l]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length === ids.length && ids.length > 0) {
    throw new PipelineError(
      `extract_archive: no location snapshot in raw/ for ${unknown.join(',')} (their time zones give the days' windows); run extract_locations first`,
      'extract_archive',
    );
  }
  // extract_locations skips ids OpenAQ no longer knows (404); their days cannot be placed, so they are skipped too.
  if (unknown.length > 0)
    ctx.logger.warn({ locationIds: unknown }, 'extract_archive: locations without a snapshot skipped');
  const known = ids.filter((id) => byId.has(id));
  const client = ctx.archive;
  const dates = eachDate(options.from, options.to);
  const jobs: DayJob[] = known.flatMap((id) =>
    dates.map((localDate) => ({ location: byId.get(id)!, localDate })),
  );
  const result: ArchiveExtract = {
    locations: known.length,
    days: jobs.length,
    requests: 0,
    gets: 0,
    heads: 0,
    landed: 0,
    reexported: 0,
    unchanged: 0,
    missing: 0,
    skipped: 0,
    unreachable: 0,
    rows: 0,
    bytes: 0,
    rawKeys: [],
  };
  const invalid: string[] = [];
  const batchId = newBatchId();
  const count = (response: ArchiveResponse) => {
    result.requests += response.attempts;
    if (response.method === 'GET') result.gets++;
    else result.heads++;
  };

  const unreachableDays = new Set<string>();
  let unreachableReason = '';
  await mapWithConcurrency(jobs, DAY_CONCURRENCY, async (job) => {
    try {
      await askArchive(job);
    } catch (err) {
      if (!(err instanceof ArchiveUnreachableError)) throw err;
      unreachableDays.add(job.localDate);
      unreachableReason ||= err.message;
    }
  });
  result.unreachable = [...unreachableDays].length;
  if (unreachableDays.size > 0) {
    const sorted = [...unreachableDays].sort();
    const days = { from: sorted[0]!, to: sorted.at(-1)! };
    if (!options.fallback)
      throw new PipelineError(
        `extract_archive: the archive could not be reached for ${sorted.length} day(s) (${days.from}..${days.to}): ${unreachableReason}`,
        'extract_archive',
      );
    await options.fallback(days, unreachableReason);
  }

  async function askArchive({ location, localDate }: DayJob): Promise<void> {
    const state = readArchiveDay(ctx.meta, location.id, localDate);
    const action = archiveDayAction(state, location.timezone, {
      lagDays: ctx.config.archive.lagDays,
      checkedSince: options.checkedSince,
      recheckAbsent: options.recheckAbsent,
    });
    if (action === 'skip') {
      result.skipped++;
      return;
    }
    if (action === 'head' && state) {
      const head = await client.head(location.id, localDate, ctx.signal);
      count(head);
      if (head.found && !archiveObjectChanged(state, head)) {
        saveArchiveDay(ctx.meta, { ...state, checkedAt: head.fetchedAt.toISOString() }, ctx.runId);
        result.unchanged++;
        return;
      }
      if (!head.found) {
        ctx.logger.warn(
          { locationId: location.id, localDate, status: head.status },
          'archive object known before is gone; the day is now recorded absent',
        );
        saveArchiveDay(ctx.meta, absentState(location.id, localDate, head, state.rawKey), ctx.runId);
        result.missing++;
        return;
      }
    }
    const got = await client.get(location.id, localDate, ctx.signal);
    count(got);
    if (!got.found) {
      saveArchiveDay(ctx.meta, absentState(location.id, localDate, got, state?.rawKey ?? null), ctx.runId);
      result.missing++;
      return;
    }
    const landed = await landArchiveObject(ctx, got, location, batchId);
    if (landed.validationError) invalid.push(`${landed.rawKey}: ${landed.validationError}`);
    if (landed.rawKey === state?.rawKey) {
      result.unchanged++;
      return;
    }
    if (landed.isNew) {
      result.landed++;
      result.rawKeys.push(landed.rawKey);
      result.rows += landed.rows ?? 0;
      result.bytes += got.body.byteLength;
    }
    if (state?.status === 'present') result.reexported++;
  }

  ctx.logger.info(
    { ...result, rawKeys: result.rawKeys.length, from: options.from, to: options.to },
    'archive extracted',
  );
  failOnInvalid('extract_archive', invalid);
  return result;
}

interface LandedArchiveObject {
  rawKey: string;
  /** False when these exact bytes were landed before (same key). */
  isNew: boolean;
  rows: number | null;
  validationError: string | null;
}

/**
 * Puts the bytes under their content-addressed key, then in one transaction the manifest row (first landing only)
 * and the day's state. A failed check still lands the object, recorded invalid, so nothing received is lost.
 */
async function landArchiveObject(
  ctx: ArchiveExtractContext,
  response: ArchiveResponse,
  location: Location,
  batchId: string,
): Promise<LandedArchiveObject> {
  const sha256 = createHash('sha256').update(response.body).digest('hex');
  const rawKey = rawArchiveObjectKey(location.id, response.localDate, sha256);
  const check = checkArchiveObject(response.body);
  const validationError = check.ok ? null : check.error;
  try {
    await ctx.store.put(rawKey, response.body, { contentType: 'application/gzip', ifAbsent: true });
  } catch (err) {
    // Same key, same bytes: an earlier landing (perhaps one that crashed before its manifest row).
    if (!(err instanceof ObjectExistsError)) throw err;
  }
  const window = localDayWindowUtc(response.localDate, location.timezone);
  const fetchedAt = response.fetchedAt.toISOString();
  let isNew = false;
  ctx.meta.transaction(() => {
    if (!ctx.meta.prepare('SELECT 1 FROM raw_objects WHERE raw_key = ?').get(rawKey)) {
      isNew = true;
      recordRawObject(ctx.meta, {
        rawKey,
        source: 'archive',
        endpoint: RAW_ARCHIVE_ENDPOINT,
        requestUrl: response.url,
        params: { locationId: String(location.id), localDate: response.localDate },
        locationId: location.id,
        sensorId: null,
        windowFromUtc: window.fromUtc.toISOString(),
        windowToUtc: window.toUtc.toISOString(),
        page: null,
        httpStatus: response.status,
        sha256,
        bytes: response.body.byteLength,
        resultCount: check.rows,
        valid: check.ok,
        validationError,
        etag: response.etag,
        lastModified: response.lastModified,
        fetchedAt,
        runId: ctx.runId,
        batchId,
      });
    }
    saveArchiveDay(
      ctx.meta,
      {
        locationId: location.id,
        localDate: response.localDate,
        status: 'present',
        rawKey,
        etag: response.etag,
        lastModified: response.lastModified,
        size: response.body.byteLength,
        checkedAt: fetchedAt,
      },
      ctx.runId,
    );
  })();
  return { rawKey, isNew, rows: check.rows, validationError };
}

function absentState(
  locationId: number,
  localDate: string,
  response: ArchiveResponse,
  rawKey: string | null,
): ArchiveDayState {
  return {
    locationId,
    localDate,
    status: 'absent',
    rawKey,
    etag: null,
    lastModified: null,
    size: null,
    checkedAt: response.fetchedAt.toISOString(),
  };
}
