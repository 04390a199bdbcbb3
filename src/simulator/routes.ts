// The v3 endpoints as functions from (path, query) to a JSON body, over the simulated dataset and the current view.
import type { CountryDef, ParameterDef, SimLocation, SimSensor, SimulatedDataset } from './dataset.js';
import { findLocation, findSensor } from './dataset.js';
import {
  ApiError,
  dateOfParam,
  type QueryReader,
  requestValidationError,
  resolveTime,
  type TimeParam,
} from './query.js';
import {
  countryRecord,
  dayRecord,
  hourRecord,
  latestRecord,
  locationRecord,
  measurementRecord,
  parameterListRecord,
  type SensorLife,
  type SensorSpan,
  sensorRecord,
} from './records.js';
import { eachDayBetween, eachHourBetween, pageOf } from './series.js';
import { eachMeasurement, firstMeasurement, latestMeasurement, type MeasurementView } from './values.js';
import { localDateOf } from './zone-time.js';

export interface ApiContext {
  dataset: SimulatedDataset;
  /** What clients can see right now (the simulated clock and late-data state). */
  view(): MeasurementView & { now: Date };
  /** Lifetime statistics of a sensor for /sensors (cached by the server). */
  lifeOf(sensor: SimSensor, view: MeasurementView & { now: Date }): SensorLife | null;
}

interface Route {
  /** Route template, used for stats. */
  name: string;
  pattern: RegExp;
  handle(ctx: ApiContext, ids: string[], query: QueryReader): unknown;
}

function envelope(page: number, limit: number, found: number | string, results: unknown[]) {
  return { meta: { name: 'openaq-api', website: '/', page, limit, found }, results };
}

/** db.py fetchPage without a COUNT(1) OVER(): a full page reports the string ">limit". */
function pageFound(length: number, limit: number): number | string {
  return length === limit ? `>${limit}` : length;
}

function paging(query: QueryReader): { limit: number; page: number } {
  const limit = query.int('limit', { gt: 0, le: 1000 }) ?? 100;
  const page = query.int('page', { gt: 0 }) ?? 1;
  return { limit, page };
}

function pathId(query: QueryReader, name: string, text: string): number {
  const id = query.pathInt(name, text);
  return id ?? 0;
}

function sensorSpan(sensor: SimSensor, view: MeasurementView & { now: Date }): SensorSpan {
  const last = latestMeasurement(sensor, view, 60);
  if (!last) return null;
  const first = firstMeasurement(sensor, view);
  return first ? { first, last } : null;
}

/** Lifetime count, min, max, mean and sample sd of a sensor's visible measurements. */
export function sensorLife(sensor: SimSensor, view: MeasurementView & { now: Date }): SensorLife | null {
  let count = 0;
  let mean = 0;
  let m2 = 0; // Welford's running sum of squared deviations
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let first = null;
  let last = null;
  for (const m of eachMeasurement(sensor, sensor.firstPeriodEndMs - 1, view.now.getTime(), view)) {
    first ??= m;
    last = m;
    count += 1;
    const delta = m.value - mean;
    mean += delta / count;
    m2 += delta * (m.value - mean);
    if (m.value < min) min = m.value;
    if (m.value > max) max = m.value;
  }
  if (!first || !last) return null;
  return { first, last, count, min, max, avg: mean, sd: count > 1 ? Math.sqrt(m2 / (count - 1)) : null };
}

