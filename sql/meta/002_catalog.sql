-- The lake catalog (locally, the Glue Data Catalog's job): tables, their schema versions, and partition versions with
-- their files. A partition's data is whatever its one 'current' version lists; a commit swaps that in a single
-- transaction, so readers resolving files here see the old partition or the new one, never a mix.
CREATE TABLE catalog_tables (
  table_name   TEXT PRIMARY KEY,
  partitioned  INTEGER NOT NULL CHECK (partitioned IN (0, 1)),   -- 1: by local_date (dev/{t}/year=/month=/day=/)
  created_at   TEXT NOT NULL
);

-- A new column makes a new version; an incompatible type change is refused before it is recorded.
CREATE TABLE catalog_schema_versions (
  table_name   TEXT NOT NULL REFERENCES catalog_tables (table_name),
  version      INTEGER NOT NULL,
  columns_json TEXT NOT NULL,                                      -- [{"name": "...", "type": "BIGINT"}, ...]
  created_at   TEXT NOT NULL,
  PRIMARY KEY (table_name, version)
);

-- One version of one partition. Lifecycle: staged (written, invisible) → current (committed) → superseded;
-- or staged → discarded (never committed, e.g. abandoned after a crash). Files of superseded and discarded
-- versions are deleted after the commit, or by vacuum.
CREATE TABLE catalog_versions (
  version_id          INTEGER PRIMARY KEY AUTOINCREMENT,
  table_name          TEXT NOT NULL REFERENCES catalog_tables (table_name),
  partition_key       TEXT NOT NULL,                               -- local date YYYY-MM-DD; '' when unpartitioned
  state               TEXT NOT NULL CHECK (state IN ('staged', 'current', 'superseded', 'discarded')),
  columns_json        TEXT NOT NULL,                               -- the columns the writer declared
  schema_version      INTEGER,                                     -- set by the catalog step (crawler)
  row_count           INTEGER NOT NULL,
  bytes               INTEGER NOT NULL,
  file_count          INTEGER NOT NULL,
  min_period_end_utc  TEXT,
  max_period_end_utc  TEXT,
  raw_rows            INTEGER,                                     -- reconciliation: raw = rows + quarantined + duplicates
  quarantined_rows    INTEGER,
  duplicates_dropped  INTEGER,
  stats_json          TEXT NOT NULL DEFAULT '{}',
  run_id              TEXT,
  created_at          TEXT NOT NULL,
  cataloged_at        TEXT,
  committed_at        TEXT,
  retired_at          TEXT,                                        -- when it stopped being current or was discarded
  files_deleted_at    TEXT
);
CREATE UNIQUE INDEX catalog_versions_one_current ON catalog_versions (table_name, partition_key)
  WHERE state = 'current';
CREATE INDEX catalog_versions_partition ON catalog_versions (table_name, partition_key, state);
CREATE INDEX catalog_versions_state ON catalog_versions (state);

CREATE TABLE catalog_files (
  version_id  INTEGER NOT NULL REFERENCES catalog_versions (version_id),
  key         TEXT NOT NULL,                                       -- object key in the lake
  kind        TEXT NOT NULL CHECK (kind IN ('data', 'quarantine')),
  rows        INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  PRIMARY KEY (version_id, key)
);
CREATE INDEX catalog_files_key ON catalog_files (key);
