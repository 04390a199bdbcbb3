// vacuum deletes what the catalog does not reference. A catalog that was deleted and recreated (or replaced by an
// older copy) references nothing it should: then every data file looks like an orphan. Refuse instead.
import { AqlakeError } from '../../errors.js';
import type { MetaDb } from '../meta/meta-db.js';
import type { ObjectStore } from '../store/index.js';

class CatalogLostError extends AqlakeError {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogLostError';
  }
}

/** When the catalog began: its first migration. */
function catalogCreatedAt(meta: MetaDb): Date | undefined {
  const row = meta.prepare('SELECT min(applied_at) AS at FROM schema_migrations').get() as {
    at: string | null;
  };
  return row.at ? new Date(row.at) : undefined;
}

/** How many partition versions the catalog has recorded; undefined when its tables cannot be read. */
function knownVersions(meta: MetaDb): number | undefined {
  try {
    return (meta.prepare('SELECT count(*) AS n FROM catalog_versions').get() as { n: number }).n;
  } catch {
    return undefined;
  }
}

/**
 * Throws CatalogLostError when files under `prefix` cannot have been known by this catalog: it has recorded no
 * version at all while files exist, or files are older than the catalog itself. Call it before vacuum lists orphans.
 */
export async function refuseVacuumWithLostCatalog(
  store: ObjectStore,
  meta: MetaDb,
  prefix = 'dev/',
): Promise<void> {
  const created = catalogCreatedAt(meta);
  const versions = knownVersions(meta);
  let files = 0;
  let older = 0;
  let oldest: { key: string; at: Date } | undefined;
  for await (const object of store.list(prefix)) {
    files++;
    if (created && object.lastModified.getTime() < created.getTime() - 60_000) {
      older++;
      if (!oldest || object.lastModified < oldest.at) oldest = { key: object.key, at: object.lastModified };
    }
  }
  const advice =
    'the catalog _meta/aqlake.db was probably deleted or replaced: restore it from a backup (or rebuild the lake with `aqlake run` into a new home); nothing was deleted';
  if (files > 0 && versions === 0)
    throw new CatalogLostError(
      `vacuum refused: the catalog records no partition version but ${prefix} holds ${files} files; ${advice}`,
    );
  if (older > 0 && oldest)
    throw new CatalogLostError(
      `vacuum refused: ${older} files under ${prefix} are older than the catalog (created ${created!.toISOString()}; e.g. ${oldest.key} of ${oldest.at.toISOString()}); ${advice}`,
    );
}
