// Vacuum: deletes what no reader and no rollback needs. Table locations hold only current objects by construction
// (src/lake/commit.ts); what accumulates is under `{zone}/_versions/` (replaced versions, kept for history and
// rollback until the retention ends; versions never committed) and what a crash leaves (scratch files in `_tmp/`,
// version objects no catalog row knows, stray files in a table location).
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import { versionsPrefix } from '../keys.js';
import type { MetaDb } from '../meta/meta-db.js';
import type { ObjectStore } from '../store/index.js';
import {
  discardVersion,
  expectedTreeKeys,
  expiredVersions,
  fileKeys,
  knownVersionObjects,
  markFilesDeleted,
  staleStagedVersions,
} from './catalog.js';
import { refuseVacuumWithLostCatalog } from './vacuum-guard.js';

/** Default days a replaced version's object is kept (config `lake.retentionDays`). */
const DEFAULT_RETENTION_DAYS = 7;

export interface VacuumOptions {
  /** Unreferenced objects younger than this are left alone: a transform may be writing them. Default 60. */
  graceMinutes?: number;
  /** Staged versions older than this are discarded (a crash, or a day that failed validation). Default 7 days. */
  stagedMaxAgeMinutes?: number;
  /** Replaced versions are kept this long for history and rollback. Default 7 days. */
  retentionDays?: number;
  dryRun?: boolean;
  now?: Date;
  /** Local scratch folders (the transform's `{home}/_tmp/transform`, the commit's `{home}/_tmp/commit`) to clean. */
  workDirs?: readonly string[];
}

type VacuumReason = 'orphan' | 'superseded' | 'discarded';

export interface VacuumResult {
  deleted: { key: string; bytes: number; reason: VacuumReason }[];
  bytes: number;
  /** Unreferenced objects kept because they are younger than the grace period. */
  keptYoung: number;
  discardedVersions: number[];
  removedWorkDirs: string[];
  errors: string[];
}

const ZONES = ['dev', 'prod'] as const;

/**
 * Deletes, oldest state first: objects of superseded versions past the retention and of discarded versions past the
 * grace period (never a current or staged one); objects under `_versions/` no catalog row knows and objects in a
 * table location that is no current key, once older than the grace period; old scratch entries. Staged versions
 * older than stagedMaxAgeMinutes are discarded first. With dryRun nothing changes; the result says what would go.
 */
export async function vacuumLake(
  store: ObjectStore,
  meta: MetaDb,
  options: VacuumOptions = {},
): Promise<VacuumResult> {
  await refuseVacuumWithLostCatalog(store, meta);
  const now = options.now ?? new Date();
  const cutoff = now.getTime() - (options.graceMinutes ?? 60) * 60_000;
  const staleBefore = new Date(now.getTime() - (options.stagedMaxAgeMinutes ?? 7 * 24 * 60) * 60_000);
  const retainedAfter = new Date(
    now.getTime() - (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 24 * 3_600_000,
  );
  const result: VacuumResult = {
    deleted: [],
    bytes: 0,
    keptYoung: 0,
    discardedVersions: [],
    removedWorkDirs: [],
    errors: [],
  };

  const stale = staleStagedVersions(meta, staleBefore);
  if (!options.dryRun) for (const id of stale) discardVersion(meta, id, now);
  result.discardedVersions = stale;

  // 1. Versions the catalog retired: their objects go as a whole, then the version records it.
  const expired = new Set(expiredVersions(meta, retainedAfter, new Date(cutoff)));
  // Staged versions discarded just now were abandoned long ago: their objects go in this pass.
  for (const id of stale) expired.add(id);
  const known = knownVersionObjects(meta);
  const sizes = new Map<string, number>();
  for (const zone of ZONES)
    for await (const o of store.list(versionsPrefix(zone))) {
      sizes.set(o.key, o.bytes);
      // 2. Version objects no catalog row knows (a transform killed after its upload, before staging).
      if (known.has(o.key)) continue;
      if (o.lastModified.getTime() > cutoff) result.keptYoung++;
      else await remove(o.key, o.bytes, 'orphan');
    }
  const deletedVersions: number[] = [];
  for (const id of [...expired].sort((a, b) => a - b)) {
    let ok = true;
    for (const key of fileKeys(meta, id)) {
      const state = known.get(key)?.state;
      const reason: VacuumReason = state === 'superseded' ? 'superseded' : 'discarded';
      if (sizes.has(key)) ok = (await remove(key, sizes.get(key) ?? 0, reason)) && ok;
    }
    if (ok) deletedVersions.push(id);
  }
  if (!options.dryRun) markFilesDeleted(meta, deletedVersions, now);

  // 3. Anything in a table location that is not a current key (only a foreign writer or an old layout puts it there).
  const expected = expectedTreeKeys(meta);
  for (const zone of ZONES)
    for await (const o of store.list(`${zone}/`)) {
      // A key the catalog knows there is a version of a lake written before this layout: upgradeLegacyLayout moves it.
      if (o.key.startsWith(versionsPrefix(zone)) || expected.has(o.key) || known.has(o.key)) continue;
      if (o.lastModified.getTime() > cutoff) result.keptYoung++;
      else await remove(o.key, o.bytes, 'orphan');
    }

  for (const dir of options.workDirs ?? [])
    result.removedWorkDirs.push(...(await removeOldEntries(dir, cutoff, !!options.dryRun)));
  return result;

  async function remove(key: string, bytes: number, reason: VacuumReason): Promise<boolean> {
    if (!options.dryRun) {
      try {
        await store.delete(key);
      } catch (err) {
        result.errors.push(`${key}: ${errorMessage(err)}`);
        return false;
      }
    }
    result.deleted.push({ key, bytes, reason });
    result.bytes += bytes;
    return true;
  }
}

async function removeOldEntries(dir: string, cutoff: number, dryRun: boolean): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    // ctime too: a hard link made a moment ago keeps its source's old mtime.
    if (!info || Math.max(info.mtime.getTime(), info.ctime.getTime()) > cutoff) continue;
    if (!dryRun) await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
