// extract_locations: snapshots the configured scope (named ids, or a discovery query) into raw/ and returns it.

import type { Scope } from '../config/index.js';
import { OpenAQError, PipelineError } from '../errors.js';
import { RAW_LOCATIONS_ENDPOINT } from '../lake/keys.js';
import { type Location, locationSchema } from '../openaq/index.js';
import type { ExtractContext } from './extract-context.js';
import { failOnInvalid, fetchAndLand, fetchAndLandPages, newBatchId } from './raw-landing.js';
import { discoveryParams } from './raw-snapshots.js';

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
