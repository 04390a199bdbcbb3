-- check: local_date_matches_partition
-- severity: error
-- table: measurements
-- tests: every row's local_date is the partition's day, and is OpenAQ's day of the row: the local date of
--   (period_end_utc − 1 s) in the row's timezone.
SELECT
  CASE WHEN other_day + wrong_rule = 0 THEN 'pass' ELSE 'fail' END AS status,
  other_day + wrong_rule AS observed,
  CASE
    WHEN other_day + wrong_rule = 0 THEN 'every row belongs to ' || CAST($local_date AS VARCHAR)
    ELSE other_day || ' rows with another local_date (e.g. ' || coalesce(example_day, 'NULL') || '), '
      || wrong_rule || ' whose local_date is not the local date of period_end − 1 s'
  END AS message
FROM (
  SELECT
    count(*) FILTER (WHERE local_date IS DISTINCT FROM CAST($local_date AS DATE)) AS other_day,
    min(CAST(local_date AS VARCHAR)) FILTER (WHERE local_date IS DISTINCT FROM CAST($local_date AS DATE)) AS example_day,
    count(*) FILTER (
      WHERE local_date IS DISTINCT FROM
        CAST(timezone(timezone, CAST(period_end_utc - INTERVAL 1 SECOND AS TIMESTAMPTZ)) AS DATE)
    ) AS wrong_rule
  FROM dev.measurements
) AS counts
