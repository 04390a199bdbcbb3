// /api/map: every location of the lake with its coordinates, latest values and the US AQI category of its newest
// day (PM2.5/PM10), for the page's map; ?format=csv gives the same rows the map's table lists.
import { Hono } from 'hono';
import { sqlStatement } from '../../engines/sql-files.js';
import { AQI_CATEGORIES } from '../air-standards.js';
import { toCsv } from '../csv.js';
import { QueryRejectedError, type QueryService } from '../services.js';

export interface MapLocation {
  id: number;
  name: string;
  timezone: string | null;
  country: string | null;
  latitude: number;
  longitude: number;
  /** US AQI of the newest day with one, or null where neither PM2.5 nor PM10 (µg/m³) has a clean day. */
  aqi: number | null;
  aqiCategory: string | null;
  /** The category's EPA colour; grey where there is no AQI. */
  color: string;
  aqiParameter: string | null;
  aqiDate: string | null;
  /** The newest value of each parameter, at the location's local time. */
  latest: { parameter: string; units: string; value: number | null; localTime: string | null }[];
}

const NO_AQI_COLOR = '#9ca3af';

/** The columns of the map's CSV: one row per location, as the map's table lists them. */
const MAP_CSV_COLUMNS = [
  'id',
  'name',
  'country',
  'timezone',
  'latitude',
  'longitude',
  'aqi',
  'aqi_category',
  'aqi_parameter',
  'aqi_date',
] as const;

async function rowsOf(query: QueryService, name: string): Promise<Record<string, unknown>[]> {
  try {
    const rows: Record<string, unknown>[] = [];
    for await (const batch of (await query.query(sqlStatement('server/queries.sql', name))).batches)
      rows.push(...batch);
    return rows;
  } catch (err) {
    // An empty or young lake lacks the table or view: nothing to draw from it yet.
    if (err instanceof QueryRejectedError) return [];
    throw err;
  }
}

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

export async function mapLocations(query: QueryService): Promise<MapLocation[]> {
  const [places, latest, aqi] = await Promise.all([
    rowsOf(query, 'map_places'),
    rowsOf(query, 'map_latest'),
    rowsOf(query, 'map_aqi'),
  ]);
  const byId = new Map<number, MapLocation>();
  const add = (r: Record<string, unknown>, name: unknown): MapLocation | undefined => {
    const id = Number(r.location_id);
    const lat = num(r.latitude);
    const lon = num(r.longitude);
    if (byId.has(id) || lat === null || lon === null) return byId.get(id);
    const loc: MapLocation = {
      id,
      name: typeof name === 'string' && name ? name : `Location ${id}`,
      timezone: (r.timezone as string | null) ?? null,
      country: (r.country as string | null) ?? null,
      latitude: lat,
      longitude: lon,
      aqi: null,
      aqiCategory: null,
      color: NO_AQI_COLOR,
      aqiParameter: null,
      aqiDate: null,
      latest: [],
    };
    byId.set(id, loc);
    return loc;
  };
  for (const r of places) add(r, r.name);
  for (const r of latest) {
    const loc = add(r, undefined);
    loc?.latest.push({
      parameter: String(r.parameter),
      units: String(r.units),
      value: num(r.value),
      localTime: (r.local_time as string | null) ?? (r.utc_time as string | null) ?? null,
    });
  }
  for (const r of aqi) {
    const loc = byId.get(Number(r.location_id));
    if (!loc) continue;
    const category = AQI_CATEGORIES.find((c) => c.name.toLowerCase() === String(r.category).toLowerCase());
    loc.aqi = num(r.aqi);
    loc.aqiCategory = category?.name ?? (r.category as string | null) ?? null;
    loc.color = category?.color ?? NO_AQI_COLOR;
    loc.aqiParameter = String(r.parameter);
    loc.aqiDate = String(r.local_date);
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}

export function mapRoutes(query: QueryService): Hono {
  const app = new Hono();
  app.get('/map', async (c) => {
    const locations = await mapLocations(query);
    if (c.req.query('format') === 'csv') {
      const rows = locations.map((l) => ({
        id: l.id,
        name: l.name,
        country: l.country,
        timezone: l.timezone,
        latitude: l.latitude,
        longitude: l.longitude,
        aqi: l.aqi,
        aqi_category: l.aqiCategory,
        aqi_parameter: l.aqiParameter,
        aqi_date: l.aqiDate,
      }));
      return c.body(toCsv(MAP_CSV_COLUMNS, rows), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="map.csv"',
      });
    }
    return c.json({ locations, noAqiColor: NO_AQI_COLOR });
  });
  return app;
}
