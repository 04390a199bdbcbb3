-- prod.latest: the newest measurement of each sensor.
-- A row stamped in the future (quality 'future', a source clock bug) is never taken as the latest, or it would stay
-- "latest" until real time caught up with it. Sentinels are not skipped: the quality column says what the value is.
SELECT
  location_id, sensor_id, parameter_id, parameter, units, value, quality, has_flags,
  period_start_utc, period_end_utc,
  timezone(timezone, CAST(period_end_utc AS TIMESTAMPTZ)) AS period_end_local,
  timezone, local_date, latitude, longitude, source, ingested_at
FROM (
  SELECT
    m.*,
    row_number() OVER (PARTITION BY m.sensor_id ORDER BY m.period_end_utc DESC, m.ingested_at DESC) AS newest_first
  FROM dev.measurements AS m
  WHERE m.quality <> 'future'
) AS ranked
WHERE newest_first = 1
