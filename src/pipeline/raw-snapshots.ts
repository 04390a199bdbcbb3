// The newest snapshots the extract tasks landed in raw/ (a scope's locations, /v3/parameters), read back for the tasks
// and planners that run after them (in another process, or a retry) and must not fetch them again.
import type { AqlakeConfig, Scope } from '../config/index.js';
import { PipelineError } from '../errors.js';
import { RAW_LOCATIONS_ENDPOINT } from '../lake/keys.js';
import { findRawObjects, latestParametersObjects } from '../lake/manifest.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import type { ObjectStore } from '../lake/store/index.js';
import {
  type Location,
  locationSchema,
  type Parameter,
  parameterSchema,
  parseEnvelope,
} from '../openaq/index.js';

/** The /v3/locations query that discovers the scope; `coordinates` is lat,lon but `bbox` is lon,lat,lon,lat. */
export function discoveryParams(scope: Scope): Record<string, string> {
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

/**
 * The newest snapshot of the scope already in raw/, for tasks that run after extract_locations
 * (in another process, or a retry) and must not fetch it again.
 */
export function latestLocationsSnapshot(ctx: {
  meta: MetaDb;
  store: ObjectStore;
  config: AqlakeConfig;
  /** Location ids that replace the configured scope (the --locations flag). */
  locations?: number[] | undefined;
}): Promise<Location[]> {
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

async function readLocations(ctx: { store: ObjectStore }, keys: string[]): Promise<Location[]> {
  const locations: Location[] = [];
  for (const key of keys) {
    const parsed = parseEnvelope(await ctx.store.get(key), locationSchema);
    if (parsed.ok) locations.push(...parsed.results);
  }
  return locations;
}

/** The newest snapshot's parameters, read back from raw/. */
export async function latestParameters(ctx: { meta: MetaDb; store: ObjectStore }): Promise<Parameter[]> {
  const objects = latestParametersObjects(ctx.meta);
  if (objects.length === 0) {
    throw new PipelineError(
      'no /v3/parameters snapshot in raw/: archive rows cannot be given parameter ids; run extract_parameters first',
      'transform',
    );
  }
  const parameters: Parameter[] = [];
  for (const o of objects) {
    const parsed = parseEnvelope(await ctx.store.get(o.rawKey), parameterSchema);
    if (parsed.ok) parameters.push(...parsed.results);
  }
  return parameters;
}
