-- check: value_in_range
-- severity: warn
-- table: measurements
-- tests: values lie in the plausible range of their parameter and unit, as sql/dev/quality-rules.json (the transform's
--   spec, shared with the Glue job) declares it; sentinels (≤ sentinelMax) are "no data" and not counted here.
WITH ranges AS (
  SELECT r.parameter, r.units, r.min AS min_value, r.max AS max_value
  FROM (
    SELECT unnest(ranges) AS r
    FROM read_json(
      $quality_rules_path,
      columns = {ranges: 'STRUCT(parameter VARCHAR, units VARCHAR, min DOUBLE, max DOUBLE)[]'}
    )
  ) AS spec
),
settings AS (
  SELECT sentinelMax AS sentinel_max FROM read_json($quality_rules_path, columns = {sentinelMax: 'DOUBLE'})
),
outside AS (
  SELECT m.sensor_id, m.parameter, m.units, m.value
  FROM dev.measurements AS m
  JOIN ranges AS r ON r.parameter = m.parameter AND r.units = m.units
  CROSS JOIN settings AS s
  WHERE m.value > s.sentinel_max AND (m.value < r.min_value OR m.value > r.max_value)
)
SELECT
  CASE WHEN n = 0 THEN 'pass' ELSE 'fail' END AS status,
  n AS observed,
  CASE
    WHEN n = 0 THEN 'every value is within its parameter''s range'
    ELSE n || ' values outside their parameter''s range (' || negatives || ' negative), e.g. ' || example
  END AS message
FROM (
  SELECT
    count(*) AS n,
    count(*) FILTER (WHERE value < 0) AS negatives,
    -- The row with the largest |value|, ties broken so that every engine names the same one (arg_max picks any of
    -- them); the value as DECIMAL(38, 1), not DOUBLE: Trino casts a DOUBLE to VARCHAR as 2.0E3, DuckDB as 2000.0.
    (
      SELECT parameter || ' ' || CAST(value AS DECIMAL(38, 1)) || ' ' || units || ' on sensor ' || sensor_id
      FROM outside
      ORDER BY abs(value) DESC, sensor_id, parameter, units, value
      LIMIT 1
    ) AS example
  FROM outside
) AS counts
