-- check: freshness
-- severity: warn
-- table: measurements
-- tests: for a recent day, the newest measurement is at most $max_staleness_hours old (config checks.maxStalenessHours).
--   A day that ended longer ago than that is skipped: its newest value cannot be younger than the day's end.
WITH day AS (
  SELECT
    max(period_end_utc) AS newest,
    -- the day ends at the next local midnight; with several zones, at the latest of them
    max(CAST(timezone(timezone, CAST(CAST($local_date AS DATE) + 1 AS TIMESTAMP)) AS TIMESTAMP)) AS day_end_utc
  FROM dev.measurements
),
ages AS (
  SELECT
    newest,
    day_end_utc,
    -- DOUBLE before dividing: in Trino a BIGINT / 3600.0 is a DECIMAL of scale 1, rounding every age to 0.1 h.
    CAST(date_diff('second', newest, CAST($now_utc AS TIMESTAMP)) AS DOUBLE) / 3600 AS age_hours,
    CAST(date_diff('second', day_end_utc, CAST($now_utc AS TIMESTAMP)) AS DOUBLE) / 3600 AS ended_hours_ago
  FROM day
)
SELECT
  CASE
    WHEN newest IS NULL THEN 'skip'
    WHEN ended_hours_ago > CAST($max_staleness_hours AS DOUBLE) THEN 'skip'
    WHEN age_hours > CAST($max_staleness_hours AS DOUBLE) THEN 'fail'
    ELSE 'pass'
  END AS status,
  round(age_hours, 1) AS observed,
  -- Numbers in the message are DECIMAL(18, 1), never DOUBLE: Trino casts a DOUBLE to VARCHAR as 8.0E1, DuckDB as 80.0.
  CASE
    WHEN newest IS NULL THEN 'no measurements on this day'
    WHEN ended_hours_ago > CAST($max_staleness_hours AS DOUBLE)
      THEN 'the day ended ' || CAST(ended_hours_ago AS DECIMAL(18, 1)) || ' h ago; freshness applies to recent days only'
    ELSE 'newest measurement ' || strftime(newest, '%Y-%m-%d %H:%M') || ' UTC is ' || CAST(age_hours AS DECIMAL(18, 1))
      || ' h old (limit ' || CAST($max_staleness_hours AS DECIMAL(18, 1)) || ' h)'
  END AS message
FROM ages
