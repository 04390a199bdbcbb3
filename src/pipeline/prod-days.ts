// Prod materialised per local day (ARCHITECTURE §3): publish computes a day's rows of prod.hourly, prod.daily_averages
// (and every other sql/prod table marked `materialised: per local day`) once, from the dev.measurements version it
// commits, as prod versions committed together with the dev day (src/lake/commit.ts): the tree's
// prod/{table}/year=/month=/day=/data.parquet then holds them, and the prod.* views read those files.
// `aqlake prod rebuild` recomputes the days a rule change made stale (the rule version is a hash of the SQL).
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEASUREMENTS_COLUMNS } from '../engines/dev-tables.js';
import type { DevTableFiles, Engine, ProdDayOutput } from '../engines/engine.js';
import { materialisedProdTables } from '../engines/prod-rules.js';
import {
  getCurrentVersion,
  latestSchema,
  listPartitions,
  listTableFiles,
  recordCatalogScan,
  stagePartition,
} from '../lake/catalog/index.js';
import { type CommitItem, commitVersions, rollbackPartition } from '../lake/commit.js';
import { newVersionTag, versionObjectKey } from '../lake/keys.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import type { ObjectStore } from '../lake/store/index.js';
import { mapWithConcurrency } from '../util/concurrency.js';

const MEASUREMENTS = 'measurements';

export interface ProdDaysContext {
  store: ObjectStore;
  meta: MetaDb;
  engine: Engine;
  /** The clock of the commit and of what it records (the orchestrator's; the system clock at the CLI). */
  now: () => Date;
  /** Scratch folder root for the engine's files (default: the OS temp folder). */
  workRoot?: string;
}

/** A prod day computed into local files, not yet stored. */
export interface BuiltProdDay {
  localDate: string;
  /** The dev.measurements version of the day it was computed from (null: the day has none). */
  devVersionId: number | null;
  output: ProdDayOutput;
  workDir: string;
}

/**
 * Computes prod day `localDate` from dev.measurements of that day alone (version `devVersionId`, e.g. a staged one
 * about to be committed; default the current one). Nothing is stored yet.
 *
 * The day alone suffices, so a dev day's commit can never leave another prod day stale: a measurement's hour ends at
 * the first whole local hour at or after its period end (sql/prod/00_measurement_hours.sql), and local midnight is a
 * whole local hour, so (hour end − 1 s) never falls on a later local date than (period end − 1 s), nor on an earlier
 * one. test/prod-materialised.test.ts checks it across DST changes at midnight and +05:30/+05:45 zones.
 */
