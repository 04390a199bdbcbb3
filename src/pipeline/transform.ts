// The transform task: raw → dev. Reads the raw objects overlapping local days, has the engine write Parquet aside,
// uploads it as a new version object under dev/_versions/ and stages it — invisible until publish commits it.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LocalFile, RawMeasurementsObject } from '../engines/engine.js';
import { QUALITY_RULES_PATH } from '../engines/sql-files.js';
import { archiveTransformInputs } from '../lake/archive-days.js';
import {
  type CatalogFile,
  getCurrentVersion,
  listTableFiles,
  stagePartition,
} from '../lake/catalog/index.js';
import { commitVersions } from '../lake/commit.js';
import {
  newVersionTag,
  RAW_LOCATIONS_ENDPOINT,
  RAW_MEASUREMENTS_ENDPOINT,
  versionObjectKey,
} from '../lake/keys.js';
import { findRawObjects, rawMeasurementsObject } from '../lake/manifest.js';
import { transformWorkRoot } from '../lake/scratch.js';
import type { ObjectStore } from '../lake/store/index.js';
import { LOCATIONS_TABLE, MEASUREMENTS_TABLE, SENSORS_TABLE } from '../lake/tables.js';
import { addDays } from '../time/local-day.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import { catalogVersion } from './catalog-version.js';
import type { TaskContext } from './context.js';

/** Local paths fetched at once (an S3 store downloads each). */
const LOCAL_PATH_CONCURRENCY = 8;

export type TransformContext = Pick<TaskContext, 'config' | 'store' | 'meta' | 'engine' | 'logger' | 'runId'>;

/** Points inside a transform where a test can stop the process (see test/commit-kill.test.ts). */
export type TransformStep = 'engine-done' | 'file-uploaded' | 'uploaded' | 'staged';

export interface TransformOptions {
  onStep?: (step: TransformStep, detail: { localDate?: string; key?: string }) => Promise<void> | void;
}

export interface TransformDayResult {
  localDate: string;
  /** The staged version: catalog and validate it, then publish commits it. */
  versionId: number;
  rows: number;
  rawRows: number;
  quarantinedRows: number;
  duplicatesDropped: number;
  files: number;
  bytes: number;
  quarantineFiles: number;
  /** Raw objects read for the day (and its neighbours when a range was transformed in one pass). */
  rawObjects: number;
}

/** Transforms one local day of dev.measurements and stages it. */
export async function transformDay(
  ctx: TransformContext,
  localDate: string,
  options: TransformOptions = {},
): Promise<TransformDayResult> {
  const [day] = await transformDays(ctx, localDate, localDate, options);
  return day!;
}

/**
 * Transforms local days `from`..`to` in one pass over the raw objects (a raw object spans up to ~41 days, so a
 * backfill reads each object once instead of once per day) and stages one new version per day, also for a day
 * without rows. Same raw input → the same rows; new or revised raw data → the new version holds it.
 */
