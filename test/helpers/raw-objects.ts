// Test data for the raw zone, landed exactly as the extract step lands it: bytes under rawApiKey(...) via
// ObjectStore.put(ifAbsent) and a raw_objects manifest row via recordRawObject.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RawArchiveObject } from '../../src/engines/engine.js';
import { compactTimestamp, rawApiKey } from '../../src/lake/keys.js';
import { recordRawObject } from '../../src/lake/manifest.js';
import type { MetaDb } from '../../src/lake/meta/meta-db.js';
import type { ObjectStore } from '../../src/lake/store/index.js';

export interface Parameter {
  id: number;
  name: string;
  units: string;
  displayName?: string | null;
}

export const PM25: Parameter = { id: 2, name: 'pm25', units: 'µg/m³', displayName: 'PM2.5' };
export const O3_PPM: Parameter = { id: 10, name: 'o3', units: 'ppm', displayName: 'O₃' };
export const TEMPERATURE_C: Parameter = {
  id: 100,
  name: 'temperature',
  units: 'c',
  displayName: 'Temperature',
};

export interface RecordSpec {
  /** The value as it appears in the JSON (any JSON value, to test typing). */
  value: unknown;
  /** Period end (ISO UTC). */
  periodEndUtc: string;
  intervalSeconds?: number;
  parameter?: Parameter;
  coordinates?: { latitude: number; longitude: number } | null;
  hasFlags?: boolean;
  /** How the UTC instants are written: `Z` (current API) or `+00:00` (older captures). */
  utcSuffix?: 'Z' | '+00:00';
}

/** One v3 /measurements record as the API returns it (the `local` strings are not read by the transform). */
export function measurementRecord(spec: RecordSpec): Record<string, unknown> {
  const interval = spec.intervalSeconds ?? 3600;
  const end = new Date(spec.periodEndUtc);
  const start = new Date(end.getTime() - interval * 1000);
  const utc = (d: Date) => d.toISOString().replace('.000Z', spec.utcSuffix ?? 'Z');
  const hh = String(Math.floor(interval / 3600)).padStart(2, '0');
  const mm = String(Math.floor((interval % 3600) / 60)).padStart(2, '0');
  const ss = String(interval % 60).padStart(2, '0');
  return {
    value: spec.value,
    flagInfo: { hasFlags: spec.hasFlags ?? false },
    parameter: { displayName: null, ...(spec.parameter ?? PM25) },
    period: {
      label: 'raw',
      interval: `${hh}:${mm}:${ss}`,
      datetimeFrom: { utc: utc(start), local: utc(start) },
      datetimeTo: { utc: utc(end), local: utc(end) },
    },
    coordinates: spec.coordinates ?? null,
    summary: null,
    coverage: {
      expectedCount: 1,
      expectedInterval: `${hh}:${mm}:${ss}`,
      observedCount: 1,
      observedInterval: `${hh}:${mm}:${ss}`,
      percentComplete: 100,
      percentCoverage: 100,
      datetimeFrom: { utc: utc(start), local: utc(start) },
      datetimeTo: { utc: utc(end), local: utc(end) },
    },
  };
}

/** Hourly records with period ends (fromUtc, toUtc], value = valueAt(index, periodEndUtc). */
export function hourlyRecords(
  fromUtc: string,
  toUtc: string,
  valueAt: (index: number, periodEndUtc: string) => unknown,
  options: Omit<RecordSpec, 'value' | 'periodEndUtc'> = {},
): Record<string, unknown>[] {
  const step = (options.intervalSeconds ?? 3600) * 1000;
  const out: Record<string, unknown>[] = [];
  for (let t = Date.parse(fromUtc) + step, i = 0; t <= Date.parse(toUtc); t += step, i++) {
    const end = new Date(t).toISOString();
    out.push(measurementRecord({ ...options, value: valueAt(i, end), periodEndUtc: end }));
  }
  return out;
}

export interface RawMeasurementsSpec {
  sensorId: number;
  locationId: number | null;
  /** The request window: period ends in (fromUtc, toUtc]. */
  window: { fromUtc: string; toUtc: string };
  records?: unknown[];
  /** Bytes as received, instead of an envelope built from `records` (e.g. a real capture, or a truncated body). */
  body?: string | Uint8Array;
  fetchedAt: Date | string;
  page?: number;
  /** False for an object the extract's validation rejected (it is still stored). */
  valid?: boolean;
  validationError?: string | null;
  runId?: string | null;
}

