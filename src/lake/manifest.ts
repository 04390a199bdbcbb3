// The raw manifest: one row per raw object, written in the same step the object lands.
import type { RawMeasurementsObject } from '../engines/engine.js';
import { RAW_PARAMETERS_ENDPOINT } from './keys.js';
import type { MetaDb } from './meta/meta-db.js';

export interface RawObjectRecord {
  rawKey: string;
  source: 'api' | 'archive';
  endpoint: string;
  requestUrl: string;
  params: Record<string, string>;
  locationId: number | null;
  sensorId: number | null;
  windowFromUtc: string | null;
  windowToUtc: string | null;
  page: number | null;
  httpStatus: number;
  sha256: string;
  bytes: number;
  resultCount: number | null;
  valid: boolean;
  validationError: string | null;
  etag: string | null;
  lastModified: string | null;
  fetchedAt: string;
  runId: string | null;
  batchId: string | null;
}

interface RawObjectRow {
  raw_key: string;
  source: 'api' | 'archive';
  endpoint: string;
  request_url: string;
  params_json: string;
  location_id: number | null;
  sensor_id: number | null;
  window_from_utc: string | null;
  window_to_utc: string | null;
  page: number | null;
  http_status: number;
  sha256: string;
  bytes: number;
  result_count: number | null;
  valid: number;
  validation_error: string | null;
  etag: string | null;
  last_modified: string | null;
  fetched_at: string;
  run_id: string | null;
  batch_id: string | null;
}

export function recordRawObject(db: MetaDb, r: RawObjectRecord): void {
  db.prepare(
    `INSERT INTO raw_objects (raw_key, source, endpoint, request_url, params_json, location_id, sensor_id,
       window_from_utc, window_to_utc, page, http_status, sha256, bytes, result_count, valid, validation_error,
       etag, last_modified, fetched_at, run_id, batch_id)
     VALUES (@rawKey, @source, @endpoint, @requestUrl, @paramsJson, @locationId, @sensorId, @windowFromUtc,
       @windowToUtc, @page, @httpStatus, @sha256, @bytes, @resultCount, @valid, @validationError, @etag,
       @lastModified, @fetchedAt, @runId, @batchId)`,
  ).run({ ...r, paramsJson: JSON.stringify(r.params), valid: r.valid ? 1 : 0 });
}

export interface RawObjectQuery {
  endpoint?: string;
  sensorId?: number;
  locationId?: number;
  /** Objects whose request window overlaps (fromUtc, toUtc]. */
  overlapping?: { fromUtc: string; toUtc: string };
  validOnly?: boolean;
}

export function findRawObjects(db: MetaDb, q: RawObjectQuery = {}): RawObjectRecord[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (q.endpoint) {
    where.push('endpoint = @endpoint');
    params.endpoint = q.endpoint;
  }
  if (q.sensorId !== undefined) {
    where.push('sensor_id = @sensorId');
    params.sensorId = q.sensorId;
  }
  if (q.locationId !== undefined) {
    where.push('location_id = @locationId');
    params.locationId = q.locationId;
  }
  if (q.overlapping) {
    where.push('window_from_utc < @toUtc AND window_to_utc > @fromUtc');
    params.fromUtc = q.overlapping.fromUtc;
    params.toUtc = q.overlapping.toUtc;
  }
  if (q.validOnly) where.push('valid = 1');
  const sql = `SELECT * FROM raw_objects ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY fetched_at, raw_key`;
  return (db.prepare(sql).all(params) as RawObjectRow[]).map(fromRow);
}

// Row → record: two formats of one column list (snake_case columns, camelCase fields), like every store's mapper.
function fromRow(r: RawObjectRow): RawObjectRecord {
  return {
    rawKey: r.raw_key,
    source: r.source,
    endpoint: r.endpoint,
    requestUrl: r.request_url,
    params: JSON.parse(r.params_json) as Record<string, string>,
    locationId: r.location_id,
    sensorId: r.sensor_id,
    windowFromUtc: r.window_from_utc,
    windowToUtc: r.window_to_utc,
    page: r.page,
    httpStatus: r.http_status,
    sha256: r.sha256,
    bytes: r.bytes,
    resultCount: r.result_count,
    valid: r.valid === 1,
    validationError: r.validation_error,
    etag: r.etag,
    lastModified: r.last_modified,
    fetchedAt: r.fetched_at,
    runId: r.run_id,
    batchId: r.batch_id,
  };
}

/** The raw objects (pages) of the newest complete, valid /v3/parameters snapshot; empty when there is none. */
export function latestParametersObjects(meta: MetaDb): RawObjectRecord[] {
  const objects = findRawObjects(meta, { endpoint: RAW_PARAMETERS_ENDPOINT });
  const batches = new Map<string, RawObjectRecord[]>();
  for (const o of objects) {
    const batch = o.batchId ?? o.rawKey;
    batches.set(batch, [...(batches.get(batch) ?? []), o]);
  }
  // findRawObjects orders by fetch time, so the last complete batch is the newest.
  const complete = [...batches.values()].filter((pages) => pages.every((p) => p.valid));
  return complete.at(-1) ?? [];
}

/**
 * A raw /measurements object of the manifest as the transform hands it to an engine, with `path` its local file
 * (empty for an engine that reads the store).
 */
export function rawMeasurementsObject(
  o: RawObjectRecord & { sensorId: number },
  path: string,
): RawMeasurementsObject {
  return {
    rawKey: o.rawKey,
    path,
    sensorId: o.sensorId,
    locationId: o.locationId,
    fetchedAt: o.fetchedAt,
    windowFromUtc: o.windowFromUtc,
    windowToUtc: o.windowToUtc,
    valid: o.valid,
    validationError: o.validationError,
  };
}
