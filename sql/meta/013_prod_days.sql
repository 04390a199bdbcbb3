-- Prod tables materialised per local day (issue 13): which rule version and which dev.measurements version each
-- stored day file prod/{table}/year=/month=/day=/data.parquet was computed from, so that `aqlake prod rebuild` redoes
-- exactly the days a rule change (or a publish interrupted between its dev commit and the prod files) left stale.
CREATE TABLE prod_days (
  table_name TEXT NOT NULL,
  local_date TEXT NOT NULL,
  rule_version TEXT NOT NULL,
  dev_version_id INTEGER,
  rows INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  built_at TEXT NOT NULL,
  PRIMARY KEY (table_name, local_date)
);