/** Lands one /v3/sensors/{id}/measurements page and its manifest row; returns the raw key. */
export async function writeRawMeasurements(
  store: ObjectStore,
  meta: MetaDb,
  spec: RawMeasurementsSpec,
): Promise<string> {
  const fetchedAt = new Date(spec.fetchedAt);
  const page = spec.page ?? 1;
  const records = spec.records ?? [];
  const body =
    spec.body ??
    JSON.stringify({
      meta: { name: 'openaq-api', website: '/', page, limit: 1000, found: records.length },
      results: records,
    });
  const name = [
    `sensor-${spec.sensorId}`,
    compact(spec.window.fromUtc),
    compact(spec.window.toUtc),
    `p${page}`,
    compactTimestamp(fetchedAt),
    randomBytes(3).toString('hex'),
  ].join('_');
  const params = {
    datetime_from: spec.window.fromUtc,
    datetime_to: spec.window.toUtc,
    limit: '1000',
    page: String(page),
  };
  return land(store, meta, {
    endpoint: 'sensors_measurements',
    name,
    body,
    fetchedAt,
    requestUrl: `http://127.0.0.1/v3/sensors/${spec.sensorId}/measurements?${new URLSearchParams(params)}`,
    params,
    locationId: spec.locationId,
    sensorId: spec.sensorId,
    window: spec.window,
    page,
    resultCount: spec.body === undefined ? records.length : null,
    valid: spec.valid ?? true,
    validationError: spec.validationError ?? null,
    runId: spec.runId ?? null,
  });
}

interface LocationSpec {
  id: number;
  timezone: string;
  latitude: number;
  longitude: number;
  name?: string;
  sensors: { id: number; parameter: Parameter; name?: string }[];
  countryCode?: string;
}

/** A v3 Location as /v3/locations returns it. */
function locationRecord(spec: LocationSpec): Record<string, unknown> {
  return {
    id: spec.id,
    name: spec.name ?? `Station ${spec.id}`,
    locality: null,
    timezone: spec.timezone,
    country: { id: 1, code: spec.countryCode ?? 'US', name: 'Somewhere' },
    owner: { id: 4, name: 'Unknown Governmental Organization' },
    provider: { id: 119, name: 'AirNow' },
    isMobile: false,
    isMonitor: true,
    instruments: [{ id: 2, name: 'Government Monitor' }],
    sensors: spec.sensors.map((s) => ({
      id: s.id,
      name: s.name ?? `${s.parameter.name} ${s.parameter.units}`,
      parameter: { displayName: null, ...s.parameter },
    })),
    coordinates: { latitude: spec.latitude, longitude: spec.longitude },
    licenses: [
      {
        id: 33,
        name: 'US Public Domain',
        attribution: { name: 'x', url: null },
        dateFrom: null,
        dateTo: null,
      },
    ],
    bounds: [spec.longitude, spec.latitude, spec.longitude, spec.latitude],
    distance: null,
    datetimeFirst: null,
    datetimeLast: null,
  };
}

export interface RawLocationsSpec {
  locations?: LocationSpec[];
  body?: string | Uint8Array;
  fetchedAt: Date | string;
  /** The id of a /v3/locations/{id} request; null for a discovery page (/v3/locations?…). */
  locationId?: number | null;
}

/** Lands one location snapshot (by id, or a discovery page) and its manifest row; returns the raw key. */
export async function writeRawLocations(
  store: ObjectStore,
  meta: MetaDb,
  spec: RawLocationsSpec,
): Promise<string> {
  const fetchedAt = new Date(spec.fetchedAt);
  const results = (spec.locations ?? []).map(locationRecord);
  const locationId = spec.locationId ?? (results.length === 1 ? (spec.locations![0]!.id as number) : null);
  const body =
    spec.body ??
    JSON.stringify({
      meta: { name: 'openaq-api', website: '/', page: 1, limit: 100, found: results.length },
      results,
    });
  const subject = locationId !== null ? `location-${locationId}` : 'discovery';
  const name = [subject, 'p1', compactTimestamp(fetchedAt), randomBytes(3).toString('hex')].join('_');
  return land(store, meta, {
    endpoint: 'locations',
    name,
    body,
    fetchedAt,
    requestUrl:
      locationId !== null
        ? `http://127.0.0.1/v3/locations/${locationId}`
        : 'http://127.0.0.1/v3/locations?limit=100',
    params: locationId !== null ? {} : { limit: '100', page: '1' },
    locationId,
    sensorId: null,
    window: null,
    page: 1,
    resultCount: results.length,
    valid: true,
    validationError: null,
    runId: null,
  });
}

