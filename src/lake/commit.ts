// The lake's commit: makes versions current in the tree (what every engine globs) and in the catalog (SQLite).
//
// Why this design. Engines other than aqlake (DuckDB globs, pyarrow, Athena, a Glue Crawler) read every object under
// a table's folder and cannot be told to skip any, so the folder must hold exactly the current data at every moment.
// A partition therefore has ONE object at a deterministic key (`dev/measurements/year=/month=/day=/data.parquet`,
// `dev/locations/data.parquet`), and every version is written once, immutably, outside all table folders
// (`{zone}/_versions/…`). Making a version current is then one atomic replacement of one key, on both stores:
//   - filesystem: hard link (or copy) of the version file to `{home}/_tmp/commit/…`, then rename(2) over the key;
//     a reader opens the old inode or the new one, and an already open file keeps reading its own version;
//   - S3: one server-side CopyObject; S3 shows the old object or the new one, whole (and the laptop never downloads
//     the bytes, which the AWS engine needs: a Glue job writes the `_versions/` key, the commit copies it).
// Because a reader sees each key replaced atomically, superseded objects need no grace period in the tree; they
// stay under `_versions/` for history and rollback until the retention ends (vacuum).
//
// The protocol, for a set of (table, partition, version) items committed together:
//   1. one SQLite transaction records the intent (catalog_commits + items);
//   2. each current key is replaced by store.copy (or deleted when the version has no object of that kind);
//   3. one SQLite transaction marks the versions current, their predecessors superseded, and finishes the intent.
// A SIGKILL anywhere leaves each key holding the old object or the new one. An intent left open by a dead process
// is rolled forward (steps 2 and 3 again, both idempotent) by the next command (recoverCommits) or by the next
// commit of the same partitions.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  CatalogError,
  CommitBusyError,
  type CommitItem,
  commitPlacements,
  type FinishedItem,
  finishCommit,
  getCurrentVersion,
  getPartitionVersion,
  openCommits,
  previousKeptVersion,
  recordCommitIntent,
} from './catalog/catalog.js';
import { currentObjectKey, versionObjectKey } from './keys.js';
import type { MetaDb } from './meta/meta-db.js';
import type { ObjectStore } from './store/index.js';

export type { CommitItem, FinishedItem };

/** Points of a commit a test can stop at (test/commit-kill.test.ts). */
type CommitStep = 'intent-recorded' | 'key-replaced' | 'keys-replaced' | 'finished';

export interface CommitOptions {
  /** Recorded with the intent: publish | dimensions | rollback. Default publish. */
  kind?: string;
  now?: Date;
  /** Called after each step (key-replaced once per key, with its key). */
  onStep?: (step: CommitStep, detail: { commitId: number; key?: string }) => Promise<void> | void;
  /** Runs inside step 3's transaction, just before it ends (tests kill the process there). */
  beforeFinish?: () => void;
  /** How long to wait for another live process's open commit of the same partitions. Default 60 s. */
  waitMs?: number;
}

export interface CommitResult {
  /** Null when every item was already current (nothing to do). */
  commitId: number | null;
  /** The items this commit made current, with the versions they replaced. */
  items: FinishedItem[];
}

/** An open intent older than this is rolled forward even if its owner may be alive (a commit takes seconds). */
const STALE_INTENT_MS = 10 * 60_000;

/** This process, as intents record their owner: `pid@host#token`. */
const OWNER = `${process.pid}@${hostname()}#${randomBytes(4).toString('hex')}`;
/** Commits this process is running now (an intent of ours not in here was left by a failed commit). */
const running = new Set<number>();

interface Lake {
  store: ObjectStore;
  meta: MetaDb;
}

/**
 * Commits several versions at once (a dev day with its prod days, or dev.locations with dev.sensors): afterwards
 * each item's partition key in the tree holds its version's object, and the catalog marks it current. Keys only: the
 * version objects are copied inside the store (S3 server-side), nothing is downloaded. Items already current are
 * skipped. Throws if another live process keeps an open commit of the same partitions longer than `waitMs`.
 */
