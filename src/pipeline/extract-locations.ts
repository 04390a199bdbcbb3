// extract_locations: snapshots the configured scope (named ids, or a discovery query) into raw/ and returns it.

import type { Scope } from '../config/index.js';
import { OpenAQError, PipelineError } from '../errors.js';
import { RAW_LOCATIONS_ENDPOINT } from '../lake/keys.js';
import { findRawObjects } from '../lake/manifest.js';
import { type Location, locationSchema, parseEnvelope } from '../openaq/index.js';
import type { ExtractContext } from './extract-context.js';
import { failOnInvalid, fetchAndLand, fetchAndLandPages, newBatchId } from './raw-landing.js';

export interface LocationsSnapshot {
  locations: Location[];
  requests: number;
  rawKeys: string[];
  /** Ids named in the scope that OpenAQ no longer knows (404); sensors can be merged or deleted upstream. */
  missing: number[];
}

export async function extractLocations(ctx: ExtractContext): Promise<LocationsSnapshot> {
  const ids = ctx.locations ?? ctx.config.scope.locations;
  return ids ? snapshotNamedLocations(ctx, ids) : discoverLocations(ctx, ctx.config.scope);
}

async function snapshotNamedLocations(ctx: ExtractContext, ids: number[]): Promise<LocationsSnapshot> {
  const batchId = newBatchId();
  const snapshot: LocationsSnapshot = { locations: [], requests: 0, rawKeys: [], missing: [] };
  const invalid: string[] = [];
  for (const id of ids) {
    let fetched: Awaited<ReturnType<typeof fetchAndLand<Location>>>;
    try {
      fetched = await fetchAndLand(ctx, { path: `/locations/${id}`, params: {} }, locationSchema, {
        endpoint: RAW_LOCATIONS_ENDPOINT,
        subject: `location-${id}`,
        locationId: id,
        sensorId: null,
        window: null,
        page: null,
        batchId,
      });
    } catch (err) {
      if (err instanceof OpenAQError && err.status === 404) {
        ctx.logger.warn({ locationId: id }, 'location not found upstream; skipped');
        snapshot.missing.push(id);
        continue;
      }
      throw err;
    }
    const { landed, parsed } = fetched;
    snapshot.requests++;
    snapshot.rawKeys.push(landed.rawKey);
    if (parsed.ok) snapshot.locations.push(...parsed.results);
    else invalid.push(`${landed.rawKey}: ${parsed.error}`);
  }
  failOnInvalid('extract_locations', invalid);
  if (snapshot.locations.length === 0) {
    throw new PipelineError(
      `extract_locations: none of the locations ${ids.join(',')} exist upstream (OpenAQ answered 404)`,
      'extract_locations',
      undefined,
      { retryable: false },
    );
  }
  return snapshot;
}

/** The /v3/locations query that discovers the scope; `coordinates` is lat,lon but `bbox` is lon,lat,lon,lat. */
function discoveryParams(scope: Scope): Record<string, string> {
  const params: Record<string, string> = {};
  if (scope.countries?.length) params.iso = scope.countries.join(',');
  if (scope.bbox) params.bbox = scope.bbox.join(',');
  if (scope.coordinates) {
    params.coordinates = `${scope.coordinates.latitude},${scope.coordinates.longitude}`;
    params.radius = String(scope.coordinates.radiusMeters);
  }
  if (scope.parameters?.length) params.parameters_id = scope.parameters.join(',');
  return params;
}

async function discoverLocations(ctx: ExtractContext, scope: Scope): Promise<LocationsSnapshot> {
  const batchId = newBatchId();
  const snapshot: LocationsSnapshot = { locations: [], requests: 0, rawKeys: [], missing: [] };
  const params = discoveryParams(scope);
  const pages = await fetchAndLandPages(
    ctx,
    'extract_locations',
    { path: '/locations', params },
    locationSchema,
    {
      endpoint: RAW_LOCATIONS_ENDPOINT,
      subject: 'discovery',
      locationId: null,
      sensorId: null,
      window: null,
      batchId,
    },
    (found) => found.length >= scope.maxLocations,
  );
  snapshot.locations = pages.results;
  snapshot.requests = pages.requests;
  snapshot.rawKeys = pages.rawKeys;
  if (snapshot.locations.length > scope.maxLocations) {
    ctx.logger.warn(
      { found: snapshot.locations.length, maxLocations: scope.maxLocations },
      'discovery capped at scope.maxLocations',
    );
    snapshot.locations = snapshot.locations.slice(0, scope.maxLocations);
  }
  return snapshot;
}

/**
 * The newest snapshot of the scope already in raw/, for tasks that run after extract_locations
 * (in another process, or a retry) and must not fetch it again.
 */
export function latestLocationsSnapshot(
  ctx: Pick<ExtractContext, 'meta' | 'store' | 'config' | 'locations'>,
): Promise<Location[]> {
  const ids = ctx.locations ?? ctx.config.scope.locations;
  const objects = findRawObjects(ctx.meta, { endpoint: RAW_LOCATIONS_ENDPOINT, validOnly: true });
  let keys: string[];
  if (ids) {
    const newestPerLocation = new Map<number, string>();
    for (const o of objects)
      if (o.locationId !== null && ids.includes(o.locationId)) newestPerLocation.set(o.locationId, o.rawKey);
    keys = [...newestPerLocation.values()];
  } else {
    const wanted = canonicalQuery(discoveryParams(ctx.config.scope));
    const discovery = objects.filter((o) => o.locationId === null && sameDiscovery(o.params, wanted));
    const newestBatch = discovery.at(-1)?.batchId;
    keys = discovery.filter((o) => o.batchId === newestBatch).map((o) => o.rawKey);
  }
  return readLocations(ctx, keys);
}

function sameDiscovery(params: Record<string, string>, wanted: string): boolean {
  const { limit: _limit, page: _page, ...query } = params;
  return canonicalQuery(query) === wanted;
}

function canonicalQuery(query: Record<string, string>): string {
  return JSON.stringify(Object.entries(query).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function readLocations(ctx: Pick<ExtractContext, 'store'>, keys: string[]): Promise<Location[]> {
  const locations: Location[] = [];
  for (const key of keys) {
    const parsed = parseEnvelope(await ctx.store.get(key), locationSchema);
    if (parsed.ok) locations.push(...parsed.results);
  }
  return locations;
}
