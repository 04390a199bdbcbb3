-- prod.measurement_hours: every dev measurement with the clock hour it belongs to — the one place the hour rule lives.
--
-- Rule (openaq-db hourly rollup, ARCHITECTURE §5): a measurement belongs to the hour ending at
--   date_trunc('hour', local(period_end + 1 h − 1 s)), truncated in the location's own zone,
-- so a +05:30 zone gets hours ending at :00 local time, and a 15-minute value ending 14:15 belongs to the hour ending 15:00.
-- The hour is kept as a UTC instant (hour_end_utc): when clocks go back, two different hours share the same local clock
-- time (01:00 twice in New York on 2024-11-03), and grouping by the local time would merge them.
-- hour_end_utc = probe − (minutes and seconds of the probe on the local clock), with probe = period_end + 1 h − 1 s.
--
-- Dialect: DuckDB. Athena/Trino port: timezone(tz, ts::TIMESTAMPTZ) → at_timezone(with_timezone(ts, 'UTC'), tz) and
-- drop the zone with CAST(… AS TIMESTAMP); INTERVAL 1 HOUR → INTERVAL '1' HOUR; TIMESTAMP − TIMESTAMP → date_diff.
WITH probed AS (
  SELECT
    m.*,
    m.period_end_utc + INTERVAL 1 HOUR - INTERVAL 1 SECOND AS probe_utc
  FROM dev.measurements AS m
),
localised AS (
  SELECT p.*, timezone(p.timezone, CAST(p.probe_utc AS TIMESTAMPTZ)) AS probe_local
  FROM probed AS p
),
hours AS (
  SELECT l.*, l.probe_utc - (l.probe_local - date_trunc('hour', l.probe_local)) AS hour_end_utc
  FROM localised AS l
)
SELECT
  location_id, sensor_id, parameter_id, parameter, units, timezone, value, quality,
  period_end_utc,
  hour_end_utc,
  timezone(timezone, CAST(hour_end_utc AS TIMESTAMPTZ)) AS hour_end_local,
  -- OpenAQ's day rule applied to the hour: the local date of (hour_end − 1 s)
  CAST(timezone(timezone, CAST(hour_end_utc - INTERVAL 1 SECOND AS TIMESTAMPTZ)) AS DATE) AS local_date
FROM hours
