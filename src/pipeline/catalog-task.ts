// The catalog task (the Glue Crawler's job, locally): reads a staged version's Parquet footers through the engine,
// checks the columns against the table's schema versions, verifies row counts and records the time range.
import { PipelineError } from '../errors.js';
import { findDayTaskVersion } from '../lake/catalog/index.js';
import { type CatalogContext, type CatalogResult, catalogVersion } from './catalog-version.js';

/**
 * Catalogs the newest staged version of dev.{table}/{localDate} (of this run when the context has a run id).
 * Throws SchemaDriftError on an incompatible schema change: the version then stays uncataloged and cannot be
 * published.
 */
export async function catalogDay(
  ctx: CatalogContext,
  localDate: string,
  options: { table?: string; versionId?: number } = {},
): Promise<CatalogResult> {
  const { table, staged, current } = findDayTaskVersion(ctx.meta, localDate, {
    ...options,
    runId: ctx.runId,
  });
  if (staged) return catalogVersion(ctx, staged.versionId);
  if (current?.schemaVersion != null) {
    return {
      table,
      localDate,
      versionId: current.versionId,
      schemaVersion: current.schemaVersion,
      schemaChange: 'same',
      addedColumns: [],
      rows: current.rows,
      files: current.fileCount,
      alreadyCurrent: true,
    };
  }
  throw new PipelineError(
    `catalog: no staged version of dev.${table} for ${localDate}; run transform for that day first`,
    'catalog',
    localDate,
  );
}
