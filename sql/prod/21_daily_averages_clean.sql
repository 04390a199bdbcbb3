-- prod.daily_averages_clean: daily summaries fit for health comparisons (AQI, WHO guidelines).
-- materialised: per local day — publish stores each day once (prod/daily_averages_clean/year=/month=/day=/data.parquet) and
-- prod.daily_averages_clean reads those; this SELECT is the rule that computes a day from dev.measurements (`aqlake prod rebuild`).
-- Rule: computed like prod.daily_averages, but from prod.hourly_clean (sentinels, future-stamped and out-of-range
-- measurements dropped; small negatives kept), and only days with coverage ≥ 75 %, i.e. at least 18 of 24 hours with a
-- clean hourly value — the usual completeness rule for a valid 24-hour mean.
SELECT
  location_id, sensor_id, parameter_id, parameter, units, local_date,
  avg(value_avg) AS value_avg,
  min(value_avg) AS value_min,
  max(value_avg) AS value_max,
  quantile_cont(value_avg, 0.5) AS value_median,
  CAST(count(*) AS INTEGER) AS hour_count,
  CAST(count(*) AS DOUBLE) * 100 / 24 AS coverage_pct
FROM prod.hourly_clean
GROUP BY location_id, sensor_id, parameter_id, parameter, units, local_date
HAVING count(*) * 100 >= 75 * 24
