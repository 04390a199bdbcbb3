// Runs the data checks (sql/checks/) of a partition version's table on exactly that version's files with the engine,
// and records every result in check_results: the one home of "check a version", for the validate task and
// `aqlake check`.
import type { AqlakeConfig } from '../config/index.js';
import type { CheckOutcome, Engine } from '../engines/engine.js';
import { QUALITY_RULES_PATH } from '../engines/sql-files.js';
import { PipelineError } from '../errors.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import type { PartitionVersion } from './catalog/index.js';
import { type CheckResultRecord, recordCheckResults } from './check-results.js';
import type { MetaDb } from './meta/meta-db.js';
import type { ObjectStore } from './store/index.js';

export interface PartitionCheckContext {
  config: Pick<AqlakeConfig, 'checks'>;
  store: ObjectStore;
  meta: MetaDb;
  engine: Engine;
  now: () => Date;
  /** The run the results belong to; null or absent for `aqlake check`. */
  runId?: string | null;
}

/** Runs every check of the version's table on exactly its files and records the results. */
export async function checkPartitionVersion(
  ctx: PartitionCheckContext,
  version: PartitionVersion,
): Promise<CheckResultRecord[]> {
  if (version.localDate === null)
    throw new PipelineError(`checks run on day partitions; dev.${version.table} has none`, 'validate');
  const localDate = version.localDate;
  const data = version.files.filter((f) => f.kind === 'data');
  // An engine that reads the store itself (Athena) checks the objects where they are: nothing is fetched.
  const paths = ctx.engine.readsStore
    ? []
    : await mapWithConcurrency(data, 8, (f) => ctx.store.localPath(f.key));
  const now = ctx.now();
  const outcomes = await ctx.engine.checkPartition({
    partition: { table: version.table, paths, keys: data.map((f) => f.key), columns: version.columns },
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
