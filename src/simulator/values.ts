// Simulated measurements: each value is a pure function of (seed, sensor, period end), with gaps, negatives,
// −999 sentinels and flags drawn the same way, plus an optional view of late and revised data.
import type { SimSensor } from './dataset.js';
import { gridCeil, gridFloor } from './dataset.js';
import { normal, uniform } from './hash.js';
import { DAY_MS, HOUR_MS, localDayNumber, MINUTE_MS, offsetMinutes } from './zone-time.js';

export interface SimMeasurement {
  /** Period end, epoch ms (OpenAQ stamps are period ends). */
  periodEndMs: number;
  value: number;
  hasFlags: boolean;
}

/**
 * Which measurements a client can see at a moment. Without a view you get the final data with no upper time bound.
 * `late`: of the measurements whose period ends after `startedAt − 2 days`, a `share` arrive only `delayMs` after
 * max(period end, startedAt), and another `share` are served with a provisional value until then.
 */
export interface MeasurementView {
  now?: Date;
  late?: { delayMs: number; share: number; startedAt: Date };
}

// Independent random channels for one (sensor, time) key.
const CH = {
  noise: 11,
  day: 12,
  gap: 13,
  outage: 14,
  dayGap: 15,
  special: 16,
  specialSize: 17,
  flag: 18,
  late: 19,
  revised: 20,
  revision: 21,
} as const;

const SENTINEL_SHARE = 0.0015;
const NEGATIVE_SHARE = 0.006;
const FLAG_SHARE = 0.008;
const MISSING_READING_SHARE = 0.02;
const OUTAGE_SHARE = 0.015; // per 6-hour block
const MISSING_DAY_SHARE = 0.012; // per local day
const YEAR_DAYS = 365.2425;

function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(value * f) / f;
  return r === 0 ? 0 : r; // no −0 in JSON
}

// Consecutive values mostly share a day: remember the last day's weather instead of rehashing it.
const lastWeather = { seed: Number.NaN, locationId: Number.NaN, day: Number.NaN, today: 0, yesterday: 0 };

/** Standard-normal "weather" of a location's local day and the day before, shared by all its sensors. */
function weather(sensor: SimSensor, day: number): { today: number; yesterday: number } {
  const w = lastWeather;
  if (w.seed !== sensor.seed || w.locationId !== sensor.locationId || w.day !== day) {
    w.seed = sensor.seed;
    w.locationId = sensor.locationId;
    w.day = day;
    w.today = normal(sensor.seed, sensor.locationId, day, CH.day);
    w.yesterday = normal(sensor.seed, sensor.locationId, day - 1, CH.day);
  }
  return w;
}

/** A day-to-day factor shared by a location's pollutants, so pm25 and pm10 rise and fall together. */
function dayFactor(sensor: SimSensor, day: number): number {
  const { today, yesterday } = weather(sensor, day);
  return Math.exp(0.35 * (0.75 * today + 0.45 * yesterday));
}

function cyclic(x: number, peak: number, period: number): number {
  return Math.cos((2 * Math.PI * (x - peak)) / period);
}

/** The undisturbed value at a period end: seasonal × daily × diurnal shape × noise. */
function baseValue(sensor: SimSensor, periodEndMs: number): number {
  const { profile } = sensor;
  const midpoint = periodEndMs - (sensor.intervalSeconds * 1000) / 2;
  const wall = midpoint + offsetMinutes(sensor.timezone, midpoint) * MINUTE_MS;
  const hour = (((wall / HOUR_MS) % 24) + 24) % 24;
  const day = Math.floor(wall / DAY_MS);
  const dayOfYear = ((day % YEAR_DAYS) + YEAR_DAYS) % YEAR_DAYS;
  const minuteKey = Math.floor(periodEndMs / MINUTE_MS);
  const noise = normal(sensor.seed, sensor.id, minuteKey, CH.noise);
  const season = cyclic(dayOfYear, profile.seasonPeakDay, YEAR_DAYS);
  switch (profile.kind) {
    case 'pm': {
      const diurnal = 1 + 0.28 * cyclic(hour, 8, 24) + 0.18 * cyclic(hour, 21, 12);
      return (
        profile.base *
        (1 + profile.seasonalAmplitude * season) *
        dayFactor(sensor, day) *
        diurnal *
        Math.exp(0.18 * noise)
      );
    }
    case 'o3': {
      const daylight = Math.max(0, Math.sin((Math.PI * (hour - 7)) / 12));
      return (
        profile.base *
        (0.45 + 0.95 * daylight) *
        (1 + profile.seasonalAmplitude * season) *
        Math.exp(0.15 * noise)
      );
    }
    case 'no2': {
      const rush = Math.exp(-((hour - 8) ** 2) / 6) + 0.8 * Math.exp(-((hour - 19) ** 2) / 8);
      return (
        profile.base *
        (0.6 + 0.7 * rush) *
        (1 + profile.seasonalAmplitude * season) *
        Math.sqrt(dayFactor(sensor, day)) *
        Math.exp(0.2 * noise)
      );
    }
    case 'temperature': {
      const today = 2.5 * weather(sensor, day).today;
      return (
        profile.base + profile.seasonalAmplitude * season + 4.5 * cyclic(hour, 15, 24) + today + 0.3 * noise
      );
    }
  }
}

/** Whether the sensor has no value for this period: a missing reading, a 6-hour outage or a whole missing local day. */
function isGap(sensor: SimSensor, periodEndMs: number): boolean {
  if (sensor.profile.complete) return false;
  const { seed, id } = sensor;
  if (uniform(seed, id, Math.floor(periodEndMs / MINUTE_MS), CH.gap) < MISSING_READING_SHARE) return true;
  if (uniform(seed, id, Math.floor(periodEndMs / (6 * HOUR_MS)), CH.outage) < OUTAGE_SHARE) return true;
  const day = localDayNumber(sensor.timezone, periodEndMs - 1000);
  return uniform(seed, id, day, CH.dayGap) < MISSING_DAY_SHARE;
}

