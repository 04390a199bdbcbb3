// The catalog in SQLite: stage a partition version, record what the crawler found, record and finish commits (the
// SQLite half of src/lake/commit.ts), and resolve a table's current version objects for readers.
import { AqlakeError } from '../../errors.js';
import { currentObjectKey, type ObjectKind, type TableZone } from '../keys.js';
import type { MetaDb } from '../meta/meta-db.js';
import { MEASUREMENTS_TABLE } from '../tables.js';
import { compareSchemas, evolvedColumns, type SchemaChange, type TableColumn } from './schema-evolution.js';

type FileKind = ObjectKind;
export type VersionState = 'staged' | 'current' | 'superseded' | 'discarded';

export interface CatalogFile {
  key: string;
  rows: number;
  bytes: number;
  /** Default `data`. Quarantine files live and die with the version that produced them. */
  kind?: FileKind;
}

interface StageStats {
  minPeriodEndUtc?: string | null;
  maxPeriodEndUtc?: string | null;
  rawRows?: number | null;
  quarantinedRows?: number | null;
  duplicatesDropped?: number | null;
  /** Anything else worth keeping with the version (input counts, watermarks). */
  extra?: Record<string, unknown>;
}

export interface StagePartitionInput {
  table: string;
  /** Default dev. A table belongs to one zone: its objects live under `{zone}/{table}/`. */
  zone?: TableZone;
  /** The local day of a partitioned table; null for an unpartitioned one (dev.locations, dev.sensors). */
  localDate: string | null;
  files: readonly CatalogFile[];
  /** The columns the writer declared (used as the schema of a version without files). */
  schema: readonly TableColumn[];
  stats?: StageStats;
  runId?: string | null;
  now?: Date;
}

export interface PartitionVersion {
  versionId: number;
  table: string;
  localDate: string | null;
  state: VersionState;
  columns: TableColumn[];
  schemaVersion: number | null;
  rows: number;
  bytes: number;
  fileCount: number;
  minPeriodEndUtc: string | null;
  maxPeriodEndUtc: string | null;
  rawRows: number | null;
  quarantinedRows: number | null;
  duplicatesDropped: number | null;
  extra: Record<string, unknown>;
  runId: string | null;
  createdAt: string;
  catalogedAt: string | null;
  committedAt: string | null;
  retiredAt: string | null;
  filesDeletedAt: string | null;
  files: Required<CatalogFile>[];
}

export interface TableFile {
  localDate: string | null;
  key: string;
  rows: number;
  bytes: number;
  versionId: number;
}

export interface TableSummary {
  table: string;
  zone: TableZone;
  partitioned: boolean;
  schemaVersion: number | null;
  partitions: number;
  rows: number;
  bytes: number;
  files: number;
  stagedVersions: number;
  minPeriodEndUtc: string | null;
  maxPeriodEndUtc: string | null;
}

export interface PartitionSummary {
  localDate: string | null;
  versionId: number;
  schemaVersion: number | null;
  rows: number;
  bytes: number;
  files: number;
  quarantineFiles: number;
  minPeriodEndUtc: string | null;
  maxPeriodEndUtc: string | null;
  rawRows: number | null;
  quarantinedRows: number | null;
  duplicatesDropped: number | null;
  committedAt: string | null;
}

export interface SchemaVersion {
  version: number;
  columns: TableColumn[];
  createdAt: string;
}

