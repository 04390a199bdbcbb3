// How a data check's result row becomes a CheckOutcome — the contract of sql/checks/*.sql, the same on every engine.
import { errorMessage } from '../errors.js';
import type { CellValue, CheckOutcome, CheckParams } from './engine.js';

/**
 * The `$name` values a check may use (sql/checks/README.md), in their SQL types' text form (the check casts them);
 * each engine binds the ones a check's SQL names.
 */
export function checkParamValues(params: CheckParams): Record<string, string | number | null> {
  return {
    local_date: params.localDate,
    raw_rows: params.rawRows,
    quarantined_rows: params.quarantinedRows,
    duplicates_dropped: params.duplicatesDropped,
    min_coverage_pct: params.minCoveragePct,
    max_staleness_hours: params.maxStalenessHours,
    now_utc: params.nowUtc.replace('T', ' ').replace(/(\.\d+)?Z$/, ''),
    quality_rules_path: params.qualityRulesPath,
  };
}

export type CheckHeader = Pick<CheckOutcome, 'check' | 'severity' | 'tests'>;

/** A check returns exactly one row with `status` (pass | fail | skip), `observed` and `message`; anything else throws. */
export function checkOutcomeFromRows(
  header: CheckHeader,
  rows: readonly Record<string, CellValue>[],
): CheckOutcome {
  const row = rows[0];
  if (rows.length !== 1 || !row) throw new Error(`returned ${rows.length} rows instead of one`);
  const status = row.status;
  if (status !== 'pass' && status !== 'fail' && status !== 'skip')
    throw new Error(`returned status ${JSON.stringify(status)}; expected pass, fail or skip`);
  return {
    ...header,
    status,
    observed: observedValue(row.observed ?? null),
    message: typeof row.message === 'string' ? row.message : String(row.message ?? ''),
  };
}

/** A check whose query failed counts as failed, with the reason as its message. */
export function checkCouldNotRun(header: CheckHeader, err: unknown): CheckOutcome {
  return {
    ...header,
    status: 'fail',
    observed: null,
    message: `the check could not run: ${errorMessage(err)}`,
  };
}

function observedValue(value: CellValue): number | string | null {
  if (value === null || typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}
