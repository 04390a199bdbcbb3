// Deleting what no reader can reach: superseded files right after a commit, and (vacuum) files left by a crash or
// by versions that were never committed, once they are older than a grace period.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../../errors.js';
import type { MetaDb } from '../meta/meta-db.js';
import type { ObjectStore } from '../store/index.js';
import {
  type CommitOptions,
  type CommitResult,
  commitPartition,
  discardVersion,
  fileKeys,
  liveFileKeys,
  markFilesDeleted,
  retiredFiles,
  retiredVersionsWithFiles,
  staleStagedVersions,
} from './catalog.js';
import { refuseVacuumWithLostCatalog } from './vacuum-guard.js';

export interface CleanupResult extends CommitResult {
  /** Files of retired versions past the reader grace period that could not be deleted now; vacuum deletes them later. */
  leftForVacuum: string[];
}

/**
 * How long the files of a replaced version stay after the commit. A reader resolves a table's files once and then reads
 * them (a query, a transform reading dev.locations, a page refresh); deleting them at the commit would fail a reader
 * that resolved the old list a moment before — two runs at once did exactly that.
 */
export const READER_GRACE_MS = 10 * 60_000;

export interface CleanupOptions extends CommitOptions {
  /** Default READER_GRACE_MS. */
  readerGraceMs?: number;
}

/**
 * commitPartition, then deletes the files of versions replaced longer than the reader grace period ago (this commit's
 * predecessor is deleted by a later commit or by vacuum). A failed delete only leaves work for vacuum.
 */
export async function commitAndCleanup(
  store: ObjectStore,
  meta: MetaDb,
  table: string,
  localDate: string | null,
  versionId: number,
  options: CleanupOptions = {},
): Promise<CleanupResult> {
  const result = commitPartition(meta, table, localDate, versionId, options);
  const now = options.now ?? new Date();
  const retiredBefore = new Date(now.getTime() - (options.readerGraceMs ?? READER_GRACE_MS));
  const leftForVacuum: string[] = [];
  for (const id of retiredVersionsWithFiles(meta, retiredBefore)) {
    const failed = await deleteKeys(store, fileKeys(meta, id));
    if (failed.length === 0) markFilesDeleted(meta, [id], now);
    else leftForVacuum.push(...failed);
  }
  return { ...result, leftForVacuum };
}

async function deleteKeys(store: ObjectStore, keys: readonly string[]): Promise<string[]> {
  const failed: string[] = [];
  for (const key of keys) {
    try {
      await store.delete(key);
    } catch {
      failed.push(key);
    }
  }
  return failed;
}

export interface VacuumOptions {
  /** Files younger than this are left alone: they may belong to a transform still running. Default 60. */
  graceMinutes?: number;
  /** Staged versions older than this are discarded (a crash, or a day that failed validation). Default 7 days. */
  stagedMaxAgeMinutes?: number;
  dryRun?: boolean;
  now?: Date;
  /** A local scratch folder (the transform's `{home}/_tmp/transform`) whose old entries are removed too. */
  workDir?: string;
}

export type VacuumReason = 'orphan' | 'superseded' | 'discarded';

export interface VacuumResult {
  deleted: { key: string; bytes: number; reason: VacuumReason }[];
  bytes: number;
  /** Unreferenced files kept because they are younger than the grace period. */
  keptYoung: number;
  discardedVersions: number[];
  removedWorkDirs: string[];
  errors: string[];
}

/**
 * Deletes every object under dev/ that no staged or current version references and that is older than the grace
 * period: orphans of a crashed transform, files of superseded or discarded versions. Staged versions older than
 * stagedMaxAgeMinutes are discarded first. With dryRun nothing changes; the result says what would go.
 */
export async function vacuumLake(
  store: ObjectStore,
  meta: MetaDb,
  options: VacuumOptions = {},
): Promise<VacuumResult> {
  await refuseVacuumWithLostCatalog(store, meta);
  const now = options.now ?? new Date();
  const graceMs = (options.graceMinutes ?? 60) * 60_000;
  const cutoff = now.getTime() - graceMs;
  const staleBefore = new Date(now.getTime() - (options.stagedMaxAgeMinutes ?? 7 * 24 * 60) * 60_000);
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
  const staleKeys = new Set(stale.flatMap((id) => fileKeys(meta, id)));

  // Read the live set after discarding and before listing: a version staged from here on only adds keys of files
  // written after the listing began, which are younger than the grace period anyway.
  const live = liveFileKeys(meta);
  const retired = retiredFiles(meta);
  for await (const object of store.list('dev/')) {
    if (live.has(object.key) && !(options.dryRun && staleKeys.has(object.key))) continue;
    const retiredInfo = retired.get(object.key);
    const retiredAt = retiredInfo?.retiredAt ? Date.parse(retiredInfo.retiredAt) : 0;
    const age = Math.max(object.lastModified.getTime(), staleKeys.has(object.key) ? 0 : retiredAt);
    if (age > cutoff) {
      result.keptYoung++;
      continue;
    }
    const reason: VacuumReason = staleKeys.has(object.key)
      ? 'discarded'
      : retiredInfo
        ? (versionState(meta, retiredInfo.versionId) ?? 'orphan')
        : 'orphan';
    if (!options.dryRun) {
      try {
        await store.delete(object.key);
      } catch (err) {
        result.errors.push(`${object.key}: ${errorMessage(err)}`);
        continue;
      }
    }
    result.deleted.push({ key: object.key, bytes: object.bytes, reason });
    result.bytes += object.bytes;
  }

  if (!options.dryRun) {
    const done: number[] = [];
    for (const id of retiredVersionsWithFiles(meta)) {
      const keys = fileKeys(meta, id);
      let gone = true;
      for (const key of keys) if (await store.head(key)) gone = false;
      if (gone) done.push(id);
    }
    markFilesDeleted(meta, done, now);
  }
  if (options.workDir)
    result.removedWorkDirs = await removeOldEntries(options.workDir, cutoff, !!options.dryRun);
  return result;
}

function versionState(meta: MetaDb, versionId: number): 'superseded' | 'discarded' | null {
  const row = meta.prepare('SELECT state FROM catalog_versions WHERE version_id = ?').get(versionId) as
    | { state: string }
    | undefined;
  return row?.state === 'superseded' || row?.state === 'discarded' ? row.state : null;
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
    if (!info || info.mtime.getTime() > cutoff) continue;
    if (!dryRun) await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}
