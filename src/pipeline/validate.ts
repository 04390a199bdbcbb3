// The validate task: runs the data checks on a day's staged dev.measurements version before anyone can see it,
// records every result in SQLite, and fails the run when an error-severity check fails, so the day is not published.
import type { CheckOutcome, CheckSeverity, CheckStatus } from '../engines/engine.js';
import { PipelineError } from '../errors.js';
import {
  getCurrentVersion,
  getPartitionVersion,
  getStagedVersion,
  type PartitionVersion,
} from '../lake/catalog/index.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import type { TaskContext } from './context.js';
import { MEASUREMENTS_TABLE, QUALITY_RULES_PATH } from './transform.js';

export type CheckContext = Pick<TaskContext, 'config' | 'store' | 'meta' | 'engine' | 'now'> &
  Partial<Pick<TaskContext, 'runId' | 'logger'>>;

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

export interface ValidateResult {
  table: string;
  localDate: string;
  versionId: number;
  /** True when nothing was staged and the partition's current version was checked instead. */
  alreadyCurrent: boolean;
  results: CheckResultRecord[];
  /** Failed warn checks (the day is still published). */
  warnings: CheckResultRecord[];
}

/**
 * Checks the newest staged version of dev.{table}/{localDate} (of this run when the context has a run id). Throws a
 * PipelineError naming the first failed error check and the partition, after recording every result.
 */
export async function validateDay(
  ctx: CheckContext,
  localDate: string,
  options: { table?: string; versionId?: number } = {},
): Promise<ValidateResult> {
  const table = options.table ?? MEASUREMENTS_TABLE;
  const staged =
    options.versionId !== undefined
      ? getPartitionVersion(ctx.meta, options.versionId)
      : (getStagedVersion(ctx.meta, table, localDate, ctx.runId ?? null) ??
        getStagedVersion(ctx.meta, table, localDate));
  const version = staged ?? getCurrentVersion(ctx.meta, table, localDate);
  if (!version)
    throw new PipelineError(
      `validate ${localDate}: no staged version of dev.${table} for this day; run transform for it first`,
      'validate',
      localDate,
    );
  const results = await checkPartitionVersion(ctx, version);
  const failed = results.filter((r) => r.status === 'fail' && r.severity === 'error');
  const warnings = results.filter((r) => r.status === 'fail' && r.severity === 'warn');
  ctx.logger?.info(
    {
      task: 'validate',
      table,
      localDate,
      versionId: version.versionId,
      failed: failed.map((r) => r.check),
      warnings: warnings.map((r) => r.check),
    },
    failed.length > 0 ? 'checks failed' : 'checks passed',
  );
  if (failed.length > 0)
    // A failed check is a fact about the data: retrying the same version gives the same answer.
    throw new PipelineError(failureMessage(table, localDate, failed), 'validate', localDate, {
      retryable: false,
    });
  return {
    table,
    localDate,
    versionId: version.versionId,
    alreadyCurrent: staged === null,
    results,
    warnings,
  };
}

/** `validate 2024-07-21: check unique_sensor_period failed on dev.measurements day=2024-07-21 (3 duplicate keys…)`. */
function failureMessage(table: string, localDate: string, failed: readonly CheckResultRecord[]): string {
  const [first] = failed;
  if (!first) throw new Error('failureMessage needs a failed check');
  const more =
    failed.length > 1
      ? `; ${failed.length - 1} more error check(s) failed: ${failed
          .slice(1)
          .map((r) => r.check)
          .join(', ')}`
      : '';
  return `validate ${localDate}: check ${first.check} failed on dev.${table} day=${localDate} (${first.message})${more}`;
}

/** Runs every check of the version's table on exactly its files and records the results. */
export async function checkPartitionVersion(
  ctx: CheckContext,
  version: PartitionVersion,
): Promise<CheckResultRecord[]> {
  if (version.localDate === null)
    throw new PipelineError(`checks run on day partitions; dev.${version.table} has none`, 'validate');
  const localDate = version.localDate;
  const data = version.files.filter((f) => f.kind === 'data');
  const paths = await mapWithConcurrency(data, 8, (f) => ctx.store.localPath(f.key));
  const now = ctx.now();
  const outcomes = await ctx.engine.checkPartition({
    partition: { table: version.table, paths, columns: version.columns },
    params: {
      localDate,
      rawRows: version.rawRows,
      quarantinedRows: version.quarantinedRows,
      duplicatesDropped: version.duplicatesDropped,
      minCoveragePct: ctx.config.checks.minCoveragePct,
      maxStalenessHours: ctx.config.checks.maxStalenessHours,
      nowUtc: now.toISOString(),
      qualityRulesPath: QUALITY_RULES_PATH,
    },
  });
  const records = outcomes.map(
    (o: CheckOutcome): CheckResultRecord => ({
      runId: ctx.runId ?? null,
      table: version.table,
      localDate,
      versionId: version.versionId,
      check: o.check,
      severity: o.severity,
      status: o.status,
      observed: o.observed,
      message: o.message,
      checkedAt: now.toISOString(),
    }),
  );
  recordCheckResults(ctx.meta, records);
  return records;
}

function recordCheckResults(meta: MetaDb, records: readonly CheckResultRecord[]): void {
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
