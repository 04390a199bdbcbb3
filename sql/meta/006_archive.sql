-- What aqlake knows about each OpenAQ archive location-day it has asked for: the newest object landed (its raw key
-- and ETag), or that the archive had no object (404/403). The objects themselves are in raw_objects.
CREATE TABLE archive_days (
  location_id   INTEGER NOT NULL,
  local_date    TEXT NOT NULL,                -- the location's local calendar day (the file's name)
  status        TEXT NOT NULL CHECK (status IN ('present', 'absent')),
  raw_key       TEXT REFERENCES raw_objects (raw_key), -- newest object of the day; kept when the day turns absent
  etag          TEXT,                         -- as the archive last reported it (HEAD or GET)
  last_modified TEXT,
  size          INTEGER,
  checked_at    TEXT NOT NULL,                -- ISO UTC of the last GET or HEAD
  run_id        TEXT,
  PRIMARY KEY (location_id, local_date)
);
CREATE INDEX archive_days_date ON archive_days (local_date, location_id);