/** A catalog operation that cannot go ahead (unknown version, wrong state, row counts that do not match). */
export class CatalogError extends AqlakeError {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

interface VersionRow {
  version_id: number;
  table_name: string;
  partition_key: string;
  state: VersionState;
  columns_json: string;
  schema_version: number | null;
  row_count: number;
  bytes: number;
  file_count: number;
  min_period_end_utc: string | null;
  max_period_end_utc: string | null;
  raw_rows: number | null;
  quarantined_rows: number | null;
  duplicates_dropped: number | null;
  stats_json: string;
  run_id: string | null;
  created_at: string;
  cataloged_at: string | null;
  committed_at: string | null;
  retired_at: string | null;
  files_deleted_at: string | null;
}

const TABLE_NAME = /^[a-z][a-z0-9_]*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function partitionKey(localDate: string | null): string {
  if (localDate !== null && !ISO_DATE.test(localDate))
    throw new CatalogError(`not a local date YYYY-MM-DD: ${localDate}`);
  return localDate ?? '';
}

function describePartition(table: string, localDate: string | null): string {
  return localDate === null ? `dev.${table}` : `dev.${table}/${localDate}`;
}

/** Records new files as a staged version of a partition: written, but invisible to readers until committed. */
export function stagePartition(meta: MetaDb, input: StagePartitionInput): number {
  if (!TABLE_NAME.test(input.table)) throw new CatalogError(`bad table name: ${input.table}`);
  const key = partitionKey(input.localDate);
  const now = (input.now ?? new Date()).toISOString();
  const files = input.files.map((f) => ({ ...f, kind: f.kind ?? 'data' }));
  const data = files.filter((f) => f.kind === 'data');
  const stats = input.stats ?? {};
  return meta.transaction(() => {
    if (data.length > 1 || files.length - data.length > 1)
      throw new CatalogError(
        `${describePartition(input.table, input.localDate)}: a version holds one object per kind (the lake keeps one object per partition), got ${data.length} data and ${files.length - data.length} quarantine`,
      );
    ensureTable(meta, input.table, input.localDate !== null, now, input.zone ?? 'dev');
    const result = meta
      .prepare(
        `INSERT INTO catalog_versions (table_name, partition_key, state, columns_json, row_count, bytes, file_count,
           min_period_end_utc, max_period_end_utc, raw_rows, quarantined_rows, duplicates_dropped, stats_json, run_id,
           created_at)
         VALUES (?, ?, 'staged', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.table,
        key,
        JSON.stringify(input.schema),
        data.reduce((s, f) => s + f.rows, 0),
        data.reduce((s, f) => s + f.bytes, 0),
        data.length,
        stats.minPeriodEndUtc ?? null,
        stats.maxPeriodEndUtc ?? null,
        stats.rawRows ?? null,
        stats.quarantinedRows ?? null,
        stats.duplicatesDropped ?? null,
        JSON.stringify(stats.extra ?? {}),
        input.runId ?? null,
        now,
      );
    const versionId = Number(result.lastInsertRowid);
    const insertFile = meta.prepare(
      'INSERT INTO catalog_files (version_id, key, kind, rows, bytes) VALUES (?, ?, ?, ?, ?)',
    );
    for (const f of files) insertFile.run(versionId, f.key, f.kind, f.rows, f.bytes);
    return versionId;
  })();
}

function ensureTable(meta: MetaDb, table: string, partitioned: boolean, now: string, zone: TableZone): void {
  const row = meta.prepare('SELECT partitioned, zone FROM catalog_tables WHERE table_name = ?').get(table) as
    | { partitioned: number; zone: TableZone }
    | undefined;
  if (!row) {
    meta
      .prepare('INSERT INTO catalog_tables (table_name, partitioned, created_at, zone) VALUES (?, ?, ?, ?)')
      .run(table, partitioned ? 1 : 0, now, zone);
  } else if (row.zone !== zone) {
    throw new CatalogError(`table ${table} belongs to the ${row.zone} zone, not ${zone}`);
  } else if (row.partitioned !== (partitioned ? 1 : 0)) {
    throw new CatalogError(
      `dev.${table} is ${row.partitioned ? 'partitioned by local_date' : 'unpartitioned'}; a version ${partitioned ? 'with' : 'without'} a local date does not fit`,
    );
  }
}

export interface CatalogScan {
  columns: readonly TableColumn[];
  rows: number;
  minPeriodEndUtc?: string | null;
  maxPeriodEndUtc?: string | null;
}

export interface CatalogScanResult {
  schemaVersion: number;
  change: SchemaChange;
}

/**
 * The crawler's verdict on a staged version: its files hold the rows the writer claimed, and their columns fit the
 * table's schema (a new column records a new schema version; an incompatible change throws SchemaDriftError and
 * nothing is recorded). A version must be cataloged before it can be committed.
 */
export function recordCatalogScan(
  meta: MetaDb,
  versionId: number,
  scan: CatalogScan,
  now: Date = new Date(),
): CatalogScanResult {
  return meta.transaction(() => {
    const v = versionRow(meta, versionId);
    if (v.state === 'superseded' || v.state === 'discarded')
      throw new CatalogError(`version ${versionId} of ${describe(v)} is ${v.state}; nothing to catalog`);
    if (scan.rows !== v.row_count)
      throw new CatalogError(
        `version ${versionId} of ${describe(v)}: its files hold ${scan.rows} rows but the transform recorded ${v.row_count}`,
      );
    const latest = latestSchema(meta, v.table_name);
    const change = compareSchemas(v.table_name, latest?.columns ?? null, scan.columns, latest?.version);
    let schemaVersion = latest?.version ?? 0;
    if (change.kind !== 'same') {
      schemaVersion += 1;
      const columns = latest ? evolvedColumns(latest.columns, scan.columns) : [...scan.columns];
      meta
        .prepare(
          'INSERT INTO catalog_schema_versions (table_name, version, columns_json, created_at) VALUES (?, ?, ?, ?)',
        )
        .run(v.table_name, schemaVersion, JSON.stringify(columns), now.toISOString());
    }
    meta
      .prepare(
        `UPDATE catalog_versions SET schema_version = ?, cataloged_at = ?,
           min_period_end_utc = coalesce(?, min_period_end_utc), max_period_end_utc = coalesce(?, max_period_end_utc)
         WHERE version_id = ?`,
      )
      .run(
        schemaVersion,
        now.toISOString(),
        scan.minPeriodEndUtc ?? null,
        scan.maxPeriodEndUtc ?? null,
        versionId,
      );
    return { schemaVersion, change };
  })();
}

/** One (table, partition, version) of a commit. */
export interface CommitItem {
  table: string;
  /** The local day of a partitioned table; null for an unpartitioned one. */
  localDate: string | null;
  versionId: number;
}

/** What a commit does to one current key: copy a version object over it, or delete it (the version has none). */
export interface CommitPlacement {
  versionId: number;
  /** The version object to copy, null to delete the target. */
  sourceKey: string | null;
  /** The table location's one object for the partition (`…/day=DD/data.parquet`). */
  targetKey: string;
}

export interface OpenCommit {
  commitId: number;
  kind: string;
  owner: string;
  createdAt: string;
  items: CommitItem[];
}

/** Another process's unfinished commit touches the same partitions: wait for it, or roll it forward if it died. */
export class CommitBusyError extends CatalogError {
  constructor(readonly commitIds: number[]) {
    super(`commit(s) ${commitIds.join(', ')} of the same partitions are still open`);
    this.name = 'CommitBusyError';
  }
}

/**
 * Step 1 of a commit, ONE transaction: checks every item (a cataloged staged version, or an earlier version whose
 * object is kept: a rollback) and records the intent. Items whose version is already current are left out; with
 * none left, returns null. Throws CommitBusyError when an open commit touches one of the partitions.
 */
export function recordCommitIntent(
  meta: MetaDb,
  items: readonly CommitItem[],
  options: { owner: string; kind: string; now?: Date },
): number | null {
  const now = (options.now ?? new Date()).toISOString();
  const record = meta.transaction((): number | null => {
    const todo: VersionRow[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = partitionKey(item.localDate);
      const v = versionRow(meta, item.versionId);
      if (v.table_name !== item.table || v.partition_key !== key)
        throw new CatalogError(
          `version ${item.versionId} belongs to ${describe(v)}, not to ${describePartition(item.table, item.localDate)}`,
        );
      if (seen.has(`${v.table_name}/${key}`))
        throw new CatalogError(`a commit holds one version per partition; ${describe(v)} appears twice`);
      seen.add(`${v.table_name}/${key}`);
      if (v.state === 'current') continue;
      if (v.state === 'discarded' || (v.state === 'superseded' && v.files_deleted_at !== null))
        throw new CatalogError(
          `version ${item.versionId} of ${describe(v)} is ${v.state}${v.files_deleted_at ? ' and its object was vacuumed' : ''}; it cannot be committed`,
        );
      if (v.schema_version === null)
        throw new CatalogError(
          `version ${item.versionId} of ${describe(v)} has not been cataloged; run the catalog step before publishing it`,
        );
      todo.push(v);
    }
    if (todo.length === 0) return null;
    const busy = meta
      .prepare(
        `SELECT DISTINCT c.commit_id FROM catalog_commits c JOIN catalog_commit_items i ON i.commit_id = c.commit_id
         WHERE c.finished_at IS NULL AND i.table_name = ? AND i.partition_key = ?`,
      )
      .pluck();
    const open = new Set<number>();
    for (const v of todo) for (const id of busy.all(v.table_name, v.partition_key) as number[]) open.add(id);
    if (open.size > 0) throw new CommitBusyError([...open].sort((a, b) => a - b));
    const commitId = Number(
      meta
        .prepare('INSERT INTO catalog_commits (kind, owner, created_at) VALUES (?, ?, ?)')
        .run(options.kind, options.owner, now).lastInsertRowid,
    );
    const insert = meta.prepare(
      'INSERT INTO catalog_commit_items (commit_id, version_id, table_name, partition_key) VALUES (?, ?, ?, ?)',
    );
    for (const v of todo) insert.run(commitId, v.version_id, v.table_name, v.partition_key);
    return commitId;
  });
  return record.immediate();
}

/** Commits recorded and not finished (a crash between the intent and the last step), oldest first. */
export function openCommits(meta: MetaDb): OpenCommit[] {
  const commits = meta
    .prepare(
      'SELECT commit_id, kind, owner, created_at FROM catalog_commits WHERE finished_at IS NULL ORDER BY commit_id',
    )
    .all() as { commit_id: number; kind: string; owner: string; created_at: string }[];
  return commits.map((c) => ({
    commitId: c.commit_id,
    kind: c.kind,
    owner: c.owner,
    createdAt: c.created_at,
    items: (
      meta
        .prepare(
          'SELECT table_name, partition_key, version_id FROM catalog_commit_items WHERE commit_id = ? ORDER BY table_name, partition_key',
        )
        .all(c.commit_id) as { table_name: string; partition_key: string; version_id: number }[]
    ).map((i) => ({
      table: i.table_name,
      localDate: i.partition_key === '' ? null : i.partition_key,
      versionId: i.version_id,
    })),
  }));
}

/**
 * Step 2's plan: for each item of the commit, each current key of its partition (data, and quarantine for a
 * partitioned dev table) with the version object to copy over it, or null to delete it.
 */
export function commitPlacements(meta: MetaDb, commitId: number): CommitPlacement[] {
  const items = meta
    .prepare(
      `SELECT i.version_id, i.table_name, i.partition_key, t.zone FROM catalog_commit_items i
       JOIN catalog_tables t ON t.table_name = i.table_name WHERE i.commit_id = ? ORDER BY i.table_name, i.partition_key`,
    )
    .all(commitId) as { version_id: number; table_name: string; partition_key: string; zone: TableZone }[];
  const placements: CommitPlacement[] = [];
  for (const item of items) {
    const localDate = item.partition_key === '' ? null : item.partition_key;
    const kinds: FileKind[] = localDate !== null && item.zone === 'dev' ? ['data', 'quarantine'] : ['data'];
    const files = meta
      .prepare('SELECT key, kind FROM catalog_files WHERE version_id = ?')
      .all(item.version_id) as { key: string; kind: FileKind }[];
    for (const kind of kinds)
      placements.push({
        versionId: item.version_id,
        sourceKey: files.find((f) => f.kind === kind)?.key ?? null,
        targetKey: currentObjectKey(item.zone, item.table_name, localDate, kind),
      });
  }
  return placements;
}

export interface FinishedItem extends CommitItem {
  /** The version this commit replaced, if the partition had one. */
  previousVersionId: number | null;
}

/**
 * Step 3 of a commit, ONE transaction: marks each item's version current and its predecessor superseded, and
 * finishes the intent. Finishing a finished commit does nothing (two processes may roll the same one forward).
 */
export function finishCommit(
  meta: MetaDb,
  commitId: number,
  options: { now?: Date; beforeFinish?: () => void } = {},
): FinishedItem[] {
  const now = (options.now ?? new Date()).toISOString();
  const finish = meta.transaction((): FinishedItem[] => {
    const c = meta.prepare('SELECT finished_at FROM catalog_commits WHERE commit_id = ?').get(commitId) as
      | { finished_at: string | null }
      | undefined;
    if (!c) throw new CatalogError(`no commit ${commitId}`);
    if (c.finished_at !== null) return [];
    const items = meta
      .prepare('SELECT version_id, table_name, partition_key FROM catalog_commit_items WHERE commit_id = ?')
      .all(commitId) as { version_id: number; table_name: string; partition_key: string }[];
    const finished: FinishedItem[] = [];
    for (const item of items) {
      const previous = meta
        .prepare(
          "SELECT version_id FROM catalog_versions WHERE table_name = ? AND partition_key = ? AND state = 'current'",
        )
        .pluck()
        .get(item.table_name, item.partition_key) as number | undefined;
      if (previous !== undefined && previous !== item.version_id)
        meta
          .prepare("UPDATE catalog_versions SET state = 'superseded', retired_at = ? WHERE version_id = ?")
          .run(now, previous);
      meta
        .prepare(
          "UPDATE catalog_versions SET state = 'current', committed_at = ?, retired_at = NULL WHERE version_id = ?",
        )
        .run(now, item.version_id);
      finished.push({
        table: item.table_name,
        localDate: item.partition_key === '' ? null : item.partition_key,
        versionId: item.version_id,
        previousVersionId: previous === item.version_id ? null : (previous ?? null),
      });
    }
    meta.prepare('UPDATE catalog_commits SET finished_at = ? WHERE commit_id = ?').run(now, commitId);
    options.beforeFinish?.();
    return finished;
  });
  return finish.immediate();
}

/** Marks staged versions as never to be committed (their files become garbage for vacuum). */
export function discardVersion(meta: MetaDb, versionId: number, now: Date = new Date()): string[] {
  return meta.transaction(() => {
    const v = versionRow(meta, versionId);
    if (v.state !== 'staged')
      throw new CatalogError(
        `version ${versionId} of ${describe(v)} is ${v.state}; only a staged one can be discarded`,
      );
    meta
      .prepare("UPDATE catalog_versions SET state = 'discarded', retired_at = ? WHERE version_id = ?")
      .run(now.toISOString(), versionId);
    return fileKeys(meta, versionId);
  })();
}

/** Records that a retired version's files are gone from the store. */
export function markFilesDeleted(meta: MetaDb, versionIds: readonly number[], now: Date = new Date()): void {
  const update = meta.prepare(
    "UPDATE catalog_versions SET files_deleted_at = ? WHERE version_id = ? AND state IN ('superseded', 'discarded')",
  );
  meta.transaction(() => {
    for (const id of versionIds) update.run(now.toISOString(), id);
  })();
}

export interface ListTableFilesOptions {
  /**
   * Versions to read instead of their partitions' current ones (e.g. a staged version being validated); a version
   * of a partition without a current version adds that partition. Either version ids, or localDate → version id.
   */
  versionOverrides?: readonly number[] | Readonly<Record<string, number>>;
  kind?: FileKind;
}

/** The data files a reader of `table` must read now: the files of each partition's current version. */
export function listTableFiles(
  meta: MetaDb,
  table: string,
  options: ListTableFilesOptions = {},
): TableFile[] {
  const overrides = Array.isArray(options.versionOverrides)
    ? (options.versionOverrides as readonly number[])
    : Object.values(options.versionOverrides ?? {});
  const kind = options.kind ?? 'data';
  // One read transaction: a consistent snapshot (WAL) even while another process commits.
  const read = meta.transaction(() => {
    const overridden = overrides.map((id) => {
      const v = versionRow(meta, id);
      if (v.table_name !== table)
        throw new CatalogError(`version ${id} belongs to dev.${v.table_name}, not dev.${table}`);
      return v;
    });
    const replaced = new Set(overridden.map((v) => v.partition_key));
    const rows = meta
      .prepare(
        `SELECT v.partition_key, f.key, f.rows, f.bytes, v.version_id
         FROM catalog_versions v JOIN catalog_files f ON f.version_id = v.version_id
         WHERE v.table_name = ? AND v.state = 'current' AND f.kind = ?
         ORDER BY v.partition_key, f.key`,
      )
      .all(table, kind) as {
      partition_key: string;
      key: string;
      rows: number;
      bytes: number;
      version_id: number;
    }[];
    const files = rows.filter((r) => !replaced.has(r.partition_key));
    for (const v of overridden) {
      const own = meta
        .prepare('SELECT key, rows, bytes FROM catalog_files WHERE version_id = ? AND kind = ? ORDER BY key')
        .all(v.version_id, kind) as { key: string; rows: number; bytes: number }[];
      for (const f of own) files.push({ partition_key: v.partition_key, version_id: v.version_id, ...f });
    }
    return files;
  });
  return read()
    .map((r) => ({
      localDate: r.partition_key === '' ? null : r.partition_key,
      key: r.key,
      rows: r.rows,
      bytes: r.bytes,
      versionId: r.version_id,
    }))
    .sort((a, b) => ((a.localDate ?? '') + a.key < (b.localDate ?? '') + b.key ? -1 : 1));
}

export function getPartitionVersion(meta: MetaDb, versionId: number): PartitionVersion | null {
  const row = meta.prepare('SELECT * FROM catalog_versions WHERE version_id = ?').get(versionId) as
    | VersionRow
    | undefined;
  return row ? toVersion(meta, row) : null;
}

/** Every version of a table's partitions (one partition when `localDate` is given), newest first. */
export function listVersionHistory(
  meta: MetaDb,
  table: string,
  localDate?: string | null,
): PartitionVersion[] {
  const rows = meta
    .prepare(
      `SELECT * FROM catalog_versions WHERE table_name = ? AND (? IS NULL OR partition_key = ?)
       ORDER BY partition_key DESC, version_id DESC`,
    )
    .all(
      table,
      localDate === undefined ? null : partitionKey(localDate),
      localDate === undefined ? null : partitionKey(localDate),
    ) as VersionRow[];
  return rows.map((r) => toVersion(meta, r));
}

/**
 * The version a rollback of a partition goes back to: the superseded version retired last (the one the current
 * version replaced) whose object is still kept, or null.
 */
export function previousKeptVersion(meta: MetaDb, table: string, localDate: string | null): number | null {
  const id = meta
    .prepare(
      `SELECT version_id FROM catalog_versions
       WHERE table_name = ? AND partition_key = ? AND state = 'superseded' AND files_deleted_at IS NULL
       ORDER BY retired_at DESC, version_id DESC LIMIT 1`,
    )
    .pluck()
    .get(table, partitionKey(localDate)) as number | undefined;
  return id ?? null;
}

export function getCurrentVersion(
  meta: MetaDb,
  table: string,
  localDate: string | null,
): PartitionVersion | null {
  const row = meta
    .prepare(
      "SELECT * FROM catalog_versions WHERE table_name = ? AND partition_key = ? AND state = 'current'",
    )
    .get(table, partitionKey(localDate)) as VersionRow | undefined;
  return row ? toVersion(meta, row) : null;
}

/** The newest staged version of a partition (optionally of one run), or null. */
export function getStagedVersion(
  meta: MetaDb,
  table: string,
  localDate: string | null,
  runId?: string | null,
): PartitionVersion | null {
  const row = meta
    .prepare(
      `SELECT * FROM catalog_versions
       WHERE table_name = ? AND partition_key = ? AND state = 'staged' AND (? IS NULL OR run_id = ?)
       ORDER BY version_id DESC LIMIT 1`,
    )
    .get(table, partitionKey(localDate), runId ?? null, runId ?? null) as VersionRow | undefined;
  return row ? toVersion(meta, row) : null;
}

/**
 * What a day task (catalog, validate, publish) of dev.{table}/{localDate} works on (table default: measurements).
 * `staged`: `versionId` when given, else the newest staged version of the partition staged by `runId`, else the newest
 * staged by any run. `current`: when nothing is staged, the partition's current version (a task run again after its
 * work was done, e.g. a cleared run); each task says what it does with it.
 */
export function findDayTaskVersion(
  meta: MetaDb,
  localDate: string,
  options: { table?: string | undefined; versionId?: number | undefined; runId?: string | null },
): { table: string; staged: PartitionVersion | null; current: PartitionVersion | null } {
  const table = options.table ?? MEASUREMENTS_TABLE;
  const staged =
    options.versionId !== undefined
      ? getPartitionVersion(meta, options.versionId)
      : (getStagedVersion(meta, table, localDate, options.runId ?? null) ??
        getStagedVersion(meta, table, localDate));
  return { table, staged, current: staged ? null : getCurrentVersion(meta, table, localDate) };
}

export function listTables(meta: MetaDb): TableSummary[] {
  const rows = meta
    .prepare(
      `SELECT t.table_name, t.zone, t.partitioned,
         (SELECT max(version) FROM catalog_schema_versions s WHERE s.table_name = t.table_name) AS schema_version,
         count(v.version_id) AS partitions, coalesce(sum(v.row_count), 0) AS rows, coalesce(sum(v.bytes), 0) AS bytes,
         coalesce(sum(v.file_count), 0) AS files, min(v.min_period_end_utc) AS min_end, max(v.max_period_end_utc) AS max_end,
         (SELECT count(*) FROM catalog_versions st WHERE st.table_name = t.table_name AND st.state = 'staged') AS staged
       FROM catalog_tables t
       LEFT JOIN catalog_versions v ON v.table_name = t.table_name AND v.state = 'current'
       GROUP BY t.table_name ORDER BY t.table_name`,
    )
    .all() as {
    table_name: string;
    zone: TableZone;
    partitioned: number;
    schema_version: number | null;
    partitions: number;
    rows: number;
    bytes: number;
    files: number;
    min_end: string | null;
    max_end: string | null;
    staged: number;
  }[];
  return rows.map((r) => ({
    table: r.table_name,
    zone: r.zone,
    partitioned: r.partitioned === 1,
    schemaVersion: r.schema_version,
    partitions: r.partitions,
    rows: r.rows,
    bytes: r.bytes,
    files: r.files,
    stagedVersions: r.staged,
    minPeriodEndUtc: r.min_end,
    maxPeriodEndUtc: r.max_end,
  }));
}

export function listPartitions(meta: MetaDb, table: string): PartitionSummary[] {
  const rows = meta
    .prepare(
      `SELECT v.*, (SELECT count(*) FROM catalog_files f WHERE f.version_id = v.version_id AND f.kind = 'quarantine')
         AS quarantine_files
       FROM catalog_versions v WHERE v.table_name = ? AND v.state = 'current' ORDER BY v.partition_key`,
    )
    .all(table) as (VersionRow & { quarantine_files: number })[];
  return rows.map((r) => ({
    localDate: r.partition_key === '' ? null : r.partition_key,
    versionId: r.version_id,
    schemaVersion: r.schema_version,
    rows: r.row_count,
    bytes: r.bytes,
    files: r.file_count,
    quarantineFiles: r.quarantine_files,
    minPeriodEndUtc: r.min_period_end_utc,
    maxPeriodEndUtc: r.max_period_end_utc,
    rawRows: r.raw_rows,
    quarantinedRows: r.quarantined_rows,
    duplicatesDropped: r.duplicates_dropped,
    committedAt: r.committed_at,
  }));
}

export function listSchemaVersions(meta: MetaDb, table: string): SchemaVersion[] {
  const rows = meta
    .prepare(
      'SELECT version, columns_json, created_at FROM catalog_schema_versions WHERE table_name = ? ORDER BY version',
    )
    .all(table) as { version: number; columns_json: string; created_at: string }[];
  return rows.map((r) => ({
    version: r.version,
    columns: JSON.parse(r.columns_json) as TableColumn[],
    createdAt: r.created_at,
  }));
}

export function latestSchema(meta: MetaDb, table: string): SchemaVersion | null {
  return listSchemaVersions(meta, table).at(-1) ?? null;
}

/** Keys of every version object the catalog knows, with its version's state and retirement time. */
export function knownVersionObjects(
  meta: MetaDb,
): Map<string, { versionId: number; state: VersionState; retiredAt: string | null }> {
  const rows = meta
    .prepare(
      `SELECT f.key, v.version_id, v.state, v.retired_at FROM catalog_files f
       JOIN catalog_versions v ON v.version_id = f.version_id`,
    )
    .all() as { key: string; version_id: number; state: VersionState; retired_at: string | null }[];
  return new Map(
    rows.map((r) => [r.key, { versionId: r.version_id, state: r.state, retiredAt: r.retired_at }]),
  );
}

/**
 * The keys the table locations must hold: each current version's objects at its partition's key, plus every key an
 * open commit is replacing (it may hold either version until the commit is rolled forward).
 */
export function expectedTreeKeys(meta: MetaDb): Set<string> {
  const rows = meta
    .prepare(
      `SELECT v.table_name, v.partition_key, t.zone, f.kind FROM catalog_versions v
       JOIN catalog_tables t ON t.table_name = v.table_name
       JOIN catalog_files f ON f.version_id = v.version_id
       WHERE v.state = 'current'`,
    )
    .all() as { table_name: string; partition_key: string; zone: TableZone; kind: FileKind }[];
  const keys = new Set(
    rows.map((r) =>
      currentObjectKey(r.zone, r.table_name, r.partition_key === '' ? null : r.partition_key, r.kind),
    ),
  );
  for (const c of meta
    .prepare('SELECT commit_id FROM catalog_commits WHERE finished_at IS NULL')
    .pluck()
    .all() as number[])
    for (const p of commitPlacements(meta, c)) keys.add(p.targetKey);
  return keys;
}

/** Staged versions created before `before` (abandoned by a crash or a failed validation), not in an open commit. */
export function staleStagedVersions(meta: MetaDb, before: Date): number[] {
  return (
    meta
      .prepare(
        `SELECT version_id FROM catalog_versions v WHERE state = 'staged' AND created_at < ?
           AND NOT EXISTS (SELECT 1 FROM catalog_commit_items i JOIN catalog_commits c ON c.commit_id = i.commit_id
                           WHERE i.version_id = v.version_id AND c.finished_at IS NULL)
         ORDER BY version_id`,
      )
      .all(before.toISOString()) as { version_id: number }[]
  ).map((r) => r.version_id);
}

/**
 * Versions whose objects may go: discarded ones retired before `discardedBefore`, superseded ones retired before
 * `supersededBefore` (the retention), never a current or staged one, never one an open commit names.
 */
export function expiredVersions(meta: MetaDb, supersededBefore: Date, discardedBefore: Date): number[] {
  return (
    meta
      .prepare(
        `SELECT version_id FROM catalog_versions v
         WHERE files_deleted_at IS NULL
           AND ((state = 'superseded' AND retired_at <= @superseded) OR (state = 'discarded' AND retired_at <= @discarded))
           AND NOT EXISTS (SELECT 1 FROM catalog_commit_items i JOIN catalog_commits c ON c.commit_id = i.commit_id
                           WHERE i.version_id = v.version_id AND c.finished_at IS NULL)
         ORDER BY version_id`,
      )
      .all({ superseded: supersededBefore.toISOString(), discarded: discardedBefore.toISOString() }) as {
      version_id: number;
    }[]
  ).map((r) => r.version_id);
}

export function fileKeys(meta: MetaDb, versionId: number): string[] {
  return (
    meta.prepare('SELECT key FROM catalog_files WHERE version_id = ? ORDER BY key').all(versionId) as {
      key: string;
    }[]
  ).map((r) => r.key);
}

function versionRow(meta: MetaDb, versionId: number): VersionRow {
  const row = meta.prepare('SELECT * FROM catalog_versions WHERE version_id = ?').get(versionId) as
    | VersionRow
    | undefined;
  if (!row) throw new CatalogError(`no catalog version ${versionId}`);
  return row;
}

function describe(v: VersionRow): string {
  return describePartition(v.table_name, v.partition_key === '' ? null : v.partition_key);
}

function toVersion(meta: MetaDb, r: VersionRow): PartitionVersion {
  const files = meta
    .prepare('SELECT key, rows, bytes, kind FROM catalog_files WHERE version_id = ? ORDER BY kind, key')
    .all(r.version_id) as Required<CatalogFile>[];
  return {
    versionId: r.version_id,
    table: r.table_name,
    localDate: r.partition_key === '' ? null : r.partition_key,
    state: r.state,
    columns: JSON.parse(r.columns_json) as TableColumn[],
    schemaVersion: r.schema_version,
    rows: r.row_count,
    bytes: r.bytes,
    fileCount: r.file_count,
    minPeriodEndUtc: r.min_period_end_utc,
    maxPeriodEndUtc: r.max_period_end_utc,
    rawRows: r.raw_rows,
    quarantinedRows: r.quarantined_rows,
    duplicatesDropped: r.duplicates_dropped,
    extra: JSON.parse(r.stats_json) as Record<string, unknown>,
    runId: r.run_id,
    createdAt: r.created_at,
    catalogedAt: r.cataloged_at,
    committedAt: r.committed_at,
    retiredAt: r.retired_at,
    filesDeletedAt: r.files_deleted_at,
    files,
  };
}
