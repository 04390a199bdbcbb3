// The rows of prod.daily_averages as `aqlake query --format json` and a QuerySession return them, for the tests that
// compare them with OpenAQ's own daily aggregates.
export interface DailyRow {
  sensor_id: number;
  local_date: string;
  value_avg: number;
  value_min: number;
  value_max: number;
  value_median: number;
  hour_count: number;
  coverage_pct: number;
}

/** prod.daily_averages' columns in order: a contract (ARCHITECTURE §5; README, the API and the page rely on it). */
export const DAILY_AVERAGES_COLUMNS = [
  'location_id',
  'sensor_id',
  'parameter_id',
  'parameter',
  'units',
  'local_date',
  'value_avg',
  'value_min',
  'value_max',
  'value_median',
  'hour_count',
  'coverage_pct',
];
