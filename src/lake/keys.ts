// The key layout of the lake zones (ARCHITECTURE §3): one place builds and parses every key.

export type Zone = 'raw' | 'dev' | 'prod';

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
export function utcDate(instant: Date): string {
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

/** A raw archive object, keyed as OpenAQ's archive keys it: by location and the measurement's local day. */
export function rawArchiveKey(locationId: number, localDate: string): string {
  const { year, month, day } = splitIsoDate(localDate);
  return `raw/openaq-archive/locationid=${locationId}/year=${year}/month=${month}/location-${locationId}-${year}${month}${day}.csv.gz`;
}

/** Folder of one dev partition: `dev/{table}/year=/month=/day=`. */
export function devPartitionPrefix(table: string, localDate: string): string {
  return `dev/${table}/${hivePartition(localDate)}`;
}

export function devPartFile(table: string, localDate: string, fileId: string): string {
  return `${devPartitionPrefix(table, localDate)}/part-${fileId}.parquet`;
}

export function quarantinePartFile(table: string, localDate: string, fileId: string): string {
  return `dev/_quarantine/${table}/${hivePartition(localDate)}/part-${fileId}.parquet`;
}

/** One day of a prod table materialised per day: `prod/{table}/year=/month=/day=/data.parquet` (one object). */
export function prodDayKey(table: string, localDate: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(table)) throw new Error(`bad prod table name: ${table}`);
  return `prod/${table}/${hivePartition(localDate)}/data.parquet`;
}
