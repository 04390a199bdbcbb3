-- raw /v3/sensors/{id}/measurements objects → dev.measurements (ARCHITECTURE §4), for local days $from_date..$to_date.
-- Run in order on one connection (temp tables). Leaves are read as JSON so that one badly typed record is
-- quarantined with a reason instead of failing the whole read. The session TimeZone is UTC: naive TIMESTAMP = UTC.

-- name: create_raw_files
-- One row per raw object, with the request context the records lack (sensor, location, fetch time, window).
-- object_reason is set for an object that yields no record at all (unreadable JSON, or invalid and empty).
CREATE TEMP TABLE raw_files AS
SELECT unnest(from_json($files::JSON, '[{"file_id": "INTEGER", "path": "VARCHAR", "raw_key": "VARCHAR", "sensor_id": "BIGINT",
  "location_id": "BIGINT", "fetched_at": "TIMESTAMP", "window_from_utc": "TIMESTAMP", "window_to_utc": "TIMESTAMP",
  "object_reason": "VARCHAR"}]'), recursive := true);

-- name: create_location_versions
CREATE TEMP TABLE location_versions AS
SELECT location_id, timezone, latitude, longitude, valid_from,
  timezone IN (SELECT name FROM pg_timezone_names()) AS timezone_known
FROM read_parquet($location_files, hive_partitioning = false);

-- name: create_empty_location_versions
CREATE TEMP TABLE location_versions (
  location_id BIGINT, timezone VARCHAR, latitude DOUBLE, longitude DOUBLE, valid_from TIMESTAMP, timezone_known BOOLEAN
);

-- name: create_location_rule
-- The location snapshot that applies to an object: the newest version valid when it was fetched, or, for an object
-- fetched before any snapshot, the earliest. Deterministic, so a re-run gives the same rows. A table macro over any
-- table of objects (path, location_id, fetched_at): the API's raw_files here and the archive's archive_files
-- (dev/archive_measurements.sql) take their context by this one rule.
CREATE OR REPLACE TEMP MACRO object_locations(objects) AS TABLE
WITH candidates AS (
  SELECT f.path, l.timezone, l.latitude, l.longitude, l.timezone_known,
    CASE WHEN l.valid_from <= f.fetched_at THEN epoch(f.fetched_at) - epoch(l.valid_from)
         ELSE 1e12 + epoch(l.valid_from) END AS distance
  FROM query_table(objects) f JOIN location_versions l ON l.location_id = f.location_id
), chosen AS (
  SELECT path, arg_min({'timezone': timezone, 'latitude': latitude, 'longitude': longitude,
                        'timezone_known': timezone_known}, distance) AS loc
  FROM candidates GROUP BY path
)
SELECT f.*, c.loc.timezone AS timezone, c.loc.latitude AS location_latitude,
  c.loc.longitude AS location_longitude, coalesce(c.loc.timezone_known, false) AS timezone_known
FROM query_table(objects) f LEFT JOIN chosen c ON c.path = f.path;

-- name: create_file_context
-- zone_no numbers the known zones, so that a record finds its local day by a join on two integers.
CREATE TEMP TABLE file_context AS
SELECT *, CASE WHEN timezone_known THEN dense_rank() OVER (PARTITION BY timezone_known ORDER BY timezone) END
  AS zone_no
FROM object_locations(raw_files);