function spansFor(sensors: SimSensor[], view: MeasurementView & { now: Date }): Map<number, SensorSpan> {
  return new Map(sensors.map((s) => [s.id, sensorSpan(s, view)]));
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (haversine). */
function haversineMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** queries.py truncate_float: cut (not round) to 4 decimals. */
function truncate4(x: number): number {
  return Math.trunc(x * 10_000) / 10_000;
}

const BBOX_PATTERN = /-?\d{1,3}\.?\d*,-?\d{1,2}\.?\d*,-?\d{1,3}\.?\d*,-?\d{1,2}\.?\d*/;

interface Spatial {
  bbox?: [number, number, number, number];
  point?: { lat: number; lon: number; radius: number };
}

function readSpatial(query: QueryReader): Spatial {
  const bboxText = query.raw('bbox');
  const coordinatesText = query.raw('coordinates');
  const radius = query.int('radius', { gt: 0, le: 25_000 });
  const radiusGiven = query.has('radius');
  if (bboxText !== undefined && (coordinatesText !== undefined || radiusGiven))
    query.valueError(
      'Cannot pass both bounding box and coordinate/radius query in the same URL',
      query.inputs(),
    );
  else if (coordinatesText !== undefined && !radiusGiven)
    query.valueError('Coordinates must be passed with a radius', query.inputs());
  else if (coordinatesText === undefined && radiusGiven)
    query.valueError('Radius must be passed with a coordinate pair', query.inputs());
  const spatial: Spatial = {};
  if (bboxText !== undefined) {
    if (!BBOX_PATTERN.test(bboxText)) {
      query.constraint(
        'string_pattern_mismatch',
        ['bbox'],
        `String should match pattern '${BBOX_PATTERN.source}'`,
        bboxText,
        {
          pattern: BBOX_PATTERN.source,
        },
      );
    } else {
      const parts = bboxText.split(',').map(Number);
      const [minx, miny, maxx, maxy] = parts as [number, number, number, number];
      const errors: string[] = [];
      if (parts.length !== 4 || parts.some((n) => Number.isNaN(n))) errors.push('expected 4 numbers');
      else {
        if (!(minx >= -180 && minx <= 180)) errors.push('X min must be between -180 and 180');
        if (!(miny >= -90 && miny <= 90)) errors.push('Y min must be between -90 and 90');
        if (!(maxx >= -180 && maxx <= 180)) errors.push('X max must be between -180 and 180');
        if (!(maxy >= -90 && maxy <= 90)) errors.push('Y max must be between -90 and 90');
        if (minx > maxx) errors.push('X max must be greater than or equal to X min');
        if (miny > maxy) errors.push('Y max must be greater than or equal to Y min');
      }
      if (errors.length > 0)
        query.constraint(
          'value_error',
          ['bbox'],
          `Value error, Invalid bounding box. Error(s): ${errors.join(' ')}`,
          bboxText,
          {
            error: {},
          },
        );
      else spatial.bbox = [truncate4(minx), truncate4(miny), truncate4(maxx), truncate4(maxy)];
    }
  }
  if (coordinatesText !== undefined) {
    const parts = coordinatesText.split(',').map((s) => Number(s.trim()));
    const [lat, lon] = parts as [number, number];
    if (parts.length !== 2 || Number.isNaN(lat) || Number.isNaN(lon)) {
      query.constraint(
        'value_error',
        ['coordinates'],
        `Value error, could not convert string to float: '${coordinatesText}'`,
        coordinatesText,
        {
          error: {},
        },
      );
    } else if (lat > 90 || lat < -90 || lon > 180 || lon < -180) {
      query.constraint(
        'value_error',
        ['coordinates'],
        'Value error, Invalid coordinates. Error(s): foo',
        coordinatesText,
        {
          error: {},
        },
      );
    } else if (radius !== undefined) {
      spatial.point = { lat: truncate4(lat), lon: truncate4(lon), radius };
    }
  }
  return spatial;
}

function sortById<T extends { id: number }>(items: T[], order: 'asc' | 'desc'): T[] {
  return [...items].sort((a, b) => (order === 'asc' ? a.id - b.id : b.id - a.id));
}

function listLocations(ctx: ApiContext, _ids: string[], query: QueryReader) {
  const { limit, page } = paging(query);
  query.enumValue('order_by', ['id'], 'id');
  const sortOrder = query.enumValue('sort_order', ['asc', 'desc'], 'asc');
  const countriesId = query.intList('countries_id');
  const iso = query.raw('iso');
  if (countriesId !== undefined && iso !== undefined)
    query.valueError('Cannot pass both countries_id and iso code', query.inputs());
  const spatial = readSpatial(query);
  const parametersId = query.intList('parameters_id');
  const providersId = query.intList('providers_id');
  const ownersId = query.intList('owner_contacts_id');
  const licensesId = query.intList('licenses_id');
  const instrumentsId = query.intList('instruments_id');
  const mobile = query.bool('mobile');
  const monitor = query.bool('monitor');
  query.finish();

  const distances = new Map<number, number>();
  const matches = ctx.dataset.locations.filter((l) => {
    if (countriesId && !countriesId.includes(l.country.id)) return false;
    if (iso !== undefined && l.country.code !== iso) return false;
    if (parametersId && !l.sensors.some((s) => parametersId.includes(s.parameter.id))) return false;
    if (providersId && !providersId.includes(l.provider.id)) return false;
    if (ownersId && !ownersId.includes(l.owner.id)) return false;
    if (licensesId && !l.licenses.some((x) => licensesId.includes(x.id))) return false;
    if (instrumentsId && !l.instruments.some((x) => instrumentsId.includes(x.id))) return false;
    if (mobile !== undefined && l.isMobile !== mobile) return false;
    if (monitor !== undefined && l.isMonitor !== monitor) return false;
    if (spatial.bbox) {
      const [minx, miny, maxx, maxy] = spatial.bbox;
      if (l.longitude < minx || l.longitude > maxx || l.latitude < miny || l.latitude > maxy) return false;
    }
    if (spatial.point) {
      const d = haversineMeters(spatial.point.lat, spatial.point.lon, l.latitude, l.longitude);
      if (d > spatial.point.radius) return false;
      distances.set(l.id, d);
    }
    return true;
  });
  const pageItems = sortById(matches, sortOrder).slice((page - 1) * limit, page * limit);
  const view = ctx.view();
  const results = pageItems.map((l) =>
    locationRecord(l, spansFor(l.sensors, view), spatial.point ? (distances.get(l.id) ?? null) : null),
  );
  return envelope(page, limit, pageFound(results.length, limit), results);
}

function requireLocation(ctx: ApiContext, ids: string[], query: QueryReader): SimLocation {
  const id = pathId(query, 'locations_id', ids[0]!);
  query.finish();
  const location = findLocation(ctx.dataset, id);
  if (!location) throw new ApiError(404, { detail: 'Location not found' });
  return location;
}

function getLocation(ctx: ApiContext, ids: string[], query: QueryReader) {
  const location = requireLocation(ctx, ids, query);
  return envelope(1, 100, 1, [locationRecord(location, spansFor(location.sensors, ctx.view()), null)]);
}

function locationSensors(ctx: ApiContext, ids: string[], query: QueryReader) {
  const location = requireLocation(ctx, ids, query);
  const view = ctx.view();
  const results = location.sensors.map((s) => sensorRecord(s, ctx.lifeOf(s, view)));
  return envelope(1, 100, results.length, results);
}

function locationLatest(ctx: ApiContext, ids: string[], query: QueryReader) {
  const { limit, page } = paging(query);
  const datetimeMin = query.time('datetime_min');
  const location = requireLocation(ctx, ids, query);
  const view = ctx.view();
  const minMs = datetimeMin ? resolveTime(datetimeMin, location.timezone) : Number.NEGATIVE_INFINITY;
  const all = location.sensors.flatMap((s) => {
    const m = latestMeasurement(s, view, 60);
    return m && m.periodEndMs >= minMs ? [latestRecord(s, m)] : [];
  });
  // this endpoint counts with COUNT(1) OVER(), so found is exact
  return envelope(page, limit, all.length, all.slice((page - 1) * limit, page * limit));
}

function getSensor(ctx: ApiContext, ids: string[], query: QueryReader) {
  const id = pathId(query, 'sensors_id', ids[0]!);
  query.finish();
  const sensor = findSensor(ctx.dataset, id);
  if (!sensor) throw new ApiError(404, { detail: 'Sensor not found' });
  return envelope(1, 100, 1, [sensorRecord(sensor, ctx.lifeOf(sensor, ctx.view()))]);
}

interface DatetimeWindow {
  sensor: SimSensor | undefined;
  limit: number;
  page: number;
  from?: TimeParam;
  to?: TimeParam;
}

function readDatetimeWindow(ctx: ApiContext, ids: string[], query: QueryReader): DatetimeWindow {
  const id = pathId(query, 'sensors_id', ids[0]!);
  const { limit, page } = paging(query);
  const from = query.time('datetime_from');
  const to = query.time('datetime_to');
  query.finish();
  const sensor = findSensor(ctx.dataset, id);
  if (from && to) {
    const zone = sensor?.timezone ?? 'UTC';
    if (resolveTime(to, zone) <= resolveTime(from, zone))
      throw requestValidationError(
        `Date/time from must be older than the date/time to. User passed ${from.pythonText} - ${to.pythonText}`,
      );
  }
  return { sensor, limit, page, from, to };
}

function sensorMeasurements(ctx: ApiContext, ids: string[], query: QueryReader) {
  const { sensor, limit, page, from, to } = readDatetimeWindow(ctx, ids, query);
  if (!sensor) return envelope(page, limit, 0, []);
  const view = ctx.view();
  const fromMs = from ? resolveTime(from, sensor.timezone) : sensor.firstPeriodEndMs - 1;
  const toMs = to ? resolveTime(to, sensor.timezone) : view.now.getTime();
  const results = pageOf(eachMeasurement(sensor, fromMs, toMs, view), page, limit).map((m) =>
    measurementRecord(sensor, m),
  );
  return envelope(page, limit, pageFound(results.length, limit), results);
}

function sensorHours(ctx: ApiContext, ids: string[], query: QueryReader) {
  const { sensor, limit, page, from, to } = readDatetimeWindow(ctx, ids, query);
  if (!sensor) return envelope(page, limit, 0, []);
  const view = ctx.view();
  const fromMs = from ? resolveTime(from, sensor.timezone) : sensor.firstPeriodEndMs - 1;
  const toMs = to ? resolveTime(to, sensor.timezone) : view.now.getTime();
  const results = pageOf(eachHourBetween(sensor, fromMs, toMs, view), page, limit).map((h) =>
    hourRecord(sensor, h),
  );
  return envelope(page, limit, pageFound(results.length, limit), results);
}

function sensorDays(ctx: ApiContext, ids: string[], query: QueryReader) {
  const id = pathId(query, 'sensors_id', ids[0]!);
  const { limit, page } = paging(query);
  const from = query.time('date_from');
  const to = query.time('date_to');
  query.finish();
  if (from && to && dateOfParam(to) <= dateOfParam(from))
    throw requestValidationError(
      `Date from must be older than the date to. User passed ${from.pythonText} - ${to.pythonText}`,
    );
  const sensor = findSensor(ctx.dataset, id);
  if (!sensor) return envelope(page, limit, 0, []);
  const view = ctx.view();
  const fromDate = from ? dateOfParam(from) : localDateOf(sensor.timezone, sensor.firstPeriodEndMs - 1000);
  const toDate = to ? dateOfParam(to) : localDateOf(sensor.timezone, view.now.getTime() - 1000);
  if (toDate < fromDate) return envelope(page, limit, 0, []);
  const results = pageOf(eachDayBetween(sensor, fromDate, toDate, view), page, limit).map((d) =>
    dayRecord(sensor, d),
  );
  return envelope(page, limit, pageFound(results.length, limit), results);
}

function listParameters(ctx: ApiContext, _ids: string[], query: QueryReader) {
  const { limit, page } = paging(query);
  const type = query.raw('parameter_type');
  const parameterType =
    type === undefined
      ? undefined
      : query.enumValue('parameter_type', ['pollutant', 'meteorological'], 'pollutant');
  query.enumValue('order_by', ['id'], 'id');
  const sortOrder = query.enumValue('sort_order', ['asc', 'desc'], 'asc');
  query.finish();
  const all = sortById(
    ctx.dataset.parameters.filter((p) => !parameterType || p.parameterType === parameterType),
    sortOrder,
  );
  const results = all.slice((page - 1) * limit, page * limit).map(parameterListRecord);
  return envelope(page, limit, all.length, results);
}

function getParameter(ctx: ApiContext, ids: string[], query: QueryReader) {
  const id = pathId(query, 'parameters_id', ids[0]!);
  query.finish();
  const parameter = ctx.dataset.parameters.find((p) => p.id === id);
  if (!parameter) throw new ApiError(404, { detail: 'Parameter not found' });
  return envelope(1, 100, 1, [parameterListRecord(parameter)]);
}

function countryFor(ctx: ApiContext, country: CountryDef, view: MeasurementView & { now: Date }) {
  const sensors = ctx.dataset.sensors.filter(
    (s) => findLocation(ctx.dataset, s.locationId)?.country.id === country.id,
  );
  const spans = [...spansFor(sensors, view).values()].filter((s) => !!s);
  const parameters = new Map<number, ParameterDef>();
  for (const s of sensors) parameters.set(s.parameter.id, s.parameter);
  return countryRecord(
    country,
    spans.length ? Math.min(...spans.map((s) => s.first.periodEndMs)) : null,
    spans.length ? Math.max(...spans.map((s) => s.last.periodEndMs)) : null,
    [...parameters.values()].sort((a, b) => a.id - b.id),
  );
}

function listCountries(ctx: ApiContext, _ids: string[], query: QueryReader) {
  const { limit, page } = paging(query);
  const parametersId = query.intList('parameters_id');
  const providersId = query.intList('providers_id');
  query.enumValue('order_by', ['id'], 'id');
  const sortOrder = query.enumValue('sort_order', ['asc', 'desc'], 'asc');
  query.finish();
  const all = sortById(
    ctx.dataset.countries.filter((c) => {
      const locations = ctx.dataset.locations.filter((l) => l.country.id === c.id);
      if (
        parametersId &&
        !locations.some((l) => l.sensors.some((s) => parametersId.includes(s.parameter.id)))
      )
        return false;
      if (providersId && !locations.some((l) => providersId.includes(l.provider.id))) return false;
      return locations.length > 0;
    }),
    sortOrder,
  );
  const view = ctx.view();
  const results = all.slice((page - 1) * limit, page * limit).map((c) => countryFor(ctx, c, view));
  return envelope(page, limit, all.length, results);
}

function getCountry(ctx: ApiContext, ids: string[], query: QueryReader) {
  const id = pathId(query, 'countries_id', ids[0]!);
  query.finish();
  const country = ctx.dataset.countries.find((c) => c.id === id);
  if (!country) throw new ApiError(404, { detail: 'Country not found' });
  return envelope(1, 100, 1, [countryFor(ctx, country, ctx.view())]);
}

const SEGMENT = '([^/]+)';
const route = (name: string, handle: Route['handle']): Route => ({
  name,
  pattern: new RegExp(`^${name.replace(/\{[a-z_]+\}/g, SEGMENT)}$`),
  handle,
});

const ROUTES: readonly Route[] = [
  route('/v3/locations', listLocations),
  route('/v3/locations/{id}', getLocation),
  route('/v3/locations/{id}/sensors', locationSensors),
  route('/v3/locations/{id}/latest', locationLatest),
  route('/v3/sensors/{id}', getSensor),
  route('/v3/sensors/{id}/measurements', sensorMeasurements),
  route('/v3/sensors/{id}/hours', sensorHours),
  route('/v3/sensors/{id}/days', sensorDays),
  route('/v3/parameters', listParameters),
  route('/v3/parameters/{id}', getParameter),
  route('/v3/countries', listCountries),
  route('/v3/countries/{id}', getCountry),
];

export function matchRoute(pathname: string): { route: Route; ids: string[] } | null {
  for (const r of ROUTES) {
    const m = r.pattern.exec(pathname);
    if (m) return { route: r, ids: m.slice(1).map((s) => decodeURIComponent(s)) };
  }
  return null;
}