export async function buildProdDay(
  ctx: ProdDaysContext,
  localDate: string,
  options: { devVersionId?: number } = {},
): Promise<BuiltProdDay> {
  const devVersionId =
    options.devVersionId ?? getCurrentVersion(ctx.meta, MEASUREMENTS, localDate)?.versionId ?? null;
  const files = listTableFiles(
    ctx.meta,
    MEASUREMENTS,
    devVersionId !== null ? { versionOverrides: [devVersionId] } : {},
  ).filter((f) => f.localDate === localDate);
  const measurementFiles = await mapWithConcurrency(files, 8, (f) => ctx.store.localPath(f.key));
  const workDir = join(ctx.workRoot ?? join(tmpdir(), 'aqlake-prod'), randomUUID());
  await mkdir(workDir, { recursive: true });
  try {
    const output = await ctx.engine.buildProdDay({
      localDate,
      measurementFiles,
      measurementColumns: latestSchema(ctx.meta, MEASUREMENTS)?.columns ?? MEASUREMENTS_COLUMNS,
      workDir,
    });
    return { localDate, devVersionId, output, workDir };
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Writes a built prod day's files as new prod versions (`prod/_versions/{table}/{day}/{tag}.parquet`, staged in the
 * catalog) and returns the commit items that make them current — with the dev day in publish's commit, or alone.
 */
export async function stageProdDay(
  ctx: ProdDaysContext,
  built: BuiltProdDay,
  options: { runId?: string | null; now?: Date } = {},
): Promise<CommitItem[]> {
  try {
    const items: CommitItem[] = [];
    for (const t of built.output.tables) {
      const key = versionObjectKey('prod', t.table, built.localDate, newVersionTag(options.now));
      await ctx.store.putFile(key, t.file.localPath);
      const versionId = stagePartition(ctx.meta, {
        zone: 'prod',
        table: t.table,
        localDate: built.localDate,
        files: [{ key, rows: t.file.rows, bytes: t.file.bytes, kind: 'data' }],
        schema: t.columns,
        stats: { extra: { ruleVersion: t.ruleVersion, devVersionId: built.devVersionId } },
        runId: options.runId ?? null,
        ...(options.now ? { now: options.now } : {}),
      });
      // The file was just written from these columns and rows: the crawler's verdict without reading it again.
      recordCatalogScan(ctx.meta, versionId, { columns: t.columns, rows: t.file.rows });
      items.push({ table: t.table, localDate: built.localDate, versionId });
    }
    return items;
  } finally {
    await rm(built.workDir, { recursive: true, force: true });
  }
}

/** After the commit: which rule and dev version each table of the day now holds (what prodDayStates compares). */
export function recordProdDay(meta: MetaDb, built: BuiltProdDay, now: Date): void {
  const record = meta.prepare(
    `INSERT INTO prod_days (table_name, local_date, rule_version, dev_version_id, rows, bytes, built_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (table_name, local_date) DO UPDATE SET rule_version = excluded.rule_version,
       dev_version_id = excluded.dev_version_id, rows = excluded.rows, bytes = excluded.bytes,
       built_at = excluded.built_at`,
  );
  meta.transaction(() => {
    for (const t of built.output.tables)
      record.run(
        t.table,
        built.localDate,
        t.ruleVersion,
        built.devVersionId,
        t.file.rows,
        t.file.bytes,
        now.toISOString(),
      );
  })();
}

/** Computes, stages and commits one prod day on its own (publish commits it with the dev day instead). */
export async function materialiseProdDay(
  ctx: ProdDaysContext,
  localDate: string,
  options: { devVersionId?: number } = {},
): Promise<BuiltProdDay> {
  const built = await buildProdDay(ctx, localDate, options);
  const now = ctx.now();
  const items = await stageProdDay(ctx, built, { now });
  await commitVersions(ctx, items, { kind: 'prod-rebuild', now });
  recordProdDay(ctx.meta, built, now);
  return built;
}

/**
 * `aqlake rollback` of a table's partition: a dev.measurements day comes back together with its prod days, computed
 * from the version coming back and committed in the same commit (the tree never pairs a dev day with prod rows of
 * another version). Other tables, or an engine that does not materialise prod, roll back alone.
 */
export async function rollbackDay(
  ctx: ProdDaysContext,
  table: string,
  localDate: string | null,
  versionId?: number,
): Promise<Awaited<ReturnType<typeof rollbackPartition>>> {
  const now = ctx.now();
  if (table !== MEASUREMENTS || localDate === null || ctx.engine.name !== 'duckdb')
    return rollbackPartition(ctx, table, localDate, versionId, { now });
  let built: BuiltProdDay | null = null;
  const result = await rollbackPartition(ctx, table, localDate, versionId, {
    now,
    alongside: async (target) => {
      built = await buildProdDay(ctx, localDate, { devVersionId: target });
      return stageProdDay(ctx, built, { now });
    },
  });
  if (built) recordProdDay(ctx.meta, built, now);
  return result;
}

export interface ProdDayState {
  localDate: string;
  /** Materialised tables whose stored day is missing, of another rule version or of another dev version. */
  stale: string[];
}

/**
 * Every local day with a current dev.measurements version (within from..to when given), and which materialised
 * tables of it are stale: never stored, computed by an older rule, or from a dev version that is no longer current.
 */
export function prodDayStates(meta: MetaDb, range: { from?: string; to?: string } = {}): ProdDayState[] {
  const rules = materialisedProdTables();
  const stored = meta.prepare(
    'SELECT table_name, rule_version, dev_version_id FROM prod_days WHERE local_date = ?',
  );
  return listPartitions(meta, MEASUREMENTS)
    .filter(
      (p): p is typeof p & { localDate: string } =>
        p.localDate !== null &&
        (range.from === undefined || p.localDate >= range.from) &&
        (range.to === undefined || p.localDate <= range.to),
    )
    .map((p) => {
      const rows = stored.all(p.localDate) as {
        table_name: string;
        rule_version: string;
        dev_version_id: number | null;
      }[];
      const stale = rules
        .filter((r) => {
          const row = rows.find((x) => x.table_name === r.table);
          return !row || row.rule_version !== r.ruleVersion || row.dev_version_id !== p.versionId;
        })
        .map((r) => r.table);
      return { localDate: p.localDate, stale };
    });
}

export interface RebuildResult {
  /** Days recomputed and stored. */
  rebuilt: string[];
  /** Days already up to date (skipped unless `all`). */
  upToDate: number;
}

/** Recomputes the stale prod days of from..to (every day with `all`), oldest first. */
export async function rebuildProd(
  ctx: ProdDaysContext,
  options: { from?: string; to?: string; all?: boolean; onDay?: (localDate: string) => void } = {},
): Promise<RebuildResult> {
  const states = prodDayStates(ctx.meta, options);
  const todo = states.filter((s) => options.all || s.stale.length > 0);
  for (const s of todo) {
    await materialiseProdDay(ctx, s.localDate);
    options.onDay?.(s.localDate);
  }
  return { rebuilt: todo.map((s) => s.localDate), upToDate: states.length - todo.length };
}

/**
 * The materialised prod tables with the local paths of their stored day files, as readers give them to
 * Engine.openReadOnlySession (`prodTables`). The tree is the truth: the files under prod/{table}/. A table with a stale
 * day (a lake published before it was materialised, or a rule changed since) is left out, so its view computes it
 * live from dev.* — right, only slower — until `aqlake prod rebuild`.
 */
export async function resolveProdTables(lake: {
  store: ObjectStore;
  meta: MetaDb;
}): Promise<DevTableFiles[]> {
  const stale = new Set(prodDayStates(lake.meta).flatMap((s) => s.stale));
  const tables: DevTableFiles[] = [];
  for (const { table } of materialisedProdTables()) {
    if (stale.has(table)) continue;
    const keys: string[] = [];
    for await (const o of lake.store.list(`prod/${table}/`))
      if (/\/year=\d{4}\/month=\d{2}\/day=\d{2}\/data\.parquet$/.test(o.key)) keys.push(o.key);
    const paths = await mapWithConcurrency(keys, 8, (k) => lake.store.localPath(k));
    tables.push({ table, paths, columns: [] });
  }
  return tables;
}