-- name: create_local_days
-- The local date of every 15-minute UTC bucket of the span, per zone in use, for the days of the range. Every zone's
-- UTC offset has been a multiple of 15 minutes since 1972, so offset changes and local midnights fall on 15-minute
-- boundaries and the local date of (period end - 1 s) is its bucket's: one ICU conversion per bucket, not per row.
CREATE TEMP TABLE local_days AS
WITH zones AS (
  SELECT DISTINCT zone_no, timezone FROM file_context WHERE timezone_known
), buckets AS (
  SELECT unnest(range(epoch_ms($span_from_utc::TIMESTAMP) // 900000, epoch_ms($span_to_utc::TIMESTAMP) // 900000 + 1))
    AS bucket
), days AS (
  SELECT z.zone_no, b.bucket,
    CAST(timezone(z.timezone, make_timestamp(b.bucket * 900000000)::TIMESTAMPTZ) AS DATE) AS local_date
  FROM zones z CROSS JOIN buckets b
)
SELECT * FROM days WHERE local_date BETWEEN $from_date::DATE AND $to_date::DATE;

-- name: create_rows
-- Every raw record of the range (typed or not), with its quarantine reason (NULL = typed) and the day it counts for.
-- An API record names its object by file_id and leaves what its object has for all its records NULL (raw_key,
-- timezone, location_id, fetched_at; source NULL = 'api'): file_context has them, and this table, which holds every
-- record of a backfill (and spills beyond duckdb.memoryLimit), stays narrow. An archive row has no file_id.
CREATE TEMP TABLE rows (
  file_id INTEGER, raw_key VARCHAR, record_index BIGINT, sensor_id BIGINT, location_id BIGINT, fetched_at TIMESTAMP,
  parameter_id INTEGER, parameter VARCHAR, units VARCHAR, value DOUBLE, value_raw VARCHAR,
  period_start_utc TIMESTAMP, period_end_utc TIMESTAMP, period_end_raw VARCHAR, timezone VARCHAR,
  local_date DATE, interval_seconds INTEGER, latitude DOUBLE, longitude DOUBLE, has_flags BOOLEAN,
  reason VARCHAR, partition_date DATE,
  -- NULL ('api') here; sql/dev/archive_measurements.sql inserts the archive's rows with 'archive'.
  source VARCHAR
);

-- name: insert_records
-- The records of API objects, as the statement spliced in for the records placeholder reads them (typed_records or json_records below: two readings of one
-- format into one column list), with the reason a record is quarantined and the day it counts for. One set of rules
-- for both readings: reason, local day, interval, coordinates, partition date, raw text of a quarantined value.
INSERT INTO rows BY NAME
WITH typed AS (
  SELECT c.file_id, x.*, c.sensor_id, c.location_id, c.fetched_at, c.window_to_utc, c.timezone, c.timezone_known,
    c.zone_no, c.location_latitude, c.location_longitude
  FROM ({{records}}) x JOIN file_context c ON c.path = x.path
), classified AS (
  SELECT *,
    CASE
      WHEN location_id IS NULL THEN 'no location id for the sensor in the raw manifest'
      WHEN timezone IS NULL THEN 'unknown location: no snapshot of the location in dev.locations'
      WHEN NOT timezone_known THEN 'unknown location timezone: ' || timezone
      WHEN period_end_utc IS NULL THEN 'unparseable period end (period.datetimeTo.utc)'
      WHEN period_start_utc IS NULL THEN 'unparseable period start (period.datetimeFrom.utc)'
      WHEN value_missing THEN 'value is null'
      WHEN value IS NULL THEN 'value is not a number'
      WHEN parameter_id IS NULL THEN 'missing or non-integer parameter.id'
    END AS reason,
    -- OpenAQ's day rule: the local date of (period end - 1 s) in the location's zone (NULL: not a day of the range).
    d.local_date,
    timezone_known AND period_end_utc IS NOT NULL AS has_local_date
  FROM typed
  LEFT JOIN local_days d
    ON d.zone_no = typed.zone_no AND d.bucket = (epoch_ms(typed.period_end_utc) - 1000) // 900000
)
SELECT file_id, record_index, sensor_id, parameter_id, parameter, units, value,
  -- the raw JSON text of a quarantined record's value and period end (JSON leaves come minified either way)
  CASE WHEN reason IS NOT NULL THEN CAST(to_json(value_source) AS VARCHAR) END AS value_raw,
  period_start_utc, period_end_utc,
  CASE WHEN reason IS NOT NULL THEN CAST(to_json(period_end_source) AS VARCHAR) END AS period_end_raw,
  local_date,
  coalesce(interval_raw, CAST(epoch(period_end_utc) - epoch(period_start_utc) AS INTEGER)) AS interval_seconds,
  CASE WHEN record_latitude IS NOT NULL AND record_longitude IS NOT NULL THEN record_latitude ELSE location_latitude END
    AS latitude,
  CASE WHEN record_latitude IS NOT NULL AND record_longitude IS NOT NULL THEN record_longitude ELSE location_longitude END
    AS longitude,
  has_flags, reason,
  -- A row without a local date still counts for one day, by a rule that does not depend on the range transformed.
  CASE WHEN has_local_date THEN local_date
       ELSE CAST(coalesce(period_end_utc, least(window_to_utc, fetched_at), fetched_at) - INTERVAL 1 SECOND AS DATE)
  END AS partition_date
FROM classified
WHERE partition_date BETWEEN $from_date::DATE AND $to_date::DATE;

-- name: typed_records
-- The records of objects that passed the extract's validation (numbers are numbers, instants are ISO strings with an
-- offset), read typed in bulk like a bare COPY. A record that still does not fit these types fails the read, and the
-- caller reads every object by json_records instead. Columns: those of json_records.
-- A page as the API sends it is one line of compact JSON, which DuckDB reads as newline-delimited JSON in half the
-- time it takes over a document of unknown layout; a page laid out on several lines fails this read, and the caller
-- reads again with format 'auto'.
SELECT x.path, x.record_index,
  x.r.value AS value, x.r.value AS value_source, x.r.value IS NULL AS value_missing,
  x.r.parameter.id AS parameter_id, x.r.parameter.name AS parameter, x.r.parameter.units AS units,
  -- An instant in UTC ('…Z' or '…+00:00', as OpenAQ writes .utc) parses straight to the naive UTC TIMESTAMP; any
  -- other offset goes through TIMESTAMPTZ (the per-row ICU conversion that would otherwise cost most of this read).
  CASE WHEN suffix(x.r.period.datetimeFrom.utc, 'Z') OR suffix(x.r.period.datetimeFrom.utc, '+00:00')
    THEN TRY_CAST(x.r.period.datetimeFrom.utc AS TIMESTAMP)
    ELSE TRY_CAST(x.r.period.datetimeFrom.utc AS TIMESTAMPTZ)::TIMESTAMP END AS period_start_utc,
  CASE WHEN suffix(x.r.period.datetimeTo.utc, 'Z') OR suffix(x.r.period.datetimeTo.utc, '+00:00')
    THEN TRY_CAST(x.r.period.datetimeTo.utc AS TIMESTAMP)
    ELSE TRY_CAST(x.r.period.datetimeTo.utc AS TIMESTAMPTZ)::TIMESTAMP END AS period_end_utc,
  x.r.period.datetimeTo.utc AS period_end_source,
  CASE x.r.period."interval" WHEN '01:00:00' THEN 3600
    ELSE TRY_CAST(epoch(TRY_CAST(x.r.period."interval" AS INTERVAL)) AS INTEGER) END AS interval_raw,
  x.r.coordinates.latitude AS record_latitude, x.r.coordinates.longitude AS record_longitude,
  x.r.flagInfo.hasFlags AS has_flags
FROM (
  SELECT filename AS path, unnest(results) AS r, generate_subscripts(results, 1) AS record_index
  FROM read_json($paths, filename = true, format = 'newline_delimited', columns = {
    meta: 'JSON',
    results: 'STRUCT(value DOUBLE, flagInfo STRUCT(hasFlags BOOLEAN), parameter STRUCT(id INTEGER, name VARCHAR,
      units VARCHAR), period STRUCT("interval" VARCHAR, datetimeFrom STRUCT(utc VARCHAR), datetimeTo STRUCT(utc VARCHAR)),
      coordinates STRUCT(latitude DOUBLE, longitude DOUBLE))[]'
  })
) x

