// A throwaway lake for transform/catalog tests: temp folder, filesystem store, metadata DB, DuckDB engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AqlakeConfig, parseConfig } from '../../src/config/index.js';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';
import {
  createDuckDbInstance,
  duckDbSettings,
  withSession,
} from '../../src/engines/duckdb/duckdb-instance.js';
import type { Engine } from '../../src/engines/engine.js';
import { type MetaDb, openMetaDb } from '../../src/lake/meta/meta-db.js';
import { LocalObjectStore } from '../../src/lake/store/index.js';
import { createLogger, type Logger } from '../../src/logging.js';
import { OpenAQClient } from '../../src/openaq/index.js';
import type { DataInterval } from '../../src/orchestrator/dag.js';
import type { ExtractContext } from '../../src/pipeline/extract-context.js';
import { systemClock } from '../../src/time/clock.js';

export interface TestLake {
  home: string;
  config: AqlakeConfig;
  store: LocalObjectStore;
  meta: MetaDb;
  engine: Engine;
  logger: Logger;
  runId: string | null;
  close(): Promise<void>;
}

export function openTestLake(home = mkdtempSync(join(tmpdir(), 'aqlake-transform-'))): TestLake {
  const config = { ...parseConfig({ duckdb: { memoryLimit: '512MB', threads: 2 } }), home };
  const meta = openMetaDb(home);
  const engine = new DuckDbEngine(duckDbSettings(config));
  return {
    home,
    config,
    store: new LocalObjectStore(home),
    meta,
    engine,
    logger: createLogger({ level: process.env.AQLAKE_LOG_LEVEL ?? 'silent' }),
    runId: null,
    async close() {
      await engine.close();
      meta.close();
    },
  };
}

/** The extract tasks' context on a test lake, against the OpenAQ API at `apiUrl` (the simulator) without rate limits. */
export function lakeExtractContext(
  lake: Pick<TestLake, 'config' | 'store' | 'meta' | 'logger'>,
  apiUrl: string,
  scope: { interval: DataInterval; locations: number[] },
): ExtractContext {
  return {
    ...lake,
    ...scope,
    now: systemClock,
    signal: new AbortController().signal,
    runId: null,
    openaq: new OpenAQClient({
      baseUrl: apiUrl,
      rateLimit: { perMinute: 100_000, perHour: 1_000_000 },
      timeoutMs: 20_000,
      maxRetries: 0,
    }),
  };
}

export async function removeTestLake(lake: TestLake): Promise<void> {
  await lake.close();
  rmSync(lake.home, { recursive: true, force: true });
}

/** Rows of Parquet files, read with DuckDB as a reader of the lake would (TIMESTAMP/DATE as ISO text). */
export async function readParquetRows(
  paths: readonly string[],
  orderBy = 'sensor_id, period_end_utc',
): Promise<Record<string, unknown>[]> {
  if (paths.length === 0) return [];
  const instance = await createDuckDbInstance({
    memoryLimit: '256MB',
    threads: 1,
    tempDirectory: join(tmpdir(), 'aqlake-test-duckdb'),
  });
  try {
    return await withSession(instance, (db) =>
      db.rows(
        `SELECT * REPLACE (
           strftime(period_start_utc, '%Y-%m-%dT%H:%M:%SZ') AS period_start_utc,
           strftime(period_end_utc, '%Y-%m-%dT%H:%M:%SZ') AS period_end_utc,
           strftime(local_date, '%Y-%m-%d') AS local_date,
           strftime(ingested_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS ingested_at)
         FROM read_parquet($paths, hive_partitioning = false) ORDER BY ${orderBy}`,
        { paths: [...paths] },
      ),
    );
  } finally {
    instance.closeSync();
  }
}