export async function commitVersions(
  lake: Lake,
  items: readonly CommitItem[],
  options: CommitOptions = {},
): Promise<CommitResult> {
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  let commitId: number | null;
  for (;;) {
    try {
      commitId = recordCommitIntent(lake.meta, items, {
        owner: OWNER,
        kind: options.kind ?? 'publish',
        ...(options.now ? { now: options.now } : {}),
      });
      break;
    } catch (err) {
      if (!(err instanceof CommitBusyError)) throw err;
      const open = openCommits(lake.meta).filter((c) => err.commitIds.includes(c.commitId));
      const dead = open.filter((c) => !ownerAlive(c.owner, c.createdAt, c.commitId));
      for (const c of dead) await rollForward(lake, c.commitId);
      if (dead.length === 0) {
        if (Date.now() > deadline)
          throw new CatalogError(
            `${err.message}; gave up waiting for them (another aqlake process is committing)`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  if (commitId === null) return { commitId: null, items: [] };
  running.add(commitId);
  try {
    await options.onStep?.('intent-recorded', { commitId });
    await placeObjects(lake, commitId, options.onStep);
    await options.onStep?.('keys-replaced', { commitId });
    const finished = finishCommit(lake.meta, commitId, {
      ...(options.now ? { now: options.now } : {}),
      ...(options.beforeFinish ? { beforeFinish: options.beforeFinish } : {}),
    });
    await options.onStep?.('finished', { commitId });
    return { commitId, items: finished };
  } finally {
    running.delete(commitId);
  }
}

/**
 * Rolls forward every commit left open by a process that is gone (every aqlake command calls this when it opens
 * the lake). Returns the commit ids it finished.
 */
export async function recoverCommits(lake: Lake): Promise<number[]> {
  const done: number[] = [];
  for (const c of openCommits(lake.meta)) {
    if (ownerAlive(c.owner, c.createdAt, c.commitId)) continue;
    await rollForward(lake, c.commitId);
    done.push(c.commitId);
  }
  return done;
}

/**
 * Makes an earlier version of a partition current again, through the same commit as a publish (readers of the tree
 * and of the catalog switch at once; prod views, built over dev, follow). Without `versionId`, goes back to the
 * version the current one replaced. Only a superseded version whose object is still kept (within the retention)
 * can come back.
 */
export async function rollbackPartition(
  lake: Lake,
  table: string,
  localDate: string | null,
  versionId?: number,
  options: Pick<CommitOptions, 'now'> & {
    /** Versions to make current in the same commit, staged for the version coming back (its prod days). */
    alongside?: (target: number) => Promise<CommitItem[]>;
  } = {},
): Promise<FinishedItem & { commitId: number }> {
  const where = localDate === null ? `dev.${table}` : `dev.${table}/${localDate}`;
  const target = versionId ?? previousKeptVersion(lake.meta, table, localDate);
  if (target === null)
    throw new CatalogError(
      `${where} has no earlier version kept to roll back to (see aqlake catalog history)`,
    );
  const version = getPartitionVersion(lake.meta, target);
  if (!version || version.table !== table || version.localDate !== localDate)
    throw new CatalogError(`version ${target} is not a version of ${where} (see aqlake catalog history)`);
  if (version.state === 'current') throw new CatalogError(`version ${target} of ${where} is already current`);
  if (version.state !== 'superseded')
    throw new CatalogError(
      `version ${target} of ${where} is ${version.state}; only a version that was current before can come back`,
    );
  const extra = (await options.alongside?.(target)) ?? [];
  const result = await commitVersions(lake, [{ table, localDate, versionId: target }, ...extra], {
    kind: 'rollback',
    ...(options.now ? { now: options.now } : {}),
  });
  const item = result.items.find((i) => i.table === table && i.localDate === localDate);
  if (result.commitId === null || !item)
    throw new CatalogError(
      `version ${target} of ${where} did not become current (current: ${getCurrentVersion(lake.meta, table, localDate)?.versionId})`,
    );
  return { ...item, commitId: result.commitId };
}

/**
 * Moves a lake written before this layout (a version's files `part-<uuid>.parquet` inside the table folder) to it:
 * each such object is copied to `_versions/`, the catalog repointed, a current version placed at its partition's key,
 * and the old object deleted; objects of replaced versions still in a table folder are deleted. Idempotent and safe
 * to interrupt (a rerun finishes it). Versions with several objects of a kind are left as they are (returned).
 */
export async function upgradeLegacyLayout(lake: Lake): Promise<{ moved: number; skipped: number[] }> {
  const rows = lake.meta
    .prepare(
      `SELECT f.version_id, f.key, f.kind, v.table_name, v.partition_key, v.state, t.zone,
         (SELECT count(*) FROM catalog_files g WHERE g.version_id = f.version_id AND g.kind = f.kind) AS same_kind
       FROM catalog_files f JOIN catalog_versions v ON v.version_id = f.version_id
       JOIN catalog_tables t ON t.table_name = v.table_name
       WHERE instr(f.key, '/_versions/') = 0 AND v.files_deleted_at IS NULL
       ORDER BY f.version_id, f.key`,
    )
    .all() as {
    version_id: number;
    key: string;
    kind: 'data' | 'quarantine';
    table_name: string;
    partition_key: string;
    state: string;
    zone: 'dev' | 'prod';
    same_kind: number;
  }[];
  let moved = 0;
  const skipped = new Set<number>();
  for (const r of rows) {
    const localDate = r.partition_key === '' ? null : r.partition_key;
    if (r.state === 'superseded' || r.state === 'discarded') {
      await lake.store.delete(r.key);
      lake.meta
        .prepare(
          'UPDATE catalog_versions SET files_deleted_at = ? WHERE version_id = ? AND files_deleted_at IS NULL',
        )
        .run(new Date().toISOString(), r.version_id);
      moved++;
      continue;
    }
    if (r.same_kind > 1) {
      skipped.add(r.version_id);
      continue;
    }
    const versionKey = versionObjectKey(r.zone, r.table_name, localDate, `legacy-v${r.version_id}`, r.kind);
    if (await lake.store.head(r.key)) await lake.store.copy(r.key, versionKey);
    else if (!(await lake.store.head(versionKey)))
      throw new CatalogError(`object ${r.key} of version ${r.version_id} is missing`);
    if (r.state === 'current')
      await lake.store.copy(versionKey, currentObjectKey(r.zone, r.table_name, localDate, r.kind));
    await lake.store.delete(r.key);
    lake.meta
      .prepare('UPDATE catalog_files SET key = ? WHERE version_id = ? AND key = ?')
      .run(versionKey, r.version_id, r.key);
    moved++;
  }
  return { moved, skipped: [...skipped] };
}

async function rollForward(lake: Lake, commitId: number): Promise<void> {
  await placeObjects(lake, commitId);
  finishCommit(lake.meta, commitId);
}

async function placeObjects(lake: Lake, commitId: number, onStep?: CommitOptions['onStep']): Promise<void> {
  for (const p of commitPlacements(lake.meta, commitId)) {
    if (p.sourceKey === null) await lake.store.delete(p.targetKey);
    else await lake.store.copy(p.sourceKey, p.targetKey);
    await onStep?.('key-replaced', { commitId, key: p.targetKey });
  }
}

function ownerAlive(owner: string, createdAt: string, commitId: number): boolean {
  if (owner === OWNER) return running.has(commitId);
  if (Date.now() - Date.parse(createdAt) > STALE_INTENT_MS) return false;
  const m = /^(\d+)@(.*)#[0-9a-f]+$/.exec(owner);
  if (!m || m[2] !== hostname()) return true; // another machine: trust it until the intent is stale
  try {
    process.kill(Number(m[1]), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
