-- check: coverage
-- severity: warn
-- table: measurements
-- tests: each sensor reports at least $min_coverage_pct % of the day's 24 hours (config checks.minCoveragePct), counted
--   as prod.daily_averages counts them (hours with at least one measurement).
SELECT
  CASE WHEN sensors = 0 THEN 'skip' WHEN low = 0 THEN 'pass' ELSE 'fail' END AS status,
  low AS observed,
  -- Numbers in the message are DECIMAL(18, 1), never DOUBLE: Trino casts a DOUBLE to VARCHAR as 5.0E1, DuckDB as 50.0.
  CASE
    WHEN sensors = 0 THEN 'no measurements on this day'
    WHEN low = 0 THEN 'all ' || sensors || ' sensors cover at least ' || CAST($min_coverage_pct AS DECIMAL(18, 1)) || ' % of the day'
    ELSE low || ' of ' || sensors || ' sensors below ' || CAST($min_coverage_pct AS DECIMAL(18, 1)) || ' % of 24 hours (lowest: sensor '
      || lowest_sensor || ', ' || lowest_hours || ' hours)'
  END AS message
FROM (
  SELECT
    count(*) AS sensors,
    count(*) FILTER (WHERE coverage_pct < CAST($min_coverage_pct AS DOUBLE)) AS low,
    arg_min(sensor_id, hour_count) AS lowest_sensor,
    min(hour_count) AS lowest_hours
  FROM prod.daily_averages
  WHERE local_date = CAST($local_date AS DATE)
) AS counts
