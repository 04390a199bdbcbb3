import { PipelineError } from '../errors.js';
import { findTaskVersion, getCurrentVersion, type PartitionVersion } from '../lake/catalog/index.js';
import { listCheckResults } from '../lake/check-results.js';
import { commitVersions } from '../lake/commit.js';
import { resolveDevTables } from '../lake/dev-files.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import { MEASUREMENTS_TABLE } from '../lake/tables.js';
import type { TaskContext } from './context.js';

export type PublishContext = Pick<TaskContext, 'store' | 'meta' | 'engine'> &
  Partial<Pick<TaskContext, 'runId' | 'logger' | 'now'>>;

export interface PublishResult {
  table: string;
  localDate: string;
  versionId: number;
  /** The version this commit replaced, if the day had one. */
  previousVersionId: number | null;
  /** True when nothing was staged: the day's current version stays, and only the views were rebuilt. */
  alreadyCurrent: boolean;
  /** The prod views that compiled over the lake with this version in it. */
  views: string[];
}

/**
 * Publishes the newest staged version of dev.{table}/{localDate}: it must have passed validation (no failed error
 * check, and at least one check recorded). The views are built over the lake with the version substituted before the
 * commit, so a version whose files the views cannot read never becomes current.
 */
export async function publishDay(
  ctx: PublishContext,
  localDate: string,
  options: { table?: string; versionId?: number } = {},
): Promise<PublishResult> {
  const table = options.table ?? MEASUREMENTS_TABLE;
  const staged = findTaskVersion(ctx.meta, table, localDate, {
    versionId: options.versionId,
    runId: ctx.runId,
  });
  if (!staged || staged.state === 'current') {
    const current = staged ?? getCurrentVersion(ctx.meta, table, localDate);
    if (!current)
      throw new PipelineError(
        `publish ${localDate}: nothing to publish: dev.${table} has no staged or current version for this day`,
        'publish',
        localDate,
      );
    const views = await ctx.engine.createProdViews(await resolveDevTables(ctx));
    return {
      table,
      localDate,
      versionId: current.versionId,
      previousVersionId: null,
      alreadyCurrent: true,
      views,
    };
  }
  assertValidated(ctx.meta, staged, localDate);
  let views: string[];
  try {
    views = await ctx.engine.createProdViews(
      await resolveDevTables(ctx, { versionOverrides: { [table]: [staged.versionId] } }),
    );
  } catch (err) {
    throw new PipelineError(
      `publish ${localDate}: the prod views do not build over version ${staged.versionId} of dev.${table}: ${(err as Error).message}`,
      'publish',
      localDate,
    );
  }
  const now = ctx.now?.();
  const commit = await commitVersions(ctx, [{ table, localDate, versionId: staged.versionId }], {
    kind: 'publish',
    ...(now ? { now } : {}),
  });
  const result: PublishResult = {
    table,
    localDate,
    versionId: staged.versionId,
    previousVersionId: commit.items[0]?.previousVersionId ?? null,
    alreadyCurrent: false,
    views,
  };
  ctx.logger?.info({ task: 'publish', ...result, views: views.length }, 'day published');
  return result;
}

/** A version may be published only after validate recorded results for it and none of its error checks failed. */
function assertValidated(meta: MetaDb, version: PartitionVersion, localDate: string): void {
  const results = listCheckResults(meta, { versionId: version.versionId });
  const where = `dev.${version.table} day=${localDate}`;
  if (results.length === 0)
    throw new PipelineError(
      `publish ${localDate}: version ${version.versionId} of ${where} has not been validated; run validate first`,
      'publish',
      localDate,
    );
  // Results are newest first: judge each check by its latest run on this version.
  const latest = new Map<string, (typeof results)[number]>();
  for (const r of results) if (!latest.has(r.check)) latest.set(r.check, r);
  const failed = [...latest.values()].find((r) => r.severity === 'error' && r.status === 'fail');
  if (failed)
    throw new PipelineError(
      `publish ${localDate}: check ${failed.check} failed on ${where} (${failed.message}); the day is not published`,
      'publish',
      localDate,
    );
}
