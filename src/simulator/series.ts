// A sensor's hourly and daily rollups over a window, computed from its simulated measurements as OpenAQ does.
import { type DailyAggregate, eachDay, eachHour, type HourlyAggregate } from './aggregate.js';
import type { SimSensor } from './dataset.js';
import { eachMeasurement, type MeasurementView } from './values.js';
import { addDays, HOUR_MS, localMidnight } from './zone-time.js';

/** Hourly means whose hour END lies in (fromMs, toMs], lazily and in order. */
export function* eachHourBetween(
  sensor: SimSensor,
  fromMs: number,
  toMs: number,
  view: MeasurementView = {},
): Generator<HourlyAggregate> {
  // a measurement's hour ends within [period end, period end + 1 h), so look back one hour
  for (const h of eachHour(sensor.timezone, eachMeasurement(sensor, fromMs - HOUR_MS, toMs, view))) {
    if (h.hourEndMs > fromMs && h.hourEndMs <= toMs) yield h;
  }
}

/** Daily means of the local dates whose midnights bound (fromMs, toMs], lazily and in order. */
export function eachDayBetween(
  sensor: SimSensor,
  fromDate: string,
  toDate: string,
  view: MeasurementView = {},
): Generator<DailyAggregate> {
  const fromMs = localMidnight(sensor.timezone, fromDate);
  const toMs = localMidnight(sensor.timezone, addDays(toDate, 1));
  return eachDay(sensor.timezone, eachHourBetween(sensor, fromMs, toMs, view));
}

/** Daily means of hourly means for local dates fromDate..toDate inclusive (days without data are absent), like /days. */
export function dailyAggregatesFor(
  sensor: SimSensor,
  fromDate: string,
  toDate: string,
  view: MeasurementView = {},
): DailyAggregate[] {
  return [...eachDayBetween(sensor, fromDate, toDate, view)];
}

/** Items offset..offset+limit of an iterator, without computing the rest. */
export function pageOf<T>(items: Iterable<T>, page: number, limit: number): T[] {
  const offset = (page - 1) * limit;
  const out: T[] = [];
  let index = 0;
  for (const item of items) {
    if (index++ < offset) continue;
    out.push(item);
    if (out.length === limit) break;
  }
  return out;
}
