// The catalog in SQLite: stage a partition version, record what the crawler found, commit (one transaction swaps a
// partition's current version), and resolve a table's current files for readers.
import { AqlakeError } from '../../errors.js';
import type { MetaDb } from '../meta/meta-db.js';
import { compareSchemas, evolvedColumns, type SchemaChange, type TableColumn } from './schema-evolution.js';

export type FileKind = 'data' | 'quarantine';
export type VersionState = 'staged' | 'current' | 'superseded' | 'discarded';

export interface CatalogFile {
  key: string;
  rows: number;
  bytes: number;
  /** Default `data`. Quarantine files live and die with the version that produced them. */
  kind?: FileKind;
}

export interface StageStats {
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
    ensureTable(meta, input.table, input.localDate !== null, now);
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

function ensureTable(meta: MetaDb, table: string, partitioned: boolean, now: string): void {
  const row = meta.prepare('SELECT partitioned FROM catalog_tables WHERE table_name = ?').get(table) as
    | { partitioned: number }
    | undefined;
  if (!row) {
    meta
      .prepare('INSERT INTO catalog_tables (table_name, partitioned, created_at) VALUES (?, ?, ?)')
      .run(table, partitioned ? 1 : 0, now);
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

export interface CommitOptions {
  now?: Date;
  /** Runs inside the commit transaction, just before it ends (tests use it to kill a process mid-commit). */
  beforeCommit?: () => void;
}

export interface CommitResult {
  /** Keys of the files of the version this commit replaced: delete them (see commitAndCleanup). */
  supersededKeys: string[];
  previousVersionId: number | null;
}

/**
 * Makes a staged, cataloged version the partition's current one, in ONE SQLite transaction: readers resolving
 * files through the catalog see the old partition or the new one, never a mix. Committing the version that is
 * already current does nothing.
 */
export function commitPartition(
  meta: MetaDb,
  table: string,
  localDate: string | null,
  versionId: number,
  options: CommitOptions = {},
): CommitResult {
  const key = partitionKey(localDate);
  const now = (options.now ?? new Date()).toISOString();
  const commit = meta.transaction((): CommitResult => {
    const v = versionRow(meta, versionId);
    if (v.table_name !== table || v.partition_key !== key)
      throw new CatalogError(
        `version ${versionId} belongs to ${describe(v)}, not to ${describePartition(table, localDate)}`,
      );
    if (v.state === 'current') return { supersededKeys: [], previousVersionId: versionId };
    if (v.state !== 'staged')
      throw new CatalogError(`version ${versionId} of ${describe(v)} is ${v.state} and cannot be committed`);
    if (v.schema_version === null)
      throw new CatalogError(
        `version ${versionId} of ${describe(v)} has not been cataloged; run the catalog step before publishing it`,
      );
    const previous = meta
      .prepare(
        "SELECT version_id FROM catalog_versions WHERE table_name = ? AND partition_key = ? AND state = 'current'",
      )
      .get(table, key) as { version_id: number } | undefined;
    if (previous)
      meta
        .prepare("UPDATE catalog_versions SET state = 'superseded', retired_at = ? WHERE version_id = ?")
        .run(now, previous.version_id);
    meta
      .prepare("UPDATE catalog_versions SET state = 'current', committed_at = ? WHERE version_id = ?")
      .run(now, versionId);
    const supersededKeys = previous ? fileKeys(meta, previous.version_id) : [];
    options.beforeCommit?.();
    return { supersededKeys, previousVersionId: previous?.version_id ?? null };
  });
  return commit.immediate();
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

export function listTables(meta: MetaDb): TableSummary[] {
  const rows = meta
    .prepare(
      `SELECT t.table_name, t.partitioned,
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

/** Keys referenced by a version that may still be read or committed (staged or current). */
export function liveFileKeys(meta: MetaDb): Set<string> {
  const rows = meta
    .prepare(
      `SELECT f.key FROM catalog_files f JOIN catalog_versions v ON v.version_id = f.version_id
       WHERE v.state IN ('staged', 'current')`,
    )
    .all() as { key: string }[];
  return new Set(rows.map((r) => r.key));
}

/** Every key of a retired (superseded or discarded) version, with when it was retired. */
export function retiredFiles(meta: MetaDb): Map<string, { versionId: number; retiredAt: string | null }> {
  const rows = meta
    .prepare(
      `SELECT f.key, v.version_id, v.retired_at FROM catalog_files f JOIN catalog_versions v ON v.version_id = f.version_id
       WHERE v.state IN ('superseded', 'discarded')`,
    )
    .all() as { key: string; version_id: number; retired_at: string | null }[];
  return new Map(rows.map((r) => [r.key, { versionId: r.version_id, retiredAt: r.retired_at }]));
}

/** Staged versions created before `before` (abandoned by a crash or a failed validation). */
export function staleStagedVersions(meta: MetaDb, before: Date): number[] {
  return (
    meta
      .prepare(
        "SELECT version_id FROM catalog_versions WHERE state = 'staged' AND created_at < ? ORDER BY version_id",
      )
      .all(before.toISOString()) as { version_id: number }[]
  ).map((r) => r.version_id);
}

/** Retired versions whose files have not all been recorded as deleted. */
/** Replaced or discarded versions whose files are still in the store (retired before `retiredBefore`, when given). */
export function retiredVersionsWithFiles(meta: MetaDb, retiredBefore?: Date): number[] {
  return (
    meta
      .prepare(
        `SELECT version_id FROM catalog_versions
         WHERE state IN ('superseded', 'discarded') AND files_deleted_at IS NULL
           AND (@before IS NULL OR retired_at <= @before)
         ORDER BY version_id`,
      )
      .all({ before: retiredBefore?.toISOString() ?? null }) as { version_id: number }[]
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
