-- Windows of a sensor's measurements fetched completely (every page up to a short one), so a backfill fetches a wide
-- window once and the runs of its other days reuse it instead of asking the API again.
CREATE TABLE extract_coverage (
  sensor_id       INTEGER NOT NULL,
  window_from_utc TEXT NOT NULL,   -- exclusive
  window_to_utc   TEXT NOT NULL,   -- inclusive
  fetched_at      TEXT NOT NULL,
  rows            INTEGER NOT NULL,
  requests        INTEGER NOT NULL,
  run_id          TEXT,
  PRIMARY KEY (sensor_id, window_from_utc, window_to_utc, fetched_at)
);
