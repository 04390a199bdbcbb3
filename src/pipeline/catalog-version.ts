// Cataloging one dev version (the Glue Crawler's job, locally): its Parquet footers, read through the engine, decide
// its schema version, row count and time range. Shared by the catalog task and the transform (dimension tables).
import { PipelineError } from '../errors.js';
import { getPartitionVersion, recordCatalogScan, type SchemaChange } from '../lake/catalog/index.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import type { TaskContext } from './context.js';

export interface CatalogResult {
  table: string;
  localDate: string | null;
  versionId: number;
  schemaVersion: number;
  schemaChange: SchemaChange['kind'];
  /** Columns added by this version (a new schema version), if any. */
  addedColumns: string[];
  rows: number;
  files: number;
  /** True when the partition had nothing staged and its current version was already cataloged. */
  alreadyCurrent: boolean;
}

export type CatalogContext = Pick<TaskContext, 'store' | 'meta' | 'engine'> &
  Partial<Pick<TaskContext, 'runId' | 'logger'>>;

/** Catalogs one version: what its files really hold decides the schema, not what the writer declared. */
export async function catalogVersion(ctx: CatalogContext, versionId: number): Promise<CatalogResult> {
  const version = getPartitionVersion(ctx.meta, versionId);
  if (!version) throw new PipelineError(`catalog: no catalog version ${versionId}`, 'catalog');
  const data = version.files.filter((f) => f.kind === 'data');
  // An engine that reads the store itself (Glue) reported each object's rows and time range as it wrote them; its
  // files are not fetched here (the schema is the one the job declares, MEASUREMENTS_COLUMNS).
  const inspection =
    data.length === 0
      ? null
      : ctx.engine.readsStore
        ? {
            columns: version.columns,
            rows: data.reduce((n, f) => n + f.rows, 0),
            minTime: version.minPeriodEndUtc,
            maxTime: version.maxPeriodEndUtc,
          }
        : await ctx.engine.inspectParquet(
            await mapWithConcurrency(data, 8, (f) => ctx.store.localPath(f.key)),
          );
  const { schemaVersion, change } = recordCatalogScan(ctx.meta, versionId, {
    columns: inspection?.columns ?? version.columns,
    rows: inspection?.rows ?? 0,
    minPeriodEndUtc: inspection?.minTime ?? null,
    maxPeriodEndUtc: inspection?.maxTime ?? null,
  });
  const result: CatalogResult = {
    table: version.table,
    localDate: version.localDate,
    versionId,
    schemaVersion,
    schemaChange: change.kind,
    addedColumns: change.kind === 'evolved' ? change.added.map((c) => c.name) : [],
    rows: inspection?.rows ?? 0,
    files: data.length,
    alreadyCurrent: false,
  };
  ctx.logger?.info({ task: 'catalog', ...result }, 'version cataloged');
  return result;
}
