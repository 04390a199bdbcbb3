-- Results of the data checks in sql/checks/: one row per check per partition version checked (validate, aqlake check).
-- table_name, not "table" (a reserved word). observed has no declared type: a count stays a number, a text stays text.
CREATE TABLE check_results (
  result_id   INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id      TEXT,                                                 -- the DAG run; NULL for `aqlake check`
  table_name  TEXT NOT NULL,
  local_date  TEXT NOT NULL,                                        -- the partition, YYYY-MM-DD
  version_id  INTEGER,                                              -- catalog_versions.version_id checked
  check_name  TEXT NOT NULL,
  severity    TEXT NOT NULL CHECK (severity IN ('error', 'warn')),
  status      TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'skip')),
  observed,
  message     TEXT NOT NULL,
  checked_at  TEXT NOT NULL
);
CREATE INDEX check_results_partition ON check_results (table_name, local_date, checked_at);
CREATE INDEX check_results_version ON check_results (version_id);
CREATE INDEX check_results_run ON check_results (run_id);
