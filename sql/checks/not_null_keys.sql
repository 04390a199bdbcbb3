-- check: not_null_keys
-- severity: error
-- table: measurements
-- tests: every row has the columns the lake and the prod views key on: sensor_id, period_end_utc, local_date, value.
SELECT
  CASE WHEN missing = 0 THEN 'pass' ELSE 'fail' END AS status,
  missing AS observed,
  CASE
    WHEN missing = 0 THEN 'no row lacks a key'
    ELSE missing || ' rows lack a key (sensor_id: ' || no_sensor || ', period_end_utc: ' || no_end
      || ', local_date: ' || no_date || ', value: ' || no_value || ')'
  END AS message
FROM (
  SELECT
    count(*) FILTER (WHERE sensor_id IS NULL OR period_end_utc IS NULL OR local_date IS NULL OR value IS NULL) AS missing,
    count(*) FILTER (WHERE sensor_id IS NULL) AS no_sensor,
    count(*) FILTER (WHERE period_end_utc IS NULL) AS no_end,
    count(*) FILTER (WHERE local_date IS NULL) AS no_date,
    count(*) FILTER (WHERE value IS NULL) AS no_value
  FROM dev.measurements
) AS counts