/** The final (revised, fully arrived) measurement at a grid point, or null when there is none. */
export function measurementAt(sensor: SimSensor, periodEndMs: number): SimMeasurement | null {
  if (periodEndMs < sensor.firstPeriodEndMs) return null;
  if (sensor.lastPeriodEndMs !== null && periodEndMs > sensor.lastPeriodEndMs) return null;
  if (isGap(sensor, periodEndMs)) return null;
  const { seed, id, profile } = sensor;
  const minuteKey = Math.floor(periodEndMs / MINUTE_MS);
  let value = roundTo(baseValue(sensor, periodEndMs), profile.decimals);
  let hasFlags = uniform(seed, id, minuteKey, CH.flag) < FLAG_SHARE;
  if (!profile.complete && profile.kind !== 'temperature') {
    const special = uniform(seed, id, minuteKey, CH.special);
    const size = uniform(seed, id, minuteKey, CH.specialSize);
    if (special < SENTINEL_SHARE) {
      value = -999;
      hasFlags = hasFlags || size < 0.5;
    } else if (special < SENTINEL_SHARE + NEGATIVE_SHARE) {
      // instrument drift around zero, stored as reported
      value = profile.kind === 'o3' ? -0.001 : -roundTo(0.1 + 1.9 * size, 1);
    }
  }
  return { periodEndMs, value, hasFlags };
}

/** Applies the view: nothing after `now`; late measurements hidden and revised ones provisional until they arrive. */
function visible(
  sensor: SimSensor,
  m: SimMeasurement,
  nowMs: number,
  late: MeasurementView['late'],
): SimMeasurement | null {
  if (m.periodEndMs > nowMs) return null;
  if (!late || late.share <= 0) return m;
  const startedAt = late.startedAt.getTime();
  if (m.periodEndMs <= startedAt - 2 * DAY_MS) return m;
  if (nowMs >= Math.max(m.periodEndMs, startedAt) + late.delayMs) return m;
  const key = Math.floor(m.periodEndMs / MINUTE_MS);
  if (uniform(sensor.seed, sensor.id, key, CH.late) < late.share) return null;
  if (uniform(sensor.seed, sensor.id, key, CH.revised) < late.share && m.value !== -999) {
    const factor = 0.7 + 0.25 * uniform(sensor.seed, sensor.id, key, CH.revision);
    const step = 10 ** -sensor.profile.decimals;
    let provisional = roundTo(m.value * factor, sensor.profile.decimals);
    if (provisional === m.value) provisional = roundTo(m.value + step, sensor.profile.decimals);
    return { ...m, value: provisional };
  }
  return m;
}

/**
 * The sensor's measurements with period end in (fromUtc, toUtc] — OpenAQ's exclusive-from, inclusive-to window —
 * in ascending order, as seen through the view.
 */
export function* eachMeasurement(
  sensor: SimSensor,
  fromMs: number,
  toMs: number,
  view: MeasurementView = {},
): Generator<SimMeasurement> {
  const nowMs = view.now ? view.now.getTime() : Number.POSITIVE_INFINITY;
  let hi = Math.min(toMs, nowMs);
  if (sensor.lastPeriodEndMs !== null) hi = Math.min(hi, sensor.lastPeriodEndMs);
  if (!Number.isFinite(hi)) throw new RangeError('an unbounded window needs an end or view.now');
  const step = sensor.intervalSeconds * 1000;
  const first = Math.max(
    gridCeil(fromMs + 1, sensor.intervalSeconds, sensor.phaseSeconds),
    sensor.firstPeriodEndMs,
  );
  const last = gridFloor(hi, sensor.intervalSeconds, sensor.phaseSeconds);
  for (let end = first; end <= last; end += step) {
    const m = measurementAt(sensor, end);
    if (!m) continue;
    const seen = visible(sensor, m, nowMs, view.late);
    if (seen) yield seen;
  }
}

/** All of `eachMeasurement` as an array. */
export function measurementsFor(
  sensor: SimSensor,
  fromUtc: Date,
  toUtc: Date,
  view: MeasurementView = {},
): SimMeasurement[] {
  return [...eachMeasurement(sensor, fromUtc.getTime(), toUtc.getTime(), view)];
}

/** The latest visible measurement at or before `nowMs`, searching back at most `maxDays`. */
export function latestMeasurement(
  sensor: SimSensor,
  view: MeasurementView & { now: Date },
  maxDays = 30,
): SimMeasurement | null {
  const step = sensor.intervalSeconds * 1000;
  let end = gridFloor(view.now.getTime(), sensor.intervalSeconds, sensor.phaseSeconds);
  if (sensor.lastPeriodEndMs !== null) end = Math.min(end, sensor.lastPeriodEndMs);
  const stop = Math.max(sensor.firstPeriodEndMs, end - maxDays * DAY_MS);
  for (; end >= stop; end -= step) {
    const m = measurementAt(sensor, end);
    if (!m) continue;
    const seen = visible(sensor, m, view.now.getTime(), view.late);
    if (seen) return seen;
  }
  return null;
}

/** The first visible measurement of the sensor's life. */
export function firstMeasurement(
  sensor: SimSensor,
  view: MeasurementView & { now: Date },
): SimMeasurement | null {
  const toMs = Math.min(view.now.getTime(), sensor.firstPeriodEndMs + 30 * DAY_MS);
  for (const m of eachMeasurement(sensor, sensor.firstPeriodEndMs - 1, toMs, view)) return m;
  return null;
}
