// Finding OpenAQ locations by country, point and radius, bounding box, parameter and activity, through /v3/locations.
import { OpenAQError } from '../errors.js';
import type { OpenAQClient } from './client.js';
import { hasNextPage, PAGE_LIMIT } from './paging.js';
import { type Location, locationSchema, type Parameter, parameterSchema, parseEnvelope } from './schemas.js';

export interface LocationQuery {
  /** ISO 3166-1 alpha-2 code (OpenAQ's `iso`). */
  country?: string;
  /** A point and a radius in metres (OpenAQ allows at most 25,000). */
  near?: { latitude: number; longitude: number; radiusMeters: number };
  /** [minLon, minLat, maxLon, maxLat]. */
  bbox?: [number, number, number, number];
  /** Parameter ids (a name resolves to every id of that name, one per unit). */
  parameterIds?: number[];
  /** Only locations with a measurement on or after this day (YYYY-MM-DD, UTC). */
  activeSince?: string;
  /** At most this many results. */
  limit: number;
}

export interface FoundLocation {
  id: number;
  name: string;
  locality: string | null;
  country: string | null;
  provider: string | null;
  timezone: string;
  latitude: number | null;
  longitude: number | null;
  parameters: { id: number; name: string; units: string }[];
  /** UTC instants of the first and last measurement, as OpenAQ reports them. */
  firstMeasurement: string | null;
  lastMeasurement: string | null;
  /** Kilometres from --near, when searching around a point. */
  distanceKm: number | null;
}

/** The /v3/locations query parameters of a search (coordinates are lat,lon; bbox is lon,lat). */
function locationParams(query: LocationQuery): Record<string, string | undefined> {
  return {
    iso: query.country,
    coordinates: query.near ? `${query.near.latitude},${query.near.longitude}` : undefined,
    radius: query.near ? String(Math.round(query.near.radiusMeters)) : undefined,
    bbox: query.bbox?.join(','),
    parameters_id: query.parameterIds?.length ? query.parameterIds.join(',') : undefined,
  };
}

/** Every parameter id whose name (e.g. "pm25", "o3") matches, case-insensitively. */
export async function parameterIdsNamed(client: OpenAQClient, name: string): Promise<number[]> {
  const all = await fetchAll<Parameter>(client, '/parameters', {}, parameterSchema, Number.POSITIVE_INFINITY);
  return all.filter((p) => p.name.toLowerCase() === name.toLowerCase()).map((p) => p.id);
}

export async function searchLocations(client: OpenAQClient, query: LocationQuery): Promise<FoundLocation[]> {
  const keep = (l: FoundLocation) =>
    query.activeSince === undefined || (l.lastMeasurement !== null && l.lastMeasurement >= query.activeSince);
  const found = await fetchAll<Location>(
    client,
    '/locations',
    locationParams(query),
    locationSchema,
    query.near ? Number.POSITIVE_INFINITY : query.limit,
    (l) => keep(foundLocation(l)),
  );
  const rows = found.map(foundLocation);
  if (query.near) rows.sort((a, b) => (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity) || a.id - b.id);
  return rows.slice(0, query.limit);
}

function foundLocation(l: Location): FoundLocation {
  const parameters = new Map<number, { id: number; name: string; units: string }>();
  for (const s of l.sensors)
    parameters.set(s.parameter.id, { id: s.parameter.id, name: s.parameter.name, units: s.parameter.units });
  return {
    id: l.id,
    name: l.name ?? '',
    locality: l.locality ?? null,
    country: l.country?.code ?? null,
    provider: l.provider?.name ?? null,
    timezone: l.timezone,
    latitude: l.coordinates?.latitude ?? null,
    longitude: l.coordinates?.longitude ?? null,
    parameters: [...parameters.values()].sort((a, b) => a.id - b.id),
    firstMeasurement: l.datetimeFirst?.utc ?? null,
    lastMeasurement: l.datetimeLast?.utc ?? null,
    distanceKm: typeof l.distance === 'number' ? l.distance / 1000 : null,
  };
}

/** Pages of 1,000 until a short page or until `want` items passed `accept`. */
async function fetchAll<T>(
  client: OpenAQClient,
  path: string,
  params: Record<string, string | undefined>,
  schema: import('zod').ZodType<T>,
  want: number,
  accept: (item: T) => boolean = () => true,
): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const res = await client.get(path, { ...params, limit: PAGE_LIMIT, page });
    const parsed = parseEnvelope(res.body, schema);
    if (!parsed.ok)
      throw new OpenAQError(
        `OpenAQ ${path} answered something unexpected: ${parsed.error}`,
        res.status,
        res.url,
      );
    for (const item of parsed.results) if (accept(item)) out.push(item);
    if (out.length >= want || !hasNextPage(parsed.results.length, PAGE_LIMIT)) return out;
  }
}
