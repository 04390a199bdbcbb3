-- prod.hourly_clean: prod.hourly without the measurements the transform marked as not real concentrations.
-- materialised: per local day — publish stores each day once (prod/hourly_clean/year=/month=/day=/data.parquet) and
-- prod.hourly_clean reads those; this SELECT is the rule that computes a day from dev.measurements (`aqlake prod rebuild`).
-- Cleaning rule: drop quality 'sentinel' (≤ −999, "no data"), 'future' (stamped after it was fetched) and
-- 'out_of_range' (outside the plausible range for the parameter and unit); keep 'ok' and small 'negative' values,
-- which are instrument drift and valid data (openaq-api-old #70).
SELECT
  location_id, sensor_id, parameter_id, parameter, units, timezone,
  hour_end_utc, hour_end_local, local_date,
  avg(value) AS value_avg,
  CAST(count(*) AS INTEGER) AS value_count
FROM prod.measurement_hours
WHERE quality NOT IN ('sentinel', 'future', 'out_of_range')
GROUP BY location_id, sensor_id, parameter_id, parameter, units, timezone, hour_end_utc, hour_end_local, local_date
