-- check: reconciliation
-- severity: error
-- table: measurements
-- tests: nothing is lost between raw and dev: the raw records of the day = rows in the partition's files
--   + rows sent to quarantine + duplicates dropped (the counts come from the transform, recorded with the version).
SELECT
  CASE
    WHEN CAST($raw_rows AS BIGINT) IS NULL THEN 'skip'
    WHEN CAST($raw_rows AS BIGINT) = dev_rows + CAST($quarantined_rows AS BIGINT) + CAST($duplicates_dropped AS BIGINT)
      THEN 'pass'
    ELSE 'fail'
  END AS status,
  CAST($raw_rows AS BIGINT) - dev_rows - CAST($quarantined_rows AS BIGINT) - CAST($duplicates_dropped AS BIGINT)
    AS observed,
  CASE
    WHEN CAST($raw_rows AS BIGINT) IS NULL THEN 'the version records no raw row count'
    ELSE 'raw ' || CAST($raw_rows AS BIGINT)
      || CASE
           WHEN CAST($raw_rows AS BIGINT) = dev_rows + CAST($quarantined_rows AS BIGINT) + CAST($duplicates_dropped AS BIGINT)
             THEN ' = '
           ELSE ' ≠ '
         END
      || 'dev ' || dev_rows || ' + quarantined ' || CAST($quarantined_rows AS BIGINT)
      || ' + duplicates dropped ' || CAST($duplicates_dropped AS BIGINT)
  END AS message
FROM (SELECT count(*) AS dev_rows FROM dev.measurements) AS counts
