// The validate task: runs the data checks on a day's staged dev.measurements version before anyone can see it,
// records every result in SQLite, and fails the run when an error-severity check fails, so the day is not published.
import { PipelineError } from '../errors.js';
import { findDayTaskVersion } from '../lake/catalog/index.js';
import { checkPartitionVersion } from '../lake/check-partition.js';
import type { CheckResultRecord } from '../lake/check-results.js';
import type { TaskContext } from './context.js';

export type CheckContext = Pick<TaskContext, 'config' | 'store' | 'meta' | 'engine' | 'now'> &
  Partial<Pick<TaskContext, 'runId' | 'logger'>>;

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
  const { table, staged, current } = findDayTaskVersion(ctx.meta, localDate, {
    ...options,
    runId: ctx.runId,
  });
  const version = staged ?? current;
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
