-- The orchestrator's run history: DAG runs, task instances (current state) and task tries (one row per attempt).
-- Times are ISO-8601 UTC strings, so they compare as text.

-- One run per DAG and logical date, whatever started it; re-running a date clears the run, it does not add one.
CREATE TABLE dag_runs (
  run_id             TEXT PRIMARY KEY,
  dag_id             TEXT NOT NULL,
  logical_date       TEXT NOT NULL,                  -- YYYY-MM-DD, a local day in the DAG's time zone
  run_type           TEXT NOT NULL CHECK (run_type IN ('scheduled', 'backfill', 'manual')),
  state              TEXT NOT NULL CHECK (state IN ('queued', 'running', 'success', 'failed')),
  interval_from      TEXT NOT NULL,                  -- data interval, local dates, inclusive
  interval_to        TEXT NOT NULL,
  params_json        TEXT NOT NULL DEFAULT '{}',
  created_at         TEXT NOT NULL,
  started_at         TEXT,
  ended_at           TEXT,
  updated_at         TEXT NOT NULL,
  -- The executor working on the run (NULL: none). Only the owner starts its task instances.
  owner_id           TEXT,
  owner_pid          INTEGER,
  owner_hostname     TEXT,
  owner_heartbeat_at TEXT,
  note               TEXT,
  UNIQUE (dag_id, logical_date)
);
CREATE INDEX dag_runs_state ON dag_runs (state, dag_id, logical_date);
CREATE INDEX dag_runs_recent ON dag_runs (created_at);
CREATE INDEX dag_runs_owner ON dag_runs (owner_id) WHERE owner_id IS NOT NULL;

CREATE TABLE task_instances (
  run_id        TEXT NOT NULL REFERENCES dag_runs (run_id) ON DELETE CASCADE,
  task_id       TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('queued', 'scheduled', 'running', 'success', 'failed',
                                                'up_for_retry', 'upstream_failed', 'skipped')),
  priority      INTEGER NOT NULL,                    -- topological position in the DAG
  upstream_json TEXT NOT NULL DEFAULT '[]',          -- upstream task ids when the run was created or synced
  retries       INTEGER NOT NULL DEFAULT 0,          -- retries a clear grants again
  try_number    INTEGER NOT NULL DEFAULT 0,          -- tries started so far
  max_tries     INTEGER NOT NULL,                    -- the last try number allowed (retries + 1, raised by a clear)
  next_retry_at TEXT,
  queued_at     TEXT NOT NULL,
  started_at    TEXT,
  ended_at      TEXT,
  duration_ms   INTEGER,
  heartbeat_at  TEXT,
  owner_id      TEXT,
  pid           INTEGER,
  hostname      TEXT,
  error         TEXT,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (run_id, task_id)
);
CREATE INDEX task_instances_state ON task_instances (state, run_id);

CREATE TABLE task_tries (
  run_id      TEXT NOT NULL,
  task_id     TEXT NOT NULL,
  try_number  INTEGER NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('running', 'success', 'failed', 'skipped')),
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  duration_ms INTEGER,
  pid         INTEGER,
  hostname    TEXT,
  error       TEXT,
  log_path    TEXT NOT NULL,                         -- relative to AQLAKE_HOME
  PRIMARY KEY (run_id, task_id, try_number),
  FOREIGN KEY (run_id, task_id) REFERENCES task_instances (run_id, task_id) ON DELETE CASCADE
);
