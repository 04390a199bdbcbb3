// JSON records in OpenAQ v3's shapes (responses.py field order): locations, sensors, latest, measurements, hours, days.
import type { DailyAggregate, HourlyAggregate, Summary } from './aggregate.js';
import type { CountryDef, ParameterDef, SimLocation, SimSensor } from './dataset.js';
import type { SimMeasurement } from './values.js';
import { DAY_MS, datetimeObject, intervalText, localMidnight, utcIso } from './zone-time.js';

export interface ParameterRecord {
  id: number;
  name: string;
  units: string;
  displayName: string | null;
}

/** Parameter as embedded in locations and sensors (with displayName). */
function parameterRecord(p: ParameterDef): ParameterRecord {
  return { id: p.id, name: p.name, units: p.units, displayName: p.displayName };
}

/** Parameter as the measurement, hours and days queries build it: their SQL leaves displayName out, so it is null. */
function dataParameterRecord(p: ParameterDef): ParameterRecord {
  return { id: p.id, name: p.name, units: p.units, displayName: null };
}

export function parameterListRecord(p: ParameterDef) {
  return { ...parameterRecord(p), description: p.description };
}

function sensorName(sensor: SimSensor): string {
  return `${sensor.parameter.name} ${sensor.parameter.units}`;
}

export interface SensorLife {
  first: SimMeasurement;
  last: SimMeasurement;
  count: number;
  min: number;
  max: number;
  avg: number;
  sd: number | null;
}

/** First and last visible measurement of a sensor, or null when it has none. */
export type SensorSpan = Pick<SensorLife, 'first' | 'last'> | null;

export function locationRecord(
  location: SimLocation,
  spans: Map<number, SensorSpan>,
  distance: number | null,
) {
  const tz = location.timezone;
  const known = location.sensors.map((s) => spans.get(s.id)).filter((l) => !!l);
  const first = known.length ? Math.min(...known.map((l) => l.first.periodEndMs)) : null;
  const last = known.length ? Math.max(...known.map((l) => l.last.periodEndMs)) : null;
  return {
    id: location.id,
    name: location.name,
    locality: location.locality,
    timezone: tz,
    country: { id: location.country.id, code: location.country.code, name: location.country.name },
    owner: { ...location.owner },
    provider: { ...location.provider },
    isMobile: location.isMobile,
    isMonitor: location.isMonitor,
    instruments: location.instruments.map((i) => ({ ...i })),
    sensors: location.sensors.map((s) => ({
      id: s.id,
      name: sensorName(s),
      parameter: parameterRecord(s.parameter),
    })),
    coordinates: { latitude: location.latitude, longitude: location.longitude },
    licenses: location.licenses.map((l) => ({ ...l, attribution: { ...l.attribution } })),
    bounds: [location.longitude, location.latitude, location.longitude, location.latitude],
    distance,
    datetimeFirst: first === null ? null : datetimeObject(tz, first),
    datetimeLast: last === null ? null : datetimeObject(tz, last),
  };
}

export function sensorRecord(sensor: SimSensor, life: SensorLife | null) {
  const tz = sensor.timezone;
  const base = { id: sensor.id, name: sensorName(sensor), parameter: parameterRecord(sensor.parameter) };
  if (!life) {
    return { ...base, datetimeFirst: null, datetimeLast: null, coverage: null, latest: null, summary: null };
  }
  const expectedCount =
    Math.round((life.last.periodEndMs - life.first.periodEndMs) / (sensor.intervalSeconds * 1000)) + 1;
  const percent = Math.round((100 * life.count) / expectedCount);
  const firstObject = datetimeObject(tz, life.first.periodEndMs);
  const lastObject = datetimeObject(tz, life.last.periodEndMs);
  return {
    ...base,
    datetimeFirst: firstObject,
    datetimeLast: lastObject,
    coverage: {
      expectedCount,
      expectedInterval: intervalText(expectedCount * sensor.intervalSeconds),
      observedCount: life.count,
      observedInterval: intervalText(life.count * sensor.intervalSeconds),
      percentComplete: percent,
      percentCoverage: percent,
      datetimeFrom: firstObject,
      datetimeTo: lastObject,
    },
    latest: latestBase(sensor, life.last),
    // the sensors endpoint fills only min, max, avg and sd
    summary: {
      min: life.min,
      q02: null,
      q25: null,
      median: null,
      q75: null,
      q98: null,
      max: life.max,
      avg: life.avg,
      sd: life.sd,
    },
  };
}

function latestBase(sensor: SimSensor, m: SimMeasurement) {
  return {
    datetime: datetimeObject(sensor.timezone, m.periodEndMs),
    value: m.value,
    coordinates: { latitude: sensor.latitude, longitude: sensor.longitude },
  };
}

