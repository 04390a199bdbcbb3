// The simulator's OpenAQ archive: one .csv.gz per location and local day under /archive/records/csv.gz/…, in the
// exporter's byte format, holding the same values the simulated API serves; 404 for days without data, and an ETag
// that changes when late data re-exports a day.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { type ArchiveCsvRow, formatArchiveCsv } from '../openaq/archive-csv.js';
import type { SimulatedDataset } from './dataset.js';
import { findLocation } from './dataset.js';
import type { SimulatorStats } from './server.js';
import { eachMeasurement, type MeasurementView } from './values.js';
import { addDays, HOUR_MS, localIso, localMidnight } from './zone-time.js';

/** Where the archive lives on the simulator: OPENAQ_ARCHIVE_URL = {origin}/archive. */
const ARCHIVE_PATH_PREFIX = '/archive';

/** The real archive writes a day about 72 hours after it ends; Last-Modified of a first export says so. */
const EXPORT_DELAY_MS = 72 * HOUR_MS;

const KEY =
  /^\/records\/csv\.gz\/locationid=(\d+)\/year=(\d{4})\/month=(\d{2})\/location-(\d+)-(\d{4})(\d{2})(\d{2})\.csv\.gz$/;

/** The location id and local date an archive key names, or null for any other key. */
function parseArchivePath(path: string): { locationId: number; localDate: string } | null {
  const m = KEY.exec(path);
  if (!m) return null;
  const [, id, year, month, id2, y2, m2, day] = m as unknown as string[];
  if (id !== id2 || year !== y2 || month !== m2) return null;
  return { locationId: Number(id), localDate: `${y2}-${m2}-${day}` };
}

/**
 * The CSV text of a location's local day as the exporter writes it (period ends in (D 00:00, D+1 00:00] local), or
 * null when there is no object: an unknown location, a day not over yet, or a day without a single measurement.
 */
function archiveDayCsv(
  dataset: SimulatedDataset,
  locationId: number,
  localDate: string,
  view: MeasurementView & { now: Date },
): string | null {
  const location = findLocation(dataset, locationId);
  if (!location) return null;
  const fromMs = localMidnight(location.timezone, localDate);
  const toMs = localMidnight(location.timezone, addDays(localDate, 1));
  if (toMs > view.now.getTime()) return null;
  const rows: ArchiveCsvRow[] = [];
  for (const sensor of location.sensors) {
    for (const m of eachMeasurement(sensor, fromMs, toMs, view)) {
      rows.push({
        locationId,
        sensorsId: sensor.id,
        location: `${location.name}-${location.id}`,
        datetime: localIso(location.timezone, m.periodEndMs),
        lat: location.latitude,
        lon: location.longitude,
        parameter: sensor.parameter.name,
        units: sensor.parameter.units,
        value: m.value,
      });
    }
  }
  return rows.length > 0 ? formatArchiveCsv(rows) : null;
}

export interface ArchiveServeContext {
  dataset: SimulatedDataset;
  view(): MeasurementView & { now: Date };
  stats: SimulatorStats;
}

/** What each key last looked like, per dataset (one server), so Last-Modified moves only when the bytes change. */
const exports = new WeakMap<SimulatedDataset, Map<string, { etag: string; lastModifiedMs: number }>>();

/** Answers a request under /archive and returns true; returns false for any other path. */
export function serveArchive(req: IncomingMessage, res: ServerResponse, ctx: ArchiveServeContext): boolean {
  const path = new URL(req.url ?? '/', 'http://simulator').pathname;
  if (path !== ARCHIVE_PATH_PREFIX && !path.startsWith(`${ARCHIVE_PATH_PREFIX}/`)) return false;
  const key = decodeURIComponent(path.slice(ARCHIVE_PATH_PREFIX.length));
  const reply = (status: number, headers: Record<string, string>, body?: Buffer) => {
    ctx.stats.requests += 1;
    ctx.stats.byRoute['/archive/records/csv.gz'] = (ctx.stats.byRoute['/archive/records/csv.gz'] ?? 0) + 1;
    ctx.stats.statusCounts[String(status)] = (ctx.stats.statusCounts[String(status)] ?? 0) + 1;
    res.writeHead(status, { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(405, { allow: 'GET, HEAD' });
    return true;
  }
  const target = parseArchivePath(key);
  const view = ctx.view();
  const csv = target && archiveDayCsv(ctx.dataset, target.locationId, target.localDate, view);
  if (!target || csv === null) {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key.slice(1)}</Key></Error>`;
    reply(404, { 'content-type': 'application/xml' }, Buffer.from(xml, 'utf8'));
    return true;
  }
  // gzip without a timestamp in its header: the same rows always give the same bytes, hence the same ETag.
  const bytes = gzipSync(Buffer.from(csv, 'utf8'));
  const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
  let known = exports.get(ctx.dataset);
  if (!known) {
    known = new Map();
    exports.set(ctx.dataset, known);
  }
  let state = known.get(key);
  if (!state || state.etag !== etag) {
    const location = findLocation(ctx.dataset, target.locationId)!;
    const dayEnd = localMidnight(location.timezone, addDays(target.localDate, 1));
    const firstExport = Math.min(view.now.getTime(), dayEnd + EXPORT_DELAY_MS);
    state = { etag, lastModifiedMs: state ? view.now.getTime() : firstExport };
    known.set(key, state);
  }
  reply(
    200,
    {
      'content-type': 'binary/octet-stream',
      etag,
      'last-modified': new Date(state.lastModifiedMs).toUTCString(),
      'accept-ranges': 'bytes',
    },
    bytes,
  );
  return true;
}
