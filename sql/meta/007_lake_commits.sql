-- The open-lake layout (issue 10): each table location holds exactly its current objects, one per partition at a
-- deterministic key; versions are immutable objects under {zone}/_versions/. A commit is an intent (this table and
-- its items), then one atomic copy per current key, then one transaction that marks the versions current and
-- finishes the intent. A commit left unfinished by a crash is rolled forward by the next command.
ALTER TABLE catalog_tables ADD COLUMN zone TEXT NOT NULL DEFAULT 'dev' CHECK (zone IN ('dev', 'prod'));

CREATE TABLE catalog_commits (
  commit_id    INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         TEXT NOT NULL,                                     -- publish | dimensions | rollback | recovery
  owner        TEXT NOT NULL,                                     -- host:pid:token of the process running it
  created_at   TEXT NOT NULL,
  finished_at  TEXT                                               -- NULL: an intent still to be rolled forward
);
CREATE INDEX catalog_commits_open ON catalog_commits (finished_at) WHERE finished_at IS NULL;

CREATE TABLE catalog_commit_items (
  commit_id      INTEGER NOT NULL REFERENCES catalog_commits (commit_id),
  version_id     INTEGER NOT NULL REFERENCES catalog_versions (version_id),
  table_name     TEXT NOT NULL,
  partition_key  TEXT NOT NULL,
  PRIMARY KEY (commit_id, version_id)
);
CREATE INDEX catalog_commit_items_partition ON catalog_commit_items (table_name, partition_key);
