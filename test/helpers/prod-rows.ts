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
