// Which source a local day's measurements come from: the OpenAQ archive once its export lag has passed, else the API.

/** Whole days from `localDate` to `today` (both YYYY-MM-DD). */
export function ageInDays(localDate: string, today: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${localDate}T00:00:00Z`)) / 86_400_000);
}

/**
 * Whether the archive should hold local day `localDate` by `today` (the location's local date): files are written
 * about 72 h after the day ends and a 4-day lag was observed, so a day is settled when it is older than `lagDays`.
 */
export function isPastArchiveLag(localDate: string, today: string, lagDays: number): boolean {
  return ageInDays(localDate, today) > lagDays;
}
