-- Every object that lands in raw/ gets one row here; the object itself is never changed.
CREATE TABLE raw_objects (
  raw_key          TEXT PRIMARY KEY,
  source           TEXT NOT NULL CHECK (source IN ('api', 'archive')),
  endpoint         TEXT NOT NULL,            -- e.g. locations, sensors_measurements, archive_csv
  request_url      TEXT NOT NULL,            -- full URL without the API key
  params_json      TEXT NOT NULL DEFAULT '{}',
  location_id      INTEGER,
  sensor_id        INTEGER,
  window_from_utc  TEXT,                     -- exclusive lower bound of the period ends asked for
  window_to_utc    TEXT,                     -- inclusive upper bound
  page             INTEGER,
  http_status      INTEGER NOT NULL,
  sha256           TEXT NOT NULL,
  bytes            INTEGER NOT NULL,
  result_count     INTEGER,
  valid            INTEGER NOT NULL CHECK (valid IN (0, 1)),
  validation_error TEXT,
  etag             TEXT,
  last_modified    TEXT,
  fetched_at       TEXT NOT NULL,
  run_id           TEXT,
  batch_id         TEXT                      -- groups the objects one extract call fetched (e.g. the pages of a discovery)
);
CREATE INDEX raw_objects_sensor_window ON raw_objects (sensor_id, window_from_utc, window_to_utc);
CREATE INDEX raw_objects_endpoint_fetched ON raw_objects (endpoint, fetched_at);
CREATE INDEX raw_objects_location ON raw_objects (location_id, endpoint);