-- name: json_records
-- The records of any object, every leaf read as JSON and typed here, so that one badly typed record is quarantined
-- with a reason instead of failing the whole read. value_source and period_end_source: the JSON as received.
SELECT x.path, x.record_index,
  CASE WHEN json_type(x.r.value) IN ('DOUBLE', 'BIGINT', 'UBIGINT') THEN TRY_CAST(x.r.value AS DOUBLE) END AS value,
  x.r.value AS value_source,
  x.r.value IS NULL OR json_type(x.r.value) = 'NULL' AS value_missing,
  CASE WHEN json_type(x.r.parameter.id) IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(x.r.parameter.id AS INTEGER) END
    AS parameter_id,
  CASE WHEN json_type(x.r.parameter.name) = 'VARCHAR' THEN x.r.parameter.name ->> '$' END AS parameter,
  CASE WHEN json_type(x.r.parameter.units) = 'VARCHAR' THEN x.r.parameter.units ->> '$' END AS units,
  CASE WHEN json_type(x.r.period.datetimeFrom.utc) = 'VARCHAR'
    THEN TRY_CAST(x.r.period.datetimeFrom.utc ->> '$' AS TIMESTAMPTZ)::TIMESTAMP END AS period_start_utc,
  CASE WHEN json_type(x.r.period.datetimeTo.utc) = 'VARCHAR'
    THEN TRY_CAST(x.r.period.datetimeTo.utc ->> '$' AS TIMESTAMPTZ)::TIMESTAMP END AS period_end_utc,
  x.r.period.datetimeTo.utc AS period_end_source,
  CASE WHEN json_type(x.r.period."interval") = 'VARCHAR'
    THEN TRY_CAST(epoch(TRY_CAST(x.r.period."interval" ->> '$' AS INTERVAL)) AS INTEGER) END AS interval_raw,
  -- a record's own coordinates only when both are numbers
  CASE WHEN json_type(x.r.coordinates.latitude) IN ('DOUBLE', 'BIGINT', 'UBIGINT')
    AND json_type(x.r.coordinates.longitude) IN ('DOUBLE', 'BIGINT', 'UBIGINT')
    THEN TRY_CAST(x.r.coordinates.latitude AS DOUBLE) END AS record_latitude,
  CASE WHEN json_type(x.r.coordinates.latitude) IN ('DOUBLE', 'BIGINT', 'UBIGINT')
    AND json_type(x.r.coordinates.longitude) IN ('DOUBLE', 'BIGINT', 'UBIGINT')
    THEN TRY_CAST(x.r.coordinates.longitude AS DOUBLE) END AS record_longitude,
  CASE WHEN json_type(x.r.flagInfo.hasFlags) = 'BOOLEAN' THEN TRY_CAST(x.r.flagInfo.hasFlags AS BOOLEAN) END AS has_flags
