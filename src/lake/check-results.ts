// The check_results repository: every data check's result on a partition version, written by validate and read by
// publish, the CLI (check, catalog) and the HTTP API.
import type { CheckSeverity, CheckStatus } from '../engines/engine.js';
import type { MetaDb } from './meta/meta-db.js';

/** One check's result on one partition version, as stored in `check_results`. */
export interface CheckResultRecord {
  runId: string | null;
  table: string;
  localDate: string;
  versionId: number | null;
  check: string;
  severity: CheckSeverity;
  status: CheckStatus;
  observed: number | string | null;
  message: string;
  checkedAt: string;
}

export function recordCheckResults(meta: MetaDb, records: readonly CheckResultRecord[]): void {
  const insert = meta.prepare(
    `INSERT INTO check_results (run_id, table_name, local_date, version_id, check_name, severity, status, observed,
       message, checked_at)
     VALUES (@runId, @table, @localDate, @versionId, @check, @severity, @status, @observed, @message, @checkedAt)`,
  );
  meta.transaction(() => {
    for (const r of records) insert.run(r);
  })();
}

export interface CheckResultFilter {
  table?: string;
  localDate?: string;
  versionId?: number;
  runId?: string;
  /** Only the newest result of each check of each partition (default false: the whole history). */
  latest?: boolean;
}

interface CheckResultRow {
  run_id: string | null;
  table_name: string;
  local_date: string;
  version_id: number | null;
  check_name: string;
  severity: CheckSeverity;
  status: CheckStatus;
  observed: number | string | null;
  message: string;
  checked_at: string;
}

/** Stored check results, newest first. */
export function listCheckResults(meta: MetaDb, filter: CheckResultFilter = {}): CheckResultRecord[] {
  const where = `(@table IS NULL OR table_name = @table) AND (@localDate IS NULL OR local_date = @localDate)
    AND (@versionId IS NULL OR version_id = @versionId) AND (@runId IS NULL OR run_id = @runId)`;
  const sql = filter.latest
    ? `SELECT * FROM check_results c WHERE ${where} AND result_id = (
         SELECT max(n.result_id) FROM check_results n
         WHERE n.table_name = c.table_name AND n.local_date = c.local_date AND n.check_name = c.check_name)
       ORDER BY local_date DESC, table_name, check_name`
    : `SELECT * FROM check_results WHERE ${where} ORDER BY result_id DESC`;
  const rows = meta.prepare(sql).all({
    table: filter.table ?? null,
    localDate: filter.localDate ?? null,
    versionId: filter.versionId ?? null,
    runId: filter.runId ?? null,
  }) as CheckResultRow[];
  return rows.map((r) => ({
    runId: r.run_id,
    table: r.table_name,
    localDate: r.local_date,
    versionId: r.version_id,
    check: r.check_name,
    severity: r.severity,
    status: r.status,
    observed: r.observed,
    message: r.message,
    checkedAt: r.checked_at,
  }));
}
