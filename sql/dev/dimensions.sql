-- Location snapshots (raw /v3/locations objects) → dev.locations and dev.sensors, slowly changing (SCD2): a location
-- or sensor gets a new version only when its attributes change; valid_from is the fetch time of the first snapshot
-- that showed them, valid_to the valid_from of the next version (NULL while current). A sensor's version also ends
-- when a later snapshot of its location no longer lists it. datetimeFirst/datetimeLast change with every new
-- measurement, so they are not attributes. Run in order on one connection.

-- name: create_snapshot_files
CREATE TEMP TABLE snapshot_files AS
SELECT unnest(from_json($files::JSON, '[{"path": "VARCHAR", "raw_key": "VARCHAR", "fetched_at": "TIMESTAMP"}]'),
              recursive := true);

-- name: create_snapshots
-- One row per location per snapshot; two objects fetched at the same instant count once (the larger raw_key).
CREATE TEMP TABLE snapshots AS
WITH records AS (
  SELECT filename AS path, unnest(results) AS l
  FROM read_json($paths, filename = true, columns = {
    meta: 'JSON',
    results: 'STRUCT(id BIGINT, name VARCHAR, locality VARCHAR, timezone VARCHAR,
      country STRUCT(id INTEGER, code VARCHAR, name VARCHAR), owner STRUCT(id INTEGER, name VARCHAR),
      provider STRUCT(id INTEGER, name VARCHAR), isMobile BOOLEAN, isMonitor BOOLEAN,
      instruments STRUCT(id INTEGER, name VARCHAR)[],
      sensors STRUCT(id BIGINT, name VARCHAR, parameter STRUCT(id INTEGER, name VARCHAR, units VARCHAR, displayName VARCHAR))[],
      coordinates STRUCT(latitude DOUBLE, longitude DOUBLE), licenses STRUCT(id INTEGER, name VARCHAR)[])[]'
  })
)
SELECT r.l.id AS location_id, f.fetched_at, f.raw_key, r.l AS l
FROM records r JOIN snapshot_files f ON f.path = r.path
WHERE r.l.id IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY r.l.id, f.fetched_at ORDER BY f.raw_key DESC) = 1;

-- name: copy_locations
COPY (
  WITH attributes AS (
    SELECT location_id, fetched_at, raw_key, {
      'name': l.name, 'locality': l.locality, 'timezone': l.timezone,
      'country_id': l.country.id, 'country_code': l.country.code, 'country_name': l.country.name,
      'owner_id': l.owner.id, 'owner_name': l.owner.name, 'provider_id': l.provider.id,
      'provider_name': l.provider.name, 'is_mobile': l.isMobile, 'is_monitor': l.isMonitor,
      'latitude': l.coordinates.latitude, 'longitude': l.coordinates.longitude,
      'instruments': array_to_string(list_sort(list_transform(l.instruments, i -> i.name)), ', '),
      'licenses': array_to_string(list_sort(list_transform(l.licenses, i -> i.name)), ', ')
    } AS a
    FROM snapshots
  ), changes AS (
    SELECT *, lag(a) OVER (PARTITION BY location_id ORDER BY fetched_at, raw_key) AS previous FROM attributes
  ), starts AS (
    SELECT * FROM changes WHERE previous IS NULL OR previous IS DISTINCT FROM a
  ), versions AS (
    SELECT *, lead(fetched_at) OVER (PARTITION BY location_id ORDER BY fetched_at) AS valid_to FROM starts
  )
  SELECT location_id, a.name AS name, a.locality AS locality, a.timezone AS timezone, a.country_id AS country_id,
    a.country_code AS country_code, a.country_name AS country_name, a.owner_id AS owner_id,
    a.owner_name AS owner_name, a.provider_id AS provider_id, a.provider_name AS provider_name,
    a.is_mobile AS is_mobile, a.is_monitor AS is_monitor, a.latitude AS latitude, a.longitude AS longitude,
    a.instruments AS instruments, a.licenses AS licenses, fetched_at AS valid_from, valid_to,
    valid_to IS NULL AS is_current, raw_key
  FROM versions
  ORDER BY location_id, valid_from
) TO {{target}} (FORMAT parquet, COMPRESSION snappy);

-- name: copy_sensors
COPY (
  WITH observed AS (
    SELECT location_id, fetched_at, raw_key, unnest(l.sensors) AS s FROM snapshots
  ), seen AS (
    SELECT s.id AS sensor_id, location_id, min(fetched_at) AS first_seen FROM observed GROUP BY ALL
  ), grid AS (
    -- every snapshot of the sensor's location from its first appearance on: absence is a change too
    SELECT seen.sensor_id, seen.location_id, sn.fetched_at, sn.raw_key
    FROM seen JOIN snapshots sn ON sn.location_id = seen.location_id AND sn.fetched_at >= seen.first_seen
  ), states AS (
    SELECT g.*, CASE WHEN o.s IS NOT NULL THEN {
        'name': o.s.name, 'parameter_id': o.s.parameter.id, 'parameter': o.s.parameter.name,
        'units': o.s.parameter.units, 'display_name': o.s.parameter.displayName
      } END AS a
    FROM grid g
    LEFT JOIN observed o ON o.location_id = g.location_id AND o.fetched_at = g.fetched_at AND o.s.id = g.sensor_id
  ), changes AS (
    SELECT *, lag(a) OVER w AS previous, row_number() OVER w AS position
    FROM states WINDOW w AS (PARTITION BY sensor_id, location_id ORDER BY fetched_at)
  ), starts AS (
    SELECT * FROM changes WHERE position = 1 OR previous IS DISTINCT FROM a
  ), versions AS (
    SELECT *, lead(fetched_at) OVER (PARTITION BY sensor_id, location_id ORDER BY fetched_at) AS valid_to
    FROM starts
  )
  SELECT sensor_id, location_id, a.name AS name, a.parameter_id AS parameter_id, a.parameter AS parameter,
    a.units AS units, a.display_name AS display_name, fetched_at AS valid_from, valid_to,
    valid_to IS NULL AS is_current, raw_key
  FROM versions
  WHERE a IS NOT NULL
  ORDER BY sensor_id, valid_from
) TO {{target}} (FORMAT parquet, COMPRESSION snappy);