FROM (
  SELECT filename AS path, unnest(results) AS r, generate_subscripts(results, 1) AS record_index
  FROM read_json($paths, filename = true, columns = {
    meta: 'JSON',
    results: 'STRUCT(value JSON, flagInfo STRUCT(hasFlags JSON), parameter STRUCT(id JSON, name JSON, units JSON),
      period STRUCT("interval" JSON, datetimeFrom STRUCT(utc JSON), datetimeTo STRUCT(utc JSON)),
      coordinates STRUCT(latitude JSON, longitude JSON))[]'
  })
) x

-- name: insert_object_rows
-- One quarantine row for each object that yields no record, so that it is visible and counted.
INSERT INTO rows BY NAME
SELECT raw_key, sensor_id, location_id, fetched_at, timezone, object_reason AS reason,
  CAST(coalesce(least(window_to_utc, fetched_at), fetched_at) - INTERVAL 1 SECOND AS DATE) AS partition_date
FROM file_context
WHERE object_reason IS NOT NULL
  AND CAST(coalesce(least(window_to_utc, fetched_at), fetched_at) - INTERVAL 1 SECOND AS DATE)
      BETWEEN $from_date::DATE AND $to_date::DATE;

-- name: create_losers
-- The rows the dedup drops (insert_losers). A row is named by (file_id, raw_key, record_index), either of the first two
-- NULL (see create_rows).
CREATE TEMP TABLE losers (file_id INTEGER, raw_key VARCHAR, record_index BIGINT, partition_date DATE);

-- name: insert_losers
-- Dedup on (sensor_id, period_end_utc): the newest fetch wins (then raw_key, then position in the object). Counting
-- keys is a GROUP BY with fixed-size state, which spills; only keys seen more than once are then ranked, and their
-- losers listed. (arg_max over whole rows keeps string-laden states that do not spill: out of memory at ~1M rows.)
-- Across sources too: where the API and the archive both hold a (sensor, period end), the newer fetch wins — both are
-- views of OpenAQ's one measurements table (unique per sensor and datetime), and the later look has the later state.
-- Run once per share of the sensors ($part of $parts, by hash): a key's rows all have its sensor, so each pass is
-- exact, and its hash table holds only its share of the keys.
INSERT INTO losers
WITH repeated AS (
  SELECT sensor_id, period_end_utc FROM rows
  WHERE reason IS NULL AND hash(sensor_id) % $parts::UBIGINT = $part::UBIGINT
  GROUP BY ALL HAVING count(*) > 1
)
SELECT r.file_id, r.raw_key, r.record_index, r.partition_date
FROM rows r JOIN repeated d ON d.sensor_id = r.sensor_id AND d.period_end_utc = r.period_end_utc
LEFT JOIN file_context f ON f.file_id = r.file_id
WHERE r.reason IS NULL
QUALIFY row_number() OVER (PARTITION BY r.sensor_id, r.period_end_utc
                           ORDER BY coalesce(r.fetched_at, f.fetched_at) DESC, coalesce(r.raw_key, f.raw_key) DESC,
                             r.record_index DESC) > 1;

-- name: create_quality_rules
CREATE TEMP TABLE quality_settings AS
SELECT sentinelMax AS sentinel_max, futureToleranceSeconds AS future_tolerance_seconds
FROM read_json($rules_path, columns = {sentinelMax: 'DOUBLE', futureToleranceSeconds: 'INTEGER'});

-- name: create_quality_ranges
CREATE TEMP TABLE quality_ranges AS
SELECT r.parameter, r.units, r.min AS min_value, r.max AS max_value
FROM (SELECT unnest(ranges) AS r
      FROM read_json($rules_path, columns = {ranges: 'STRUCT(parameter VARCHAR, units VARCHAR, min DOUBLE, max DOUBLE)[]'}));

