// The publish task: makes a validated day visible. It proves the prod views compile over the lake with the new
// version in place, then commits the version with the day's prod tables (src/lake/commit.ts: each key in the tree is
// replaced atomically and the catalog marks them current).
import { PipelineError } from '../errors.js';
import { findDayTaskVersion, type PartitionVersion } from '../lake/catalog/index.js';
import { listCheckResults } from '../lake/check-results.js';
import { type CommitItem, commitVersions } from '../lake/commit.js';
import { resolveDevTables } from '../lake/dev-files.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import { prodWorkRoot } from '../lake/scratch.js';
import { MEASUREMENTS_TABLE } from '../lake/tables.js';
import type { TaskContext } from './context.js';
import {
  type BuiltProdDay,
  buildProdDay,
  materialiseProdDay,
  type ProdDaysContext,
  prodDayStates,
  recordProdDay,
  stageProdDay,
} from './prod-days.js';

export type PublishContext = Pick<TaskContext, 'store' | 'meta' | 'engine' | 'now'> &
  Partial<Pick<TaskContext, 'runId' | 'logger' | 'config'>>;

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
  const found = findDayTaskVersion(ctx.meta, localDate, { ...options, runId: ctx.runId });
  const { table, staged } = found;
  if (!staged || staged.state === 'current') {
    const current = staged ?? found.current;
    if (!current)
      throw new PipelineError(
        `publish ${localDate}: nothing to publish: dev.${table} has no staged or current version for this day`,
        'publish',
        localDate,
      );
    const views = await ctx.engine.createProdViews(
      await resolveDevTables(ctx, { readsStore: ctx.engine.readsStore === true }),
    );
    // A day published before its prod tables were materialised (or by an older rule): commit them now.
    if (
      materialisesProd(ctx, table) &&
      prodDayStates(ctx.meta, { from: localDate, to: localDate })[0]?.stale.length
    )
      await materialiseProdDay(prodContext(ctx), localDate);
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
      await resolveDevTables(ctx, {
        versionOverrides: { [table]: [staged.versionId] },
        readsStore: ctx.engine.readsStore === true,
      }),
    );
  } catch (err) {
    throw new PipelineError(
      `publish ${localDate}: the prod views do not build over version ${staged.versionId} of dev.${table}: ${(err as Error).message}`,
      'publish',
      localDate,
    );
  }
  // The day's prod rows (prod.hourly, prod.daily_averages, …) from the version about to be committed: computed and
  // staged as prod versions before the commit (a day whose prod rows cannot be computed is not published), then
  // committed with the dev day in one commit, so the tree never holds a dev day and prod rows of another version.
  let prod: { built: BuiltProdDay; items: CommitItem[] } | null = null;
  if (materialisesProd(ctx, table)) {
    try {
      const built = await buildProdDay(prodContext(ctx), localDate, { devVersionId: staged.versionId });
      prod = { built, items: await stageProdDay(prodContext(ctx), built, { runId: ctx.runId ?? null }) };
    } catch (err) {
      throw new PipelineError(
        `publish ${localDate}: the prod tables of the day cannot be computed from version ${staged.versionId}: ${(err as Error).message}`,
        'publish',
        localDate,
      );
    }
  }
  const now = ctx.now();
  const commit = await commitVersions(
    ctx,
    [{ table, localDate, versionId: staged.versionId }, ...(prod?.items ?? [])],
    { kind: 'publish', now },
  );
  if (prod) recordProdDay(ctx.meta, prod.built, now);
  const result: PublishResult = {
    table,
    localDate,
    versionId: staged.versionId,
    previousVersionId:
      commit.items.find((i) => i.table === table && i.localDate === localDate)?.previousVersionId ?? null,
    alreadyCurrent: false,
    views,
  };
  ctx.logger?.info({ task: 'publish', ...result, views: views.length }, 'day published');
  return result;
}

/**
 * Publish materialises prod days for dev.measurements on the local engine; on AWS the Athena prod views still compute
 * every table from dev.* (Engine.buildProdDay is not implemented there yet).
 */
function materialisesProd(ctx: PublishContext, table: string): boolean {
  return table === MEASUREMENTS_TABLE && ctx.engine.name === 'duckdb';
}

function prodContext(ctx: PublishContext): ProdDaysContext {
  return { ...ctx, ...(ctx.config ? { workRoot: prodWorkRoot(ctx.config.home) } : {}) };
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