export function latestRecord(sensor: SimSensor, m: SimMeasurement) {
  return { ...latestBase(sensor, m), sensorsId: sensor.id, locationsId: sensor.locationId };
}

function summaryRecord(s: Summary) {
  return {
    min: s.min,
    q02: s.q02,
    q25: s.q25,
    median: s.median,
    q75: s.q75,
    q98: s.q98,
    max: s.max,
    avg: s.avg,
    sd: s.sd,
  };
}

/** A period's coverage: what was expected and what was observed in it (datetimeFrom/To as in each route). */
interface Coverage {
  expectedCount: number;
  expectedSeconds: number;
  observedCount: number;
  observedSeconds: number;
  /** percentComplete and percentCoverage (OpenAQ gives both the same value). */
  percent: number;
  fromMs: number;
  toMs: number;
}

/** The row of /measurements, /hours and /days: a period's value with its summary and coverage, in the sensor's zone. */
function periodRecord(
  sensor: SimSensor,
  row: { value: number; hasFlags: boolean; summary: Summary | null },
  period: { label: string; interval: string; fromMs: number; toMs: number },
  coverage: Coverage,
) {
  const tz = sensor.timezone;
  return {
    value: row.value,
    flagInfo: { hasFlags: row.hasFlags },
    parameter: dataParameterRecord(sensor.parameter),
    period: {
      label: period.label,
      interval: period.interval,
      datetimeFrom: datetimeObject(tz, period.fromMs),
      datetimeTo: datetimeObject(tz, period.toMs),
    },
    coordinates: null,
    summary: row.summary ? summaryRecord(row.summary) : null,
    coverage: {
      expectedCount: coverage.expectedCount,
      expectedInterval: intervalText(coverage.expectedSeconds),
      observedCount: coverage.observedCount,
      observedInterval: intervalText(coverage.observedSeconds),
      percentComplete: coverage.percent,
      percentCoverage: coverage.percent,
      datetimeFrom: datetimeObject(tz, coverage.fromMs),
      datetimeTo: datetimeObject(tz, coverage.toMs),
    },
  };
}

/** A raw measurement (routers/measurements.py fetch_measurements). */
export function measurementRecord(sensor: SimSensor, m: SimMeasurement) {
  const seconds = sensor.intervalSeconds;
  const fromMs = m.periodEndMs - seconds * 1000;
  return periodRecord(
    sensor,
    { value: m.value, hasFlags: m.hasFlags, summary: null },
    { label: 'raw', interval: intervalText(seconds), fromMs, toMs: m.periodEndMs },
    {
      expectedCount: 1,
      expectedSeconds: seconds,
      observedCount: 1,
      observedSeconds: seconds,
      percent: 100,
      fromMs,
      toMs: m.periodEndMs,
    },
  );
}

/** An hourly rollup row (fetch_hours: calculate_coverage(count, averaging, logging, 3600)). */
export function hourRecord(sensor: SimSensor, h: HourlyAggregate) {
  const seconds = sensor.intervalSeconds;
  const expected = 3600 / seconds;
  return periodRecord(
    sensor,
    h,
    { label: '1hour', interval: '01:00:00', fromMs: h.hourEndMs - 3_600_000, toMs: h.hourEndMs },
    {
      expectedCount: Math.round(expected),
      expectedSeconds: expected * seconds,
      observedCount: h.count,
      observedSeconds: h.count * seconds,
      percent: Math.round((100 * h.count) / expected),
      fromMs: h.firstPeriodEndMs,
      toMs: h.lastPeriodEndMs,
    },
  );
}

/** A daily rollup row (fetch_days: calculate_coverage(hours, 3600, 3600, 24 * 3600); period = local midnights). */
export function dayRecord(sensor: SimSensor, d: DailyAggregate) {
  const tz = sensor.timezone;
  const next = new Date(Date.parse(`${d.localDate}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return periodRecord(
    sensor,
    d,
    {
      label: '1day',
      interval: '24:00:00',
      fromMs: localMidnight(tz, d.localDate),
      toMs: localMidnight(tz, next),
    },
    {
      expectedCount: 24,
      expectedSeconds: 24 * 3600,
      observedCount: d.hourCount,
      observedSeconds: d.hourCount * 3600,
      percent: d.percentComplete,
      fromMs: d.firstHourEndMs,
      toMs: d.lastHourEndMs,
    },
  );
}

export function countryRecord(
  country: CountryDef,
  first: number | null,
  last: number | null,
  parameters: ParameterDef[],
) {
  return {
    id: country.id,
    code: country.code,
    name: country.name,
    datetimeFirst: first === null ? null : utcIso(first),
    datetimeLast: last === null ? null : utcIso(last),
    parameters: parameters.map(dataParameterRecord),
  };
}
