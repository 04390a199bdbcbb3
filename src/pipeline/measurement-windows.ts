// Which /measurements requests a sensor needs for a range of local days: as few as the data allows.
import { localDayWindowUtc } from '../time/local-day.js';

/** OpenAQ answers 408 on very wide queries; a year of hourly data is ~9 pages and known to work. */
export const MAX_WINDOW_DAYS = 366;

const LAST_SEEN_MARGIN_MS = 2 * 86_400_000;

export interface UtcWindow {
  /** Exclusive: period ends after this instant. */
  fromUtc: Date;
  /** Inclusive. */
  toUtc: Date;
}

export interface SensorActivity {
  /** First and last period end the upstream knows for the location or sensor, when it says. */
  datetimeFirstUtc?: string | null;
  datetimeLastUtc?: string | null;
}

/**
 * The period-end window covering local days `from`..`to` in `timezone`, clipped to the sensor's known
 * activity and split into chunks of at most MAX_WINDOW_DAYS. Empty when the sensor has no data in the range.
 */
export function measurementWindows(
  from: string,
  to: string,
  timezone: string,
  activity: SensorActivity = {},
): UtcWindow[] {
  let fromUtc = localDayWindowUtc(from, timezone).fromUtc;
  let toUtc = localDayWindowUtc(to, timezone).toUtc;
  if (activity.datetimeFirstUtc) {
    // The first period end is inside the window when the window starts just before it.
    const first = new Date(new Date(activity.datetimeFirstUtc).getTime() - 1000);
    if (first > fromUtc) fromUtc = first;
  }
  if (activity.datetimeLastUtc) {
    // Upstream caches metadata for minutes and late data keeps arriving: trust `datetimeLast` only with a margin.
    const last = new Date(new Date(activity.datetimeLastUtc).getTime() + LAST_SEEN_MARGIN_MS);
    if (last < toUtc) toUtc = last;
  }
  if (toUtc <= fromUtc) return [];
  const windows: UtcWindow[] = [];
  const chunkMs = MAX_WINDOW_DAYS * 86_400_000;
  for (let start = fromUtc.getTime(); start < toUtc.getTime(); start += chunkMs) {
    windows.push({ fromUtc: new Date(start), toUtc: new Date(Math.min(start + chunkMs, toUtc.getTime())) });
  }
  return windows;
}
