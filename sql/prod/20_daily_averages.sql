-- prod.daily_averages: OpenAQ-compatible daily summaries (step 2 of the rollup, ARCHITECTURE §5); equals /v3/sensors/{id}/days.
-- materialised: per local day — publish stores each day once (prod/daily_averages/year=/month=/day=/data.parquet) and
-- prod.daily_averages reads those; this SELECT is the rule that computes a day from dev.measurements (`aqlake prod rebuild`).
-- A day is the local date of (hour_end − 1 s); every statistic is over the hourly means, not the raw measurements.
-- median = linear interpolation (PostgreSQL percentile_cont, which OpenAQ uses); coverage_pct = 100 · hours / 24, so a
-- 25-hour DST day with every hour present reads 104.2, as OpenAQ's expectedCount is always 24.
-- Negatives and sentinels are included, exactly as OpenAQ includes them; prod.daily_averages_clean drops them.
-- Dialect: quantile_cont is DuckDB; Athena has no exact percentile (approx_percentile is approximate), so the port
-- computes the median from the ordered hourly values (element_at(array_sort(array_agg(v)), …) with interpolation).
SELECT
  location_id, sensor_id, parameter_id, parameter, units, local_date,
  avg(value_avg) AS value_avg,
  min(value_avg) AS value_min,
  max(value_avg) AS value_max,
  quantile_cont(value_avg, 0.5) AS value_median,
  CAST(count(*) AS INTEGER) AS hour_count,
  CAST(count(*) AS DOUBLE) * 100 / 24 AS coverage_pct
FROM prod.hourly
GROUP BY location_id, sensor_id, parameter_id, parameter, units, local_date
