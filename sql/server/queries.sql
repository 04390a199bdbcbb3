-- The HTTP server's own reads of the lake (the page's location picker). Views and filters are in src/server/real/.

-- name: locations
-- One row per sensor with data: its location's current name and zone (dev.locations), parameter, and days covered.
SELECT
  m.location_id,
  coalesce(any_value(l.name), 'Location ' || m.location_id) AS name,
  coalesce(any_value(l.timezone), any_value(m.timezone)) AS timezone,
  any_value(l.country_code) AS country,
  m.sensor_id, m.parameter_id, m.parameter, m.units,
  CAST(min(m.local_date) AS VARCHAR) AS first_date,
  CAST(max(m.local_date) AS VARCHAR) AS last_date
FROM dev.measurements AS m
LEFT JOIN dev.locations AS l ON l.location_id = m.location_id AND l.is_current
GROUP BY m.location_id, m.sensor_id, m.parameter_id, m.parameter, m.units
ORDER BY name, m.location_id, m.parameter, m.sensor_id;

-- name: locations_without_names
-- The same before any location snapshot was transformed into dev.locations.
SELECT
  m.location_id,
  'Location ' || m.location_id AS name,
  any_value(m.timezone) AS timezone,
  CAST(NULL AS VARCHAR) AS country,
  m.sensor_id, m.parameter_id, m.parameter, m.units,
  CAST(min(m.local_date) AS VARCHAR) AS first_date,
  CAST(max(m.local_date) AS VARCHAR) AS last_date
FROM dev.measurements AS m
GROUP BY m.location_id, m.sensor_id, m.parameter_id, m.parameter, m.units
ORDER BY m.location_id, m.parameter, m.sensor_id;

-- name: map_places
-- The map's marks: every current location of the lake with its coordinates.
SELECT location_id, name, timezone, country_code AS country, latitude, longitude
FROM dev.locations
WHERE is_current AND latitude IS NOT NULL AND longitude IS NOT NULL
ORDER BY location_id;

-- name: map_latest
-- The newest value of each sensor, with the location's clock time (for the map's hover).
SELECT location_id, parameter, units, value, CAST(period_end_local AS VARCHAR) AS local_time,
  CAST(period_end_utc AS VARCHAR) AS utc_time, timezone, latitude, longitude
FROM prod.latest
ORDER BY location_id, parameter, sensor_id;

-- name: map_aqi
-- Each location's US AQI of its newest day with one: the higher of PM2.5 and PM10 that day (EPA's overall AQI).
SELECT location_id, parameter, CAST(local_date AS VARCHAR) AS local_date, aqi, category
FROM prod.daily_aqi
WHERE aqi IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY location_id ORDER BY local_date DESC, aqi DESC, parameter) = 1;
