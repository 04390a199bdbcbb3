// Fast UTC offsets for IANA zones and OpenAQ's datetime strings ({utc: "…Z", local: "…-04:00"}), all on epoch milliseconds.
import { DateTime } from 'luxon';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The offset at the start of a UTC day, the offset at its end, and the instant the second one starts. */
interface DayOffsets {
  start: number;
  end: number;
  switchAt: number;
}

// Offsets are looked up once per zone and UTC day (a zone changes offset at most once a day), so generating
// tens of thousands of values does not call into Intl for each one.
const offsetsByZone = new Map<string, Map<number, DayOffsets>>();

function luxonOffset(zone: string, ms: number): number {
  const dt = DateTime.fromMillis(ms, { zone });
  if (!dt.isValid) throw new Error(`unknown time zone ${zone}`);
  return dt.offset;
}

function dayOffsets(zone: string, day: number): DayOffsets {
  const from = day * DAY_MS;
  const to = from + DAY_MS - 1;
  const start = luxonOffset(zone, from);
  const end = luxonOffset(zone, to);
  if (start === end) return { start, end, switchAt: to + 1 };
  // Offsets change on a whole minute: binary-search the first minute that has the new offset.
  let lo = Math.floor(from / MINUTE_MS);
  let hi = Math.floor(to / MINUTE_MS);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (luxonOffset(zone, mid * MINUTE_MS) === end) hi = mid;
    else lo = mid + 1;
  }
  return { start, end, switchAt: lo * MINUTE_MS };
}

/** The zone's UTC offset in minutes at an instant (−240 for New York in summer, 330 for Kolkata). */
export function offsetMinutes(zone: string, ms: number): number {
  let byDay = offsetsByZone.get(zone);
  if (!byDay) {
    byDay = new Map();
    offsetsByZone.set(zone, byDay);
  }
  const day = Math.floor(ms / DAY_MS);
  let offsets = byDay.get(day);
  if (!offsets) {
    offsets = dayOffsets(zone, day);
    byDay.set(day, offsets);
  }
  return ms < offsets.switchAt ? offsets.start : offsets.end;
}

/** Milliseconds of the local wall clock, counted as if it were UTC (for calendar arithmetic). */
function wallMs(zone: string, ms: number): number {
  return ms + offsetMinutes(zone, ms) * MINUTE_MS;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function wallString(wall: number): string {
  const d = new Date(wall);
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  return `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

function offsetString(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** "2024-07-20T14:00:00Z" — the API's UTC form. */
export function utcIso(ms: number): string {
  return `${wallString(ms)}Z`;
}

/** "2024-07-20T10:00:00-04:00" — local wall time with the zone's offset at that instant. */
export function localIso(zone: string, ms: number): string {
  const offset = offsetMinutes(zone, ms);
  return `${wallString(ms + offset * MINUTE_MS)}${offsetString(offset)}`;
}

export interface DatetimeObject {
  utc: string;
  local: string;
}

export function datetimeObject(zone: string, ms: number): DatetimeObject {
  return { utc: utcIso(ms), local: localIso(zone, ms) };
}

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDateOf(zone: string, ms: number): string {
  return wallString(wallMs(zone, ms)).slice(0, 10);
}

/** Days since 1970-01-01 of the local calendar date of an instant. */
export function localDayNumber(zone: string, ms: number): number {
  return Math.floor(wallMs(zone, ms) / DAY_MS);
}

/** The instant of local midnight starting a date (YYYY-MM-DD) in a zone. */
export function localMidnight(zone: string, date: string): number {
  const dt = DateTime.fromISO(date, { zone }).startOf('day');
  if (!dt.isValid) throw new Error(`bad date ${date} or zone ${zone}`);
  return dt.toMillis();
}

/** Adds whole calendar days to a date string. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** "01:00:00", "00:15:00", "744:30:00": PostgreSQL's interval text for a number of seconds, hours unbounded. */
export function intervalText(seconds: number): string {
  const s = Math.round(seconds);
  return `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
}
