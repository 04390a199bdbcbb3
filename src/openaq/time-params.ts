// Query parameters for OpenAQ time windows, spelled the way each endpoint reads them.
import { isIsoDate } from '../time/local-day.js';

/**
 * `datetime_from` / `datetime_to` for `/measurements` and `/hours`. The API compares them with the
 * period END: `from < end <= to`. Both are sent as UTC instants with `Z`, because a value without an
 * offset would be read in the location's local time.
 */
export function measurementWindowParams(window: { fromUtc: Date; toUtc: Date }): {
  datetime_from: string;
  datetime_to: string;
} {
  const from = window.fromUtc.getTime();
  const to = window.toUtc.getTime();
  if (Number.isNaN(from) || Number.isNaN(to)) throw new RangeError('measurement window has an invalid date');
  if (to <= from) {
    throw new RangeError(
      `measurement window is empty: ${window.fromUtc.toISOString()} .. ${window.toUtc.toISOString()}`,
    );
  }
  return { datetime_from: utcInstant(window.fromUtc), datetime_to: utcInstant(window.toUtc) };
}

/** `date_from` / `date_to` for `/days` (and its rollups): local calendar dates, both inclusive. */
export function dayRangeParams(fromDate: string, toDate: string): { date_from: string; date_to: string } {
  for (const d of [fromDate, toDate]) {
    if (!isIsoDate(d)) throw new RangeError(`expected a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
  }
  if (toDate < fromDate) throw new RangeError(`date range is reversed: ${fromDate} .. ${toDate}`);
  return { date_from: fromDate, date_to: toDate };
}

/** ISO 8601 in UTC with `Z`, without milliseconds when they are zero (2024-07-20T14:00:00Z). */
function utcInstant(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
