-- What each task try cost on AWS: one row per priced call (a Glue job run, an Athena query), at list price.
CREATE TABLE IF NOT EXISTS task_costs (
  run_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  try_number INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  glue_dpu_seconds REAL NOT NULL,
  glue_billed_dpu_seconds REAL NOT NULL,
  glue_job_runs INTEGER NOT NULL,
  athena_bytes_scanned INTEGER NOT NULL,
  athena_billed_bytes INTEGER NOT NULL,
  athena_queries INTEGER NOT NULL,
  usd REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS task_costs_run ON task_costs (run_id, task_id);
