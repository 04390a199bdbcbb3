-- check: unique_sensor_period
-- severity: error
-- table: measurements
-- tests: no two rows share (sensor_id, period_end_utc): the transform keeps only the newest fetch of a measurement.
SELECT
  CASE WHEN duplicate_keys = 0 THEN 'pass' ELSE 'fail' END AS status,
  duplicate_keys AS observed,
  CASE
    WHEN duplicate_keys = 0 THEN 'every (sensor_id, period_end_utc) is unique'
    ELSE duplicate_keys || ' duplicate keys, e.g. sensor ' || example_sensor || ' at ' || example_end || ' UTC ('
      || example_copies || ' rows)'
  END AS message
FROM (
  SELECT
    count(*) AS duplicate_keys,
    arg_min(sensor_id, sensor_id) AS example_sensor,
    strftime(arg_min(period_end_utc, sensor_id), '%Y-%m-%d %H:%M:%S') AS example_end,
    arg_min(copies, sensor_id) AS example_copies
  FROM (
    SELECT sensor_id, period_end_utc, count(*) AS copies
    FROM dev.measurements
    GROUP BY sensor_id, period_end_utc
    HAVING count(*) > 1
  ) AS duplicates
) AS counts
