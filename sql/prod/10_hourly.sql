-- prod.hourly: the mean of each sensor's measurements per clock hour (step 1 of OpenAQ's rollup, ARCHITECTURE §5).
-- materialised: per local day — publish stores each day once (prod/hourly/year=/month=/day=/data.parquet) and
-- prod.hourly reads those; this SELECT is the rule that computes a day from dev.measurements (`aqlake prod rebuild`).
-- All values count, negatives and −999 sentinels included, as OpenAQ's own /hours does; prod.hourly_clean drops them.
-- hour_end_local is the local wall-clock end of the hour (naive); it repeats once a year when clocks go back, so
-- hour_end_utc (naive UTC) is the key.
SELECT
  location_id, sensor_id, parameter_id, parameter, units, timezone,
  hour_end_utc, hour_end_local, local_date,
  avg(value) AS value_avg,
  CAST(count(*) AS INTEGER) AS value_count
FROM prod.measurement_hours
GROUP BY location_id, sensor_id, parameter_id, parameter, units, timezone, hour_end_utc, hour_end_local, local_date
