// OpenAQ's time rules as pure functions: period-end stamps, local days of (end − 1 s), day windows in UTC.
import { DateTime } from 'luxon';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

export function isValidTimeZone(zone: string): boolean {
  return DateTime.local().setZone(zone).isValid;
}

/**
 * The local calendar day a measurement belongs to: the local date of (period end − 1 s),
 * so the value stamped 00:00 belongs to the day before (openaq-db `as_date()`).
 */
export function localDateOfPeriodEnd(periodEndUtc: Date | string, timezone: string): string {
  const end =
    typeof periodEndUtc === 'string'
      ? DateTime.fromISO(periodEndUtc, { zone: 'UTC' })
      : DateTime.fromJSDate(periodEndUtc);
  if (!end.isValid) throw new Error(`not an ISO instant: ${String(periodEndUtc)}`);
  return end.minus({ seconds: 1 }).setZone(timezone).toISODate()!;
}

/**
 * The period ends of local day D, as the API's exclusive-from / inclusive-to window:
 * (D 00:00 local, D+1 00:00 local], in UTC. A DST day is 23 or 25 hours long.
 */
export function localDayWindowUtc(localDate: string, timezone: string): { fromUtc: Date; toUtc: Date } {
  const start = DateTime.fromISO(localDate, { zone: timezone }).startOf('day');
  if (!start.isValid) throw new Error(`bad local date ${localDate} or time zone ${timezone}`);
  return { fromUtc: start.toUTC().toJSDate(), toUtc: start.plus({ days: 1 }).toUTC().toJSDate() };
}

/** Every date from `from` to `to`, inclusive. */
export function eachDate(from: string, to: string): string[] {
  const out: string[] = [];
  let d = DateTime.fromISO(from, { zone: 'UTC' });
  const end = DateTime.fromISO(to, { zone: 'UTC' });
  if (!d.isValid || !end.isValid) throw new Error(`bad date range ${from}..${to}`);
  while (d <= end) {
    out.push(d.toISODate()!);
    d = d.plus({ days: 1 });
  }
  return out;
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** Today's date in a zone. */
export function todayIn(timezone: string, now: Date = new Date()): string {
  return DateTime.fromJSDate(now).setZone(timezone).toISODate()!;
}

/**
 * "Today" where it is latest: in UTC+14 (Kiribati), the first zone to begin a day. A local day after it has not
 * begun for any location, so it can hold no measurement: asking for it is a typo, not a wish.
 */
export function latestToday(now: Date = new Date()): string {
  return todayIn('Etc/GMT-14', now);
}
