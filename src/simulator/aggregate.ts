// OpenAQ's rollups as pure functions: hourly means (hour = date_trunc('hour', local(end + 1 h − 1 s))), daily means
// of those hourly means by local date of (hour end − 1 s), PERCENTILE_CONT quantiles and sig_digits rounding.
import { HOUR_MS, localDateOf, MINUTE_MS, offsetMinutes } from './zone-time.js';

export interface Summary {
  min: number;
  q02: number;
  q25: number;
  median: number;
  q75: number;
  q98: number;
  max: number;
  avg: number;
  /** Sample standard deviation (PostgreSQL STDDEV); null for a single value. */
  sd: number | null;
}

/** PostgreSQL PERCENTILE_CONT: linear interpolation between the two nearest ranks of a sorted array. */
export function percentileCont(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no values');
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const lo = sorted[lower]!;
  const hi = sorted[upper]!;
  return lo + (hi - lo) * (position - lower);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summary of no values');
  let sum = 0;
  for (const v of values) sum += v;
  const avg = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - avg) ** 2;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0]!,
    q02: percentileCont(sorted, 0.02),
    q25: percentileCont(sorted, 0.25),
    median: percentileCont(sorted, 0.5),
    q75: percentileCont(sorted, 0.75),
    q98: percentileCont(sorted, 0.98),
    max: sorted[sorted.length - 1]!,
    avg,
    sd: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : null,
  };
}

/**
 * sig_digits(x, n) as the database computes it: the double is read as a 15-significant-digit numeric, then rounded
 * half away from zero to n significant digits (9.956071 → 9.96, 16.5697 → 16.6).
 */
export function sigDigits(x: number, digits: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const exponent = Math.floor(Math.log10(Math.abs(x)));
  const scaled = Math.abs(x) / 10 ** (exponent - digits + 1);
  const fraction = scaled - Math.floor(scaled);
  // away from a tie (and from a power-of-ten edge) plain rounding agrees with the decimal rule
  if (Math.abs(fraction - 0.5) > 1e-6 && scaled >= 10 ** (digits - 1) && scaled < 10 ** digits - 0.5) {
    const rounded = Number(`${Math.round(scaled)}e${exponent - digits + 1}`);
    return x < 0 ? -rounded : rounded;
  }
  const [mantissa, exponentText] = Math.abs(x).toExponential(14).split('e') as [string, string];
  const all = mantissa.replace('.', '');
  let kept = Number(all.slice(0, digits));
  if (Number(all[digits]) >= 5) kept += 1;
  const rounded = Number(`${kept}e${Number(exponentText) - digits + 1}`);
  return x < 0 ? -rounded : rounded;
}

/**
 * The END of the hour a measurement belongs to: date_trunc('hour', local(periodEnd + 1 h − 1 s)), as an instant.
 * Truncating on the local wall clock keeps +05:30 and +09:30 zones on their own half-hour grid.
 */
export function hourEndOf(zone: string, periodEndMs: number): number {
  const t = periodEndMs + HOUR_MS - 1000;
  const wall = t + offsetMinutes(zone, t) * MINUTE_MS;
  const intoHour = ((wall % HOUR_MS) + HOUR_MS) % HOUR_MS;
  return t - intoHour;
}

export interface TimedValue {
  periodEndMs: number;
  value: number;
  hasFlags: boolean;
}

export interface HourlyAggregate {
  /** End of the hour (the /hours period.datetimeTo). */
  hourEndMs: number;
  count: number;
  /** First and last period end inside the hour (coverage.datetimeFrom/To). */
  firstPeriodEndMs: number;
  lastPeriodEndMs: number;
  hasFlags: boolean;
  summary: Summary;
  /** summary.avg to 3 significant digits. */
  value: number;
}

function hourOf(hourEndMs: number, items: TimedValue[]): HourlyAggregate {
  const summary = summarize(items.map((m) => m.value));
  return {
    hourEndMs,
    count: items.length,
    firstPeriodEndMs: items[0]!.periodEndMs,
    lastPeriodEndMs: items[items.length - 1]!.periodEndMs,
    hasFlags: items.some((m) => m.hasFlags),
    summary,
    value: sigDigits(summary.avg, 3),
  };
}

/** Hourly means of measurements sorted by period end, produced lazily. */
export function* eachHour(zone: string, measurements: Iterable<TimedValue>): Generator<HourlyAggregate> {
  let hourEnd = Number.NaN;
  let items: TimedValue[] = [];
  for (const m of measurements) {
    const end = hourEndOf(zone, m.periodEndMs);
    if (end !== hourEnd && items.length > 0) {
      yield hourOf(hourEnd, items);
      items = [];
    }
    hourEnd = end;
    items.push(m);
  }
  if (items.length > 0) yield hourOf(hourEnd, items);
}

/** Hourly means of measurements sorted by period end. */
export function hourlyAggregates(zone: string, measurements: Iterable<TimedValue>): HourlyAggregate[] {
  return [...eachHour(zone, measurements)];
}

export interface DailyAggregate {
  /** Local calendar date of (hour end − 1 s). */
  localDate: string;
  /** Hours with data (coverage.observedCount); a DST day can have 23 or 25. */
  hourCount: number;
  /** round(100 · hours / 24), as OpenAQ computes percentComplete. */
  percentComplete: number;
  /** First and last hour END of the day (coverage.datetimeFrom/To). */
  firstHourEndMs: number;
  lastHourEndMs: number;
  hasFlags: boolean;
  /** Over the hourly means: avg at full precision, PERCENTILE_CONT quantiles, sample sd. */
  summary: Summary;
  /** summary.avg to 3 significant digits. */
  value: number;
}

function dayOf(localDate: string, hours: HourlyAggregate[]): DailyAggregate {
  const summary = summarize(hours.map((h) => h.summary.avg));
  return {
    localDate,
    hourCount: hours.length,
    percentComplete: Math.round((100 * hours.length) / 24),
    firstHourEndMs: hours[0]!.hourEndMs,
    lastHourEndMs: hours[hours.length - 1]!.hourEndMs,
    hasFlags: hours.some((h) => h.hasFlags),
    summary,
    value: sigDigits(summary.avg, 3),
  };
}

/** Daily means of hourly means, grouped by the local date of (hour end − 1 s), produced lazily. */
export function* eachDay(zone: string, hours: Iterable<HourlyAggregate>): Generator<DailyAggregate> {
  let localDate = '';
  let group: HourlyAggregate[] = [];
  for (const h of hours) {
    const date = localDateOf(zone, h.hourEndMs - 1000);
    if (date !== localDate && group.length > 0) {
      yield dayOf(localDate, group);
      group = [];
    }
    localDate = date;
    group.push(h);
  }
  if (group.length > 0) yield dayOf(localDate, group);
}

/** Daily means of hourly means, grouped by the local date of (hour end − 1 s). */
export function dailyAggregates(zone: string, hours: Iterable<HourlyAggregate>): DailyAggregate[] {
  return [...eachDay(zone, hours)];
}
