// Which source a local day's measurements come from — the OpenAQ archive once its export lag has passed, else the
// API — and what each source costs a backfill (days, requests, time under the API's rate limits).
import { UsageError } from '../errors.js';
import { addDays, eachDate, todayIn } from '../time/local-day.js';

const SOURCE_MODES = ['auto', 'api', 'archive'] as const;
/** `auto`: archive for days older than the lag, API for the rest; `api` / `archive`: every day from that source. */
export type SourceMode = (typeof SOURCE_MODES)[number];

/** Local calendar days, both inclusive. */
export interface DayRange {
  from: string;
  to: string;
}

export interface SourceSplit {
  api: DayRange | null;
  archive: DayRange | null;
}

export function parseSourceMode(value: string | undefined): SourceMode {
  if (value === undefined) return 'auto';
  if ((SOURCE_MODES as readonly string[]).includes(value)) return value as SourceMode;
  throw new UsageError(`--source must be one of ${SOURCE_MODES.join(', ')}, not "${value}"`);
}

/** Whole days from `localDate` to `today` (both YYYY-MM-DD). */
function ageInDays(localDate: string, today: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${localDate}T00:00:00Z`)) / 86_400_000);
}

/**
 * Whether the archive should hold local day `localDate` by `today` (the location's local date): files are written
 * about 72 h after the day ends and a 4-day lag was observed, so a day is settled when it is older than `lagDays`.
 */
export function isPastArchiveLag(localDate: string, today: string, lagDays: number): boolean {
  return ageInDays(localDate, today) > lagDays;
}

/**
 * "Today" for the source choice: the date in UTC−12, the last zone on Earth to finish a day, so a day counts as past
 * the lag only once it is past it for every location, whatever its zone.
 */
export function sourceToday(now: Date): string {
  return todayIn('Etc/GMT+12', now);
}

/**
 * Splits local days `range` between the sources: with `auto`, days older than `lagDays` (relative to `today`, see
 * sourceToday) from the archive and the newer ones from the API. Either side is null when it gets no day.
 */
export function splitBySource(
  range: DayRange,
  options: { mode: SourceMode; lagDays: number; today: string },
): SourceSplit {
  if (range.from > range.to) return { api: null, archive: null };
  if (options.mode === 'api') return { api: { ...range }, archive: null };
  if (options.mode === 'archive') return { api: null, archive: { ...range } };
  const lastArchiveDay = addDays(options.today, -options.lagDays - 1);
  const archive =
    range.from <= lastArchiveDay ? { from: range.from, to: min(range.to, lastArchiveDay) } : null;
  const firstApiDay = addDays(lastArchiveDay, 1);
  const api = range.to >= firstApiDay ? { from: max(range.from, firstApiDay), to: range.to } : null;
  return { api, archive };
}

function min(a: string, b: string): string {
  return a < b ? a : b;
}

function max(a: string, b: string): string {
  return a > b ? a : b;
}

export interface SourceEstimate {
  source: 'api' | 'archive';
  from: string;
  to: string;
  days: number;
  /** Measurement requests: /sensors/{id}/measurements pages for the API; GET or HEAD of location-days for the archive. */
  requests: number;
  /** The time those requests need: under the API key's rate limits, or at the archive's assumed latency. */
  seconds: number;
  /** Whether OpenAQ's per-key rate limits apply (the archive is a public bucket: they do not). */
  rateLimited: boolean;
}

export interface SourceCostInput {
  split: SourceSplit;
  locations: number;
  /** Sensors of those locations that will be extracted. */
  sensors: number;
  rateLimit: { perMinute: number; perHour: number };
  /** Measurements per sensor and day: 24 for hourly sensors (most of OpenAQ), 96 for 15-minute ones. */
  rowsPerSensorDay?: number;
  /**
   * True when a backfill fetches the API days in wide windows once (the extract's `prefetch`); false when each day is
   * fetched on its own, one request per sensor and day at least.
   */
  wideWindows?: boolean;
  archive?: {
    /** Location-days the archive will not be asked about (recorded missing after the lag, or already checked). */
    skippedDays?: number;
    /** One request's round trip; default 0.25 s (S3 us-east-1 from far away). */
    secondsPerRequest?: number;
    /** Requests in flight at once; default min(8, locations), as extract_archive asks. */
    concurrency?: number;
  };
}

const PAGE_ROWS = 1000;
const WINDOW_DAYS = 366;

/** The cost of each source of a split; a source without days is left out. */
export function estimateSources(input: SourceCostInput): SourceEstimate[] {
  const out: SourceEstimate[] = [];
  const { api, archive } = input.split;
  if (api) {
    const days = eachDate(api.from, api.to).length;
    const rowsPerDay = input.rowsPerSensorDay ?? 24;
    let perSensor: number;
    if (input.wideWindows ?? true) {
      perSensor = 0;
      for (let left = days; left > 0; left -= WINDOW_DAYS)
        perSensor += pagesFor(Math.min(left, WINDOW_DAYS) * rowsPerDay);
    } else {
      perSensor = days * pagesFor(rowsPerDay);
    }
    const requests = perSensor * input.sensors;
    out.push({
      source: 'api',
      ...api,
      days,
      requests,
      seconds: rateLimitedSeconds(requests, input.rateLimit),
      rateLimited: true,
    });
  }
  if (archive) {
    const days = eachDate(archive.from, archive.to).length;
    const requests = Math.max(0, days * input.locations - (input.archive?.skippedDays ?? 0));
    const concurrency = input.archive?.concurrency ?? Math.max(1, Math.min(8, input.locations));
    const seconds = Math.ceil(requests / concurrency) * (input.archive?.secondsPerRequest ?? 0.25);
    out.push({ source: 'archive', ...archive, days, requests, seconds, rateLimited: false });
  }
  return out;
}

/** Pages of 1,000 for `rows` rows: the last page must come back short, so an exact multiple costs one more. */
function pagesFor(rows: number): number {
  return Math.floor(rows / PAGE_ROWS) + 1;
}

/**
 * Seconds `requests` requests need under a per-minute and a per-hour sliding window, sent as fast as allowed (request
 * latency not counted): every full hour budget waits an hour, the rest goes `perMinute` a minute.
 */
export function rateLimitedSeconds(requests: number, limits: { perMinute: number; perHour: number }): number {
  if (requests <= 0) return 0;
  const afterFirst = requests - 1;
  const hours = Math.floor(afterFirst / limits.perHour);
  const rest = afterFirst - hours * limits.perHour;
  return hours * 3600 + Math.floor(rest / limits.perMinute) * 60;
}
