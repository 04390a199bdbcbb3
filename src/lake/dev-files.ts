// The dev tables every reader (query, export, bi, check, publish, the HTTP API) builds its views over: the local
// paths of their current files, resolved through the catalog, and the folders a locked session may read.
import { dirname, join, resolve, sep } from 'node:path';
import type { DevTableFiles } from '../engines/engine.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { getPartitionVersion, latestSchema, listTableFiles, listTables } from './catalog/index.js';
import type { MetaDb } from './meta/meta-db.js';
import type { ObjectStore } from './store/index.js';

export interface ResolveOptions {
  /** table → version ids to read instead of their partitions' current ones (a staged version before its commit). */
  versionOverrides?: Readonly<Record<string, readonly number[]>>;
  /** For an engine that reads the store itself: store keys only, no local copies fetched. */
  readsStore?: boolean;
}

/**
 * Every dev table with the local paths of its current files (through the catalog, so a reader never sees half a
 * commit) and its latest schema. Tables the catalog has never seen are left out; the engine supplies empty typed
 * views for the ones its prod views need.
 */
export async function resolveDevTables(
  lake: { store: ObjectStore; meta: MetaDb },
  options: ResolveOptions = {},
): Promise<DevTableFiles[]> {
  const tables: DevTableFiles[] = [];
  for (const t of listTables(lake.meta)) {
    if (t.zone !== 'dev') continue;
    const overrides = options.versionOverrides?.[t.table];
    const files = listTableFiles(lake.meta, t.table, overrides ? { versionOverrides: overrides } : {});
    const paths = options.readsStore
      ? [] // an engine that reads the store itself (Athena) gets keys; nothing is fetched
      : await mapWithConcurrency(files, 8, (f) => lake.store.localPath(f.key));
    const columns =
      latestSchema(lake.meta, t.table)?.columns ??
      (overrides?.[0] !== undefined ? getPartitionVersion(lake.meta, overrides[0])?.columns : undefined) ??
      [];
    if (files.length === 0 && columns.length === 0) continue;
    tables.push({ table: t.table, paths, keys: files.map((f) => f.key), columns });
  }
  return tables;
}

/**
 * The folders a locked session may read: the lake's dev and prod folders as the store lays them out on disk (for an
 * S3 store, its local cache), derived from the resolved files (dev tables, and materialised prod tables when given),
 * plus `{home}/dev` and `{home}/prod` themselves.
 */
export function readableDevRoots(
  tables: readonly DevTableFiles[],
  home: string,
  prodTables: readonly DevTableFiles[] = [],
): string[] {
  const roots = new Set([resolve(join(home, 'dev')), resolve(join(home, 'prod'))]);
  const zones: [string, readonly DevTableFiles[]][] = [
    ['dev', tables],
    ['prod', prodTables],
  ];
  for (const [zone, list] of zones)
    for (const t of list) {
      for (const path of t.paths) {
        // …/dev/_versions/measurements/2024-06-01/tag.parquet → …/dev; …/prod/hourly/year=…/data.parquet → …/prod
        const marker = `${sep}${zone}${sep}`;
        const at = path.lastIndexOf(marker);
        roots.add(at >= 0 ? resolve(path.slice(0, at), zone) : dirname(path));
      }
    }
  return [...roots];
}
