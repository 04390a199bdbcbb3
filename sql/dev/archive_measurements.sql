-- raw OpenAQ archive objects (one .csv.gz per location and local day) → the same rows as the API flattening in
-- dev/measurements.sql, inserted into its temp table `rows` (source = 'archive'), so dedup, quality flags, quarantine
-- and the partition write treat both sources as one. Runs on the connection of dev/measurements.sql, after its
-- create_location_versions and create_rows (which it reads and fills) and before create_kept.
--
-- The file format (openaq-archive.md): pandas QUOTE_NONNUMERIC with CRLF, so lat, lon and value arrive quoted; columns
-- location_id, sensors_id, location, datetime, lat, lon, parameter, units, value; `datetime` is the LOCAL period END
-- with its UTC offset. Every field is read as text and typed here, so a bad field quarantines its row, not the day.

-- name: create_archive_files
-- One row per archive object, with its manifest context: location, the local day of the file, fetch time, validity.
-- object_reason is set for an object that is not read (it failed the extract's check).
CREATE TEMP TABLE archive_files AS
SELECT unnest(from_json($files::JSON, '[{"path": "VARCHAR", "raw_key": "VARCHAR", "location_id": "BIGINT",
  "file_date": "DATE", "fetched_at": "TIMESTAMP", "object_reason": "VARCHAR"}]'), recursive := true);

-- name: create_archive_parameters
-- name + units → parameter id from the newest /v3/parameters snapshot. A parameter is name AND units; were a pair
-- ever listed with two ids, the smallest wins (as parameterLookup in src/openaq/archive-parameters.ts).
CREATE TEMP TABLE archive_parameters AS
SELECT p.name AS parameter, p.units AS units, min(p.id) AS parameter_id
FROM (SELECT unnest(results) AS p
      FROM read_json($parameter_files, columns = {results: 'STRUCT(id INTEGER, name VARCHAR, units VARCHAR)[]'}))
GROUP BY p.name, p.units;

-- name: create_empty_archive_parameters
CREATE TEMP TABLE archive_parameters (parameter VARCHAR, units VARCHAR, parameter_id INTEGER);

-- name: create_archive_file_context
-- The location version that applies to an object: object_locations, the one rule of dev/measurements.sql
-- (create_location_rule, which the caller runs first) — the newest version valid when it was fetched, else the
-- earliest.
CREATE TEMP TABLE archive_file_context AS
SELECT * FROM object_locations(archive_files);

-- name: insert_archive_records
INSERT INTO rows BY NAME
WITH records AS (
  SELECT filename AS path, *
  FROM read_csv($paths, filename = true, header = true, auto_detect = false, delim = ',', quote = '"',
    escape = '"', compression = 'gzip', null_padding = false, all_varchar = true,
    columns = {'location_id': 'VARCHAR', 'sensors_id': 'VARCHAR', 'location': 'VARCHAR', 'datetime': 'VARCHAR',
               'lat': 'VARCHAR', 'lon': 'VARCHAR', 'parameter': 'VARCHAR', 'units': 'VARCHAR', 'value': 'VARCHAR'})
), typed AS (
  SELECT c.raw_key, c.location_id AS file_location_id, c.file_date, c.fetched_at, c.timezone, c.timezone_known,
    c.location_latitude, c.location_longitude,
    -- CSV carries no line number; a rank by content is stable across re-runs (it breaks ties in the dedup).
    row_number() OVER (PARTITION BY x.path ORDER BY x.sensors_id, x.datetime, x.value, x.parameter, x.units,
                       x.location_id, x.lat, x.lon) - 1 AS record_index,
    TRY_CAST(trim(x.location_id) AS BIGINT) AS row_location_id,
    TRY_CAST(trim(x.sensors_id) AS BIGINT) AS sensor_id,
    x.parameter, x.units, x.value AS value_text,
    CASE WHEN isfinite(TRY_CAST(trim(x.value) AS DOUBLE)) THEN TRY_CAST(trim(x.value) AS DOUBLE) END AS value,
    x.datetime AS period_end_raw,
    -- Only a stamp with its offset names an instant; a naive one would silently be read as UTC.
    CASE WHEN regexp_matches(trim(x.datetime), '\d:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$')
      THEN TRY_CAST(trim(x.datetime) AS TIMESTAMPTZ)::TIMESTAMP END AS period_end_utc,
    TRY_CAST(trim(x.lat) AS DOUBLE) AS record_latitude,
    TRY_CAST(trim(x.lon) AS DOUBLE) AS record_longitude
  FROM records x JOIN archive_file_context c ON c.path = x.path
), intervals AS (
  -- The archive has no period length: take the sensor's most common step between consecutive period ends among the
  -- archive rows at hand; a sensor with a single row gets an hour, OpenAQ's most common cadence.
  SELECT sensor_id, mode(step) AS interval_seconds
  FROM (SELECT sensor_id,
          CAST(epoch(period_end_utc) - epoch(lag(period_end_utc) OVER (PARTITION BY sensor_id ORDER BY period_end_utc))
               AS INTEGER) AS step
        FROM (SELECT DISTINCT sensor_id, period_end_utc FROM typed
              WHERE sensor_id IS NOT NULL AND period_end_utc IS NOT NULL))
  WHERE step > 0
  GROUP BY sensor_id
), classified AS (
  SELECT t.*, p.parameter_id, coalesce(i.interval_seconds, 3600) AS interval_seconds,
    CASE
      WHEN t.timezone IS NULL THEN 'unknown location: no snapshot of the location in dev.locations'
      WHEN NOT t.timezone_known THEN 'unknown location timezone: ' || t.timezone
      WHEN t.sensor_id IS NULL THEN 'missing or non-integer sensors_id'
      WHEN t.row_location_id IS DISTINCT FROM t.file_location_id THEN 'location_id differs from the archive key''s'
      WHEN t.period_end_utc IS NULL THEN 'unparseable datetime (local period end with UTC offset)'
      WHEN t.value_text IS NULL OR trim(t.value_text) = '' THEN 'value is null'
      WHEN t.value IS NULL THEN 'value is not a number'
      WHEN p.parameter_id IS NULL THEN 'no parameter id for this name and units in /v3/parameters'
    END AS reason,
    CASE WHEN t.timezone_known AND t.period_end_utc IS NOT NULL THEN
      CAST(timezone(CASE WHEN t.timezone_known THEN t.timezone ELSE 'UTC' END,
                    (t.period_end_utc - INTERVAL 1 SECOND)::TIMESTAMPTZ) AS DATE)
    END AS local_date
  FROM typed t
  LEFT JOIN archive_parameters p ON p.parameter = t.parameter AND p.units = t.units
  LEFT JOIN intervals i ON i.sensor_id = t.sensor_id
)
SELECT raw_key, record_index, sensor_id, file_location_id AS location_id, fetched_at, parameter_id, parameter, units,
  value,
  CASE WHEN reason IS NOT NULL THEN value_text END AS value_raw,
  period_end_utc - to_seconds(interval_seconds) AS period_start_utc, period_end_utc,
  CASE WHEN reason IS NOT NULL THEN period_end_raw END AS period_end_raw,
  timezone, local_date, interval_seconds,
  -- The file's lat/lon are the site's (per row for mobile locations); the location's only when they are missing.
  CASE WHEN record_latitude IS NOT NULL AND record_longitude IS NOT NULL THEN record_latitude
       ELSE location_latitude END AS latitude,
  CASE WHEN record_latitude IS NOT NULL AND record_longitude IS NOT NULL THEN record_longitude
       ELSE location_longitude END AS longitude,
  -- The archive has no flag column: unknown, not "no flags".
  CAST(NULL AS BOOLEAN) AS has_flags,
  reason,
  coalesce(local_date, file_date) AS partition_date,
  'archive' AS source
FROM classified
WHERE coalesce(local_date, file_date) BETWEEN $from_date::DATE AND $to_date::DATE;

-- name: insert_archive_object_rows
-- One quarantine row for each archive object that is not read, so that it is visible and counted.
INSERT INTO rows BY NAME
SELECT raw_key, location_id, fetched_at, timezone, object_reason AS reason, file_date AS partition_date,
  'archive' AS source
FROM archive_file_context
WHERE object_reason IS NOT NULL AND file_date BETWEEN $from_date::DATE AND $to_date::DATE;
