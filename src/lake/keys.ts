// The key layout of the lake zones (ARCHITECTURE §3): one place builds and parses every key.
import { randomBytes } from 'node:crypto';

export interface DayParts {
  year: string;
  month: string;
  day: string;
}

/** `2024-03-05` → `year=2024/month=03/day=05` (zero-padded, Hive style). */
export function hivePartition(isoDate: string): string {
  const { year, month, day } = splitIsoDate(isoDate);
  return `year=${year}/month=${month}/day=${day}`;
}

export function splitIsoDate(isoDate: string): DayParts {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new Error(`not a date YYYY-MM-DD: ${isoDate}`);
  return { year: m[1]!, month: m[2]!, day: m[3]! };
}

/** The UTC calendar date of an instant, as raw objects are keyed by fetch date. */
function utcDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Compact UTC timestamp for object names: 20240305T101502123Z. */
export function compactTimestamp(instant: Date): string {
  return instant.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * A raw API object: `raw/openaq/{endpoint}/year=/month=/day=/{object}.json`, date = fetch date (UTC).
 * `endpoint` is a path-safe name such as `locations` or `sensors_measurements`.
 */
export function rawApiKey(endpoint: string, fetchedAt: Date, objectName: string): string {
  if (!/^[a-z0-9_]+$/.test(endpoint)) throw new Error(`bad endpoint name for a raw key: ${endpoint}`);
  if (!/^[A-Za-z0-9._=-]+$/.test(objectName)) throw new Error(`bad object name for a raw key: ${objectName}`);
  return `raw/openaq/${endpoint}/${hivePartition(utcDate(fetchedAt))}/${objectName}.json`;
}

/** The endpoint folders under raw/openaq/ (and the manifest's `endpoint`): written by the extract tasks, read by the
 * transform. */
export const RAW_LOCATIONS_ENDPOINT = 'locations';
export const RAW_MEASUREMENTS_ENDPOINT = 'sensors_measurements';
export const RAW_PARAMETERS_ENDPOINT = 'parameters';
/** The manifest's `endpoint` of raw archive objects (raw/openaq-archive/). */
export const RAW_ARCHIVE_ENDPOINT = 'archive_csv';

/** A raw archive object, keyed as OpenAQ's archive keys it: by location and the measurement's local day. */
function rawArchiveKey(locationId: number, localDate: string): string {
  const { year, month, day } = splitIsoDate(localDate);
  return `raw/openaq-archive/locationid=${locationId}/year=${year}/month=${month}/location-${locationId}-${year}${month}${day}.csv.gz`;
}

/**
 * A raw archive object: OpenAQ's own key below `raw/openaq-archive/`, with the first 16 hex digits of the bytes'
 * sha256 before `.csv.gz` — `…/location-2178-20220503.3f9a0c1b2d4e5f60.csv.gz` — because the archive re-exports a
 * day in place and raw/ keeps every version. The same bytes always land under the same key, so a retried landing is
 * idempotent.
 */
export function rawArchiveObjectKey(locationId: number, localDate: string, sha256: string): string {
  if (!/^[0-9a-f]{16,}$/.test(sha256)) throw new Error(`not a sha256 hex digest: ${sha256}`);
  return rawArchiveKey(locationId, localDate).replace(/\.csv\.gz$/, `.${sha256.slice(0, 16)}.csv.gz`);
}

/** The location id, local date and version of a raw archive object key (inverse of rawArchiveObjectKey). */
export function parseRawArchiveObjectKey(
  rawKey: string,
): { locationId: number; localDate: string; version: string } | null {
  const m =
    /^raw\/openaq-archive\/locationid=(\d+)\/year=\d{4}\/month=\d{2}\/location-(\d+)-(\d{4})(\d{2})(\d{2})\.([0-9a-f]{16})\.csv\.gz$/.exec(
      rawKey,
    );
  if (!m || m[1] !== m[2]) return null;
  return { locationId: Number(m[1]), localDate: `${m[3]}-${m[4]}-${m[5]}`, version: m[6]! };
}

/** A zone whose tables aqlake writes: dev (the transform's tables) or prod (tables materialised per day). */
export type TableZone = 'dev' | 'prod';

/** What a version's object holds: the table's rows, or the rows the transform quarantined (dev only). */
export type ObjectKind = 'data' | 'quarantine';

const TABLE = /^[a-z][a-z0-9_]*$/;

function checkTable(table: string): void {
  if (!TABLE.test(table)) throw new Error(`bad table name for a lake key: ${table}`);
}

/**
 * The folder (prefix, ending in `/`) a table's readers glob: `dev/measurements/`, `dev/locations/`,
 * `dev/_quarantine/measurements/`, `prod/hourly/`. It holds exactly the current objects, nothing else.
 */
export function tableLocation(zone: TableZone, table: string, kind: ObjectKind = 'data'): string {
  checkTable(table);
  if (kind === 'quarantine') {
    if (zone !== 'dev') throw new Error(`only dev tables have a quarantine: ${zone}.${table}`);
    return `dev/_quarantine/${table}/`;
  }
  return `${zone}/${table}/`;
}

/**
 * The one current object of a table's partition, at a deterministic key: `{location}year=YYYY/month=MM/day=DD/data.parquet`
 * for a partitioned table, `{location}data.parquet` for an unpartitioned one (localDate null).
 */
export function currentObjectKey(
  zone: TableZone,
  table: string,
  localDate: string | null,
  kind: ObjectKind = 'data',
): string {
  const location = tableLocation(zone, table, kind);
  return localDate === null
    ? `${location}data.parquet`
    : `${location}${hivePartition(localDate)}/data.parquet`;
}

/** Where every version of every table lives, outside all table locations: `{zone}/_versions/`. */
export function versionsPrefix(zone: TableZone): string {
  return `${zone}/_versions/`;
}

/**
 * One immutable version object, written once: `{zone}/_versions/{table}/{YYYY-MM-DD | _}/{tag}.parquet`
 * (quarantine: `{zone}/_versions/_quarantine/{table}/…`). `tag` comes from newVersionTag.
 */
export function versionObjectKey(
  zone: TableZone,
  table: string,
  localDate: string | null,
  tag: string,
  kind: ObjectKind = 'data',
): string {
  checkTable(table);
  if (localDate !== null) splitIsoDate(localDate);
  if (!/^[A-Za-z0-9-]+$/.test(tag)) throw new Error(`bad version tag: ${tag}`);
  const folder = kind === 'quarantine' ? `_quarantine/${table}` : table;
  return `${versionsPrefix(zone)}${folder}/${localDate ?? '_'}/${tag}.parquet`;
}

/** A fresh, sortable tag for a version object: `20240305T101502123Z-1a2b3c4d`. */
export function newVersionTag(now: Date = new Date()): string {
  return `${compactTimestamp(now)}-${randomBytes(4).toString('hex')}`;
}
