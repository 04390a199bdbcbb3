// /api/map over a fake QueryService: locations from dev.locations (or prod.latest), latest values, the newest AQI
// day's category and colour, grey without one, nothing (not an error) for a lake without the tables yet.
import { describe, expect, it } from 'vitest';
import { AQI_CATEGORIES } from '../air-standards.js';
import { QueryRejectedError, type QueryService } from '../services.js';
import { mapLocations, mapRoutes } from './map.js';

function fakeQuery(tables: Record<string, Record<string, unknown>[] | 'missing'>): QueryService {
  return {
    async query(sql) {
      const table = ['dev.locations', 'prod.latest', 'prod.daily_aqi'].find((t) => sql.includes(t))!;
      const rows = tables[table] ?? [];
      if (rows === 'missing') throw new QueryRejectedError(`Table with name ${table} does not exist!`);
      return {
        columns: Object.keys(rows[0] ?? {}),
        batches: (async function* () {
          yield rows;
        })(),
      };
    },
  };
}

const PLACES = [
  { location_id: 2, name: 'Zeta', timezone: 'Europe/London', country: 'GB', latitude: 51.5, longitude: -0.1 },
  { location_id: 1, name: 'Alpha', timezone: 'Asia/Kolkata', country: 'IN', latitude: 28.6, longitude: 77.3 },
];
const LATEST = [
  { location_id: 1, parameter: 'pm25', units: 'µg/m³', value: 80.5, local_time: '2025-01-15 09:00:00' },
  { location_id: 2, parameter: 'no2', units: 'µg/m³', value: 20, local_time: '2025-01-15 03:30:00' },
  // a location with values but no snapshot in dev.locations still has coordinates from prod.latest
  {
    location_id: 3,
    parameter: 'pm10',
    units: 'µg/m³',
    value: 40,
    local_time: null,
    latitude: 1,
    longitude: 2,
  },
];
const AQI = [
  { location_id: 1, parameter: 'pm25', local_date: '2025-01-14', aqi: 164, category: 'Unhealthy' },
];

describe('/api/map', () => {
  it('gives each location its coordinates, latest values and newest AQI colour (grey without)', async () => {
    const locations = await mapLocations(
      fakeQuery({ 'dev.locations': PLACES, 'prod.latest': LATEST, 'prod.daily_aqi': AQI }),
    );
    expect(locations.map((l) => l.id)).toEqual([1, 3, 2]);
    const [alpha, third, zeta] = locations;
    expect(alpha).toMatchObject({
      name: 'Alpha',
      latitude: 28.6,
      aqi: 164,
      aqiCategory: 'Unhealthy',
      aqiDate: '2025-01-14',
      color: AQI_CATEGORIES.find((c) => c.name === 'Unhealthy')!.color,
    });
    expect(alpha!.latest).toEqual([
      { parameter: 'pm25', units: 'µg/m³', value: 80.5, localTime: '2025-01-15 09:00:00' },
    ]);
    expect(third).toMatchObject({ name: 'Location 3', latitude: 1, longitude: 2, aqi: null });
    expect(zeta).toMatchObject({ aqi: null, aqiCategory: null, color: '#9ca3af' });
  });

  it('answers an empty list for a lake without the tables yet', async () => {
    const all = {
      'dev.locations': 'missing',
      'prod.latest': 'missing',
      'prod.daily_aqi': 'missing',
    } as const;
    expect(await mapLocations(fakeQuery(all))).toEqual([]);
  });

  it('serves one CSV row per location', async () => {
    const app = mapRoutes(
      fakeQuery({ 'dev.locations': PLACES, 'prod.latest': LATEST, 'prod.daily_aqi': AQI }),
    );
    const res = await app.request('/map?format=csv');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,name,country,timezone,latitude,longitude,aqi,aqi_category,aqi_parameter,aqi_date',
    );
    expect(lines.slice(1)).toEqual([
      '1,Alpha,IN,Asia/Kolkata,28.6,77.3,164,Unhealthy,pm25,2025-01-14',
      '3,Location 3,,,1,2,,,,',
      '2,Zeta,GB,Europe/London,51.5,-0.1,,,,',
    ]);
  });
});