export async function transformDays(
  ctx: TransformContext,
  from: string,
  to: string,
  options: TransformOptions = {},
): Promise<TransformDayResult[]> {
  await refreshDimensions(ctx);
  // Wide enough for every zone (UTC−12 … UTC+14): rows are then kept by their local date.
  const spanFromUtc = new Date(Date.parse(`${from}T00:00:00Z`) - 14 * 3_600_000).toISOString();
  const spanToUtc = new Date(Date.parse(`${addDays(to, 1)}T00:00:00Z`) + 12 * 3_600_000).toISOString();
  const manifest = findRawObjects(ctx.meta, {
    endpoint: RAW_MEASUREMENTS_ENDPOINT,
    overlapping: { fromUtc: spanFromUtc, toUtc: spanToUtc },
  }).filter((o): o is typeof o & { sensorId: number } => o.sensorId !== null);
  // An engine that reads the store itself (Glue) gets keys: nothing raw is fetched to this machine.
  const byKey = ctx.engine.readsStore === true;
  const objects: RawMeasurementsObject[] = await mapWithConcurrency(
    manifest,
    LOCAL_PATH_CONCURRENCY,
    async (o) => rawMeasurementsObject(o, byKey ? '' : await ctx.store.localPath(o.rawKey)),
  );
  const locationKeys = listTableFiles(ctx.meta, LOCATIONS_TABLE).map((f) => f.key);
  const locationFiles = byKey ? [] : await localPaths(ctx.store, locationKeys);
  const { parameterKeys, ...archive } = await archiveTransformInputs(ctx, from, to, { localPaths: !byKey });

  const workDir = await newWorkDir(ctx);
  try {
    const output = await ctx.engine.transformMeasurements({
      fromDate: from,
      toDate: to,
      versionTag: newVersionTag(),
      objects,
      locationFiles,
      locationKeys,
      parameterKeys,
      qualityRulesPath: QUALITY_RULES_PATH,
      workDir,
      ...archive,
    });
    await options.onStep?.('engine-done', {});
    const results: TransformDayResult[] = [];
    for (const day of output.days) {
      // The engine's own objects (Glue wrote them to their version keys in S3) are staged as they are; an engine's
      // local files are uploaded to new version keys.
      const files: CatalogFile[] = (day.storedFiles ?? []).map((f) => ({ ...f }));
      const tag = newVersionTag();
      for (const kind of ['data', 'quarantine'] as const) {
        const written = kind === 'data' ? day.files : day.quarantineFiles;
        if (written.length === 0) continue;
        const f = await oneFile(ctx, written, `${day.localDate} ${kind}`);
        const key = versionObjectKey('dev', MEASUREMENTS_TABLE, day.localDate, tag, kind);
        await ctx.store.putFile(key, f.localPath);
        files.push({ key, rows: f.rows, bytes: f.bytes, kind });
        if (kind === 'data') await options.onStep?.('file-uploaded', { localDate: day.localDate, key });
      }
      await options.onStep?.('uploaded', { localDate: day.localDate });
      const versionId = stagePartition(ctx.meta, {
        table: MEASUREMENTS_TABLE,
        localDate: day.localDate,
        files,
        schema: output.columns,
        stats: {
          minPeriodEndUtc: day.stats.minPeriodEndUtc,
          maxPeriodEndUtc: day.stats.maxPeriodEndUtc,
          rawRows: day.stats.rawRows,
          quarantinedRows: day.stats.quarantinedRows,
          duplicatesDropped: day.stats.duplicatesDropped,
          extra: {
            rawObjects: objects.length,
            archiveObjects: archive.archiveObjects.length,
            transformedRange: { from, to },
          },
        },
        runId: ctx.runId,
      });
      await options.onStep?.('staged', { localDate: day.localDate });
      const result: TransformDayResult = {
        localDate: day.localDate,
        versionId,
        rows: day.stats.rows,
        rawRows: day.stats.rawRows,
        quarantinedRows: day.stats.quarantinedRows,
        duplicatesDropped: day.stats.duplicatesDropped,
        files: day.files.length,
        bytes: day.files.reduce((s, f) => s + f.bytes, 0),
        quarantineFiles: day.quarantineFiles.length,
        rawObjects: objects.length + archive.archiveObjects.length,
      };
      ctx.logger.info({ task: 'transform', ...result }, 'day transformed and staged');
      results.push(result);
    }
    return results;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

export interface DimensionsRefresh {
  /** False when dev.locations already reflects every location snapshot in raw/. */
  changed: boolean;
  snapshots: number;
  locationsVersionId: number | null;
  sensorsVersionId: number | null;
}

/**
 * Rebuilds dev.locations and dev.sensors from every location snapshot when raw/ holds snapshots the current
 * version has not seen, and commits them at once: dimensions are not gated by a day's checks, and the
 * measurements transform takes each location's timezone and coordinates from them.
 */
export async function refreshDimensions(ctx: TransformContext): Promise<DimensionsRefresh> {
  const snapshots = findRawObjects(ctx.meta, { endpoint: RAW_LOCATIONS_ENDPOINT, validOnly: true });
  const current = getCurrentVersion(ctx.meta, LOCATIONS_TABLE, null);
  const fingerprint = createHash('sha256')
    .update(snapshots.map((o) => o.rawKey).join('\n'))
    .digest('hex');
  if (snapshots.length === 0 || current?.extra.inputFingerprint === fingerprint) {
    return {
      changed: false,
      snapshots: snapshots.length,
      locationsVersionId: current?.versionId ?? null,
      sensorsVersionId: getCurrentVersion(ctx.meta, SENSORS_TABLE, null)?.versionId ?? null,
    };
  }
  const objects = await mapWithConcurrency(snapshots, LOCAL_PATH_CONCURRENCY, async (o) => ({
    rawKey: o.rawKey,
    path: await ctx.store.localPath(o.rawKey),
    fetchedAt: o.fetchedAt,
  }));
  const workDir = await newWorkDir(ctx);
  try {
    const output = await ctx.engine.transformDimensions({ objects, workDir });
    const versionIds: Record<string, number> = {};
    const tag = newVersionTag();
    for (const [table, out] of [
      [LOCATIONS_TABLE, output.locations],
      [SENSORS_TABLE, output.sensors],
    ] as const) {
      const files: CatalogFile[] = [];
      if (out.files.length > 0) {
        const f = await oneFile(ctx, out.files, table);
        const key = versionObjectKey('dev', table, null, tag);
        await ctx.store.putFile(key, f.localPath);
        files.push({ key, rows: f.rows, bytes: f.bytes });
      }
      const versionId = stagePartition(ctx.meta, {
        table,
        localDate: null,
        files,
        schema: out.columns,
        stats: { extra: { inputFingerprint: fingerprint, snapshots: snapshots.length } },
        runId: ctx.runId,
      });
      await catalogVersion(ctx, versionId);
      versionIds[table] = versionId;
    }
    // One commit: a reader never sees new locations beside old sensors.
    await commitVersions(
      ctx,
      [LOCATIONS_TABLE, SENSORS_TABLE].map((table) => ({
        table,
        localDate: null,
        versionId: versionIds[table]!,
      })),
      { kind: 'dimensions' },
    );
    ctx.logger.info(
      { task: 'transform', snapshots: snapshots.length },
      'dev.locations and dev.sensors rebuilt',
    );
    return {
      changed: true,
      snapshots: snapshots.length,
      locationsVersionId: versionIds[LOCATIONS_TABLE] ?? null,
      sensorsVersionId: versionIds[SENSORS_TABLE] ?? null,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The one file of a partition version (the lake keeps one object per partition). An engine that wrote several
 * (a parallel writer) has them merged here with DuckDB, rows in file order.
 */
async function oneFile(ctx: TransformContext, files: readonly LocalFile[], what: string): Promise<LocalFile> {
  if (files.length === 1) return files[0]!;
  const { mergeParquetFiles } = await import('../engines/duckdb/merge-parquet.js');
  const out = join(dirname(files[0]!.localPath), `merged-${randomUUID()}.parquet`);
  ctx.logger.debug({ task: 'transform', files: files.length, what }, 'merging Parquet files into one object');
  return mergeParquetFiles(
    files.map((f) => f.localPath),
    out,
  );
}

async function localPaths(store: ObjectStore, keys: string[]): Promise<string[]> {
  return mapWithConcurrency(keys, LOCAL_PATH_CONCURRENCY, (key) => store.localPath(key));
}

async function newWorkDir(ctx: TransformContext): Promise<string> {
  const dir = join(transformWorkRoot(ctx.config.home), randomUUID());
  await mkdir(dir, { recursive: true });
  return dir;
}