interface Landing {
  endpoint: string;
  name: string;
  body: string | Uint8Array;
  fetchedAt: Date;
  requestUrl: string;
  params: Record<string, string>;
  locationId: number | null;
  sensorId: number | null;
  window: { fromUtc: string; toUtc: string } | null;
  page: number | null;
  resultCount: number | null;
  valid: boolean;
  validationError: string | null;
  runId: string | null;
}

async function land(store: ObjectStore, meta: MetaDb, l: Landing): Promise<string> {
  const bytes = typeof l.body === 'string' ? new TextEncoder().encode(l.body) : l.body;
  const rawKey = rawApiKey(l.endpoint, l.fetchedAt, l.name);
  await store.put(rawKey, bytes, { contentType: 'application/json', ifAbsent: true });
  recordRawObject(meta, {
    rawKey,
    source: 'api',
    endpoint: l.endpoint,
    requestUrl: l.requestUrl,
    params: l.params,
    locationId: l.locationId,
    sensorId: l.sensorId,
    windowFromUtc: l.window ? new Date(l.window.fromUtc).toISOString() : null,
    windowToUtc: l.window ? new Date(l.window.toUtc).toISOString() : null,
    page: l.page,
    httpStatus: 200,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.byteLength,
    resultCount: l.resultCount,
    valid: l.valid,
    validationError: l.validationError,
    etag: null,
    lastModified: null,
    fetchedAt: l.fetchedAt.toISOString(),
    runId: l.runId,
    batchId: null,
  });
  return rawKey;
}

function compact(iso: string): string {
  return compactTimestamp(new Date(iso)).replace(/000Z$/, 'Z');
}

export interface HourlyStationSpec {
  /** The station, with exactly one sensor. */
  location: LocationSpec;
  /** When its locations snapshot was fetched. */
  locationsFetchedAt: string;
  /** Null to land the snapshot as a discovery page (default: the location's own request). */
  locationId?: number | null;
  /** One measurements page of hourly values with period ends in (fromUtc, toUtc]: value(i) for the i-th hour. */
  fromUtc: string;
  toUtc: string;
  value: (index: number) => number;
  fetchedAt: string;
}

/** Lands one station's locations snapshot and one page of hourly measurements of its sensor. */
export async function writeHourlyStation(
  store: ObjectStore,
  meta: MetaDb,
  spec: HourlyStationSpec,
): Promise<void> {
  await writeRawLocations(store, meta, {
    fetchedAt: spec.locationsFetchedAt,
    ...(spec.locationId !== undefined ? { locationId: spec.locationId } : {}),
    locations: [spec.location],
  });
  await writeRawMeasurements(store, meta, {
    sensorId: spec.location.sensors[0]!.id,
    locationId: spec.location.id,
    window: { fromUtc: spec.fromUtc, toUtc: spec.toUtc },
    records: hourlyRecords(spec.fromUtc, spec.toUtc, spec.value),
    fetchedAt: spec.fetchedAt,
  });
}

/**
 * An archive file (`name`, e.g. `location-8118-20260415.csv.gz`) of a location and local day, gzipped into `dir`, and
 * the raw archive object the transform is handed for it (fetched 2026-05-01); `valid: false` as the extract marks a
 * file whose header it refused.
 */
export function writeArchiveFile(
  dir: string,
  spec: { name: string; text: string; locationId: number; localDate: string; valid?: boolean },
): { object: RawArchiveObject; bytes: Buffer } {
  const bytes = gzipSync(Buffer.from(spec.text, 'utf8'));
  const path = join(dir, spec.name);
  writeFileSync(path, bytes);
  const valid = spec.valid ?? true;
  return {
    bytes,
    object: {
      rawKey: `raw/openaq-archive/locationid=${spec.locationId}/${spec.name}`,
      path,
      locationId: spec.locationId,
      localDate: spec.localDate,
      fetchedAt: '2026-05-01T00:00:00.000Z',
      valid,
      validationError: valid ? null : 'unexpected header',
    },
  };
}