-- name: copy_measurements
-- dev.measurements, columns exactly as ARCHITECTURE §4; one Snappy Parquet file per local day, for the days
-- $copy_from..$copy_to (a writer holds each open day in memory until the end: a long range is written a few days at a
-- time, each COPY reading only its days' rows).
COPY (
  SELECT coalesce(r.location_id, f.location_id) AS location_id, r.sensor_id, r.parameter_id, r.parameter, r.units,
    r.value, r.period_start_utc, r.period_end_utc, coalesce(r.timezone, f.timezone) AS timezone, r.local_date, r.interval_seconds, r.latitude,
    r.longitude, r.has_flags,
    CASE
      WHEN r.value <= s.sentinel_max THEN 'sentinel'
      WHEN r.value < 0 AND coalesce(q.min_value, 0) >= 0 THEN 'negative'
      WHEN r.value < q.min_value OR r.value > q.max_value THEN 'out_of_range'
      WHEN r.period_end_utc > coalesce(r.fetched_at, f.fetched_at) + to_seconds(s.future_tolerance_seconds) THEN 'future'
      ELSE 'ok'
    END AS quality,
    coalesce(r.source, 'api') AS source, coalesce(r.raw_key, f.raw_key) AS raw_key,
    coalesce(r.fetched_at, f.fetched_at) AS ingested_at, r.partition_date
  -- An ANTI JOIN on the (few) losers is one hash probe per row; NOT EXISTS planned a delim join over every raw key.
  -- No ORDER BY: sorting every row cost as much as reading them, and a day is one row group (< 122,880 rows) anyway.
  FROM rows r
  ANTI JOIN losers l ON l.file_id IS NOT DISTINCT FROM r.file_id AND l.raw_key IS NOT DISTINCT FROM r.raw_key
    AND l.record_index = r.record_index
  LEFT JOIN file_context f ON f.file_id = r.file_id
  CROSS JOIN quality_settings s
  LEFT JOIN quality_ranges q ON q.parameter = r.parameter AND q.units = r.units
  WHERE r.reason IS NULL AND r.partition_date BETWEEN $copy_from::DATE AND $copy_to::DATE
) TO {{target}} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (partition_date), FILENAME_PATTERN 'part-{uuid}',
                 RETURN_FILES true);

-- name: copy_quarantine
-- dev._quarantine.measurements for the days $copy_from..$copy_to, as copy_measurements.
COPY (
  SELECT coalesce(r.raw_key, f.raw_key) AS raw_key, r.record_index, r.reason, r.sensor_id,
    coalesce(r.location_id, f.location_id) AS location_id, r.parameter_id, r.parameter, r.units, r.value, r.value_raw,
    r.period_start_utc, r.period_end_utc, r.period_end_raw, coalesce(r.timezone, f.timezone) AS timezone,
    r.local_date, coalesce(r.fetched_at, f.fetched_at) AS ingested_at, r.partition_date
  FROM rows r LEFT JOIN file_context f ON f.file_id = r.file_id
  WHERE r.reason IS NOT NULL AND r.partition_date BETWEEN $copy_from::DATE AND $copy_to::DATE
  ORDER BY partition_date, raw_key, record_index
) TO {{target}} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (partition_date), FILENAME_PATTERN 'part-{uuid}',
                 RETURN_FILES true);

-- name: day_counts
-- Per day: raw rows, quarantined, duplicates dropped, and the period-end range (of kept and dropped alike: same keys).
-- The rows written are counted from the files themselves, so a lost row breaks the reconciliation.
WITH raw AS (
  SELECT partition_date, count(*) AS raw_rows, count(reason) AS quarantined_rows,
    min(period_end_utc) FILTER (WHERE reason IS NULL) AS min_end, max(period_end_utc) FILTER (WHERE reason IS NULL) AS max_end
  FROM rows GROUP BY ALL
), dropped AS (
  SELECT partition_date, count(*) AS duplicates_dropped FROM losers GROUP BY ALL
)
SELECT strftime(raw.partition_date, '%Y-%m-%d') AS local_date, raw_rows, quarantined_rows,
  coalesce(duplicates_dropped, 0) AS duplicates_dropped,
  strftime(min_end, '%Y-%m-%dT%H:%M:%SZ') AS min_period_end_utc,
  strftime(max_end, '%Y-%m-%dT%H:%M:%SZ') AS max_period_end_utc
FROM raw LEFT JOIN dropped USING (partition_date);

-- name: file_rows
SELECT file_name AS path, num_rows AS rows, file_size_bytes AS bytes FROM parquet_file_metadata($paths);

-- name: probe_object
-- How many records one object yields, read exactly as json_records (spliced in) reads it.
SELECT count(*) AS records FROM ({{records}})
