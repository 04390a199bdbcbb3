// Opens what a process needs to run pipeline tasks against a lake: the store, the metadata DB, a logger, the engine.
import type { AqlakeConfig } from '../config/index.js';
import type { Engine } from '../engines/engine.js';
import { createEngine } from '../engines/index.js';
import { errorMessage } from '../errors.js';
import { recoverCommits, upgradeLegacyLayout } from '../lake/commit.js';
import { type MetaDb, openMetaDb } from '../lake/meta/meta-db.js';
import { createObjectStore } from '../lake/store/create-store.js';
import type { ObjectStore } from '../lake/store/index.js';
import { createLogger, environmentSecrets, type Logger } from '../logging.js';

export interface LakeRuntime {
  config: AqlakeConfig;
  store: ObjectStore;
  meta: MetaDb;
  logger: Logger;
  close(): Promise<void>;
}

export interface PipelineRuntime extends LakeRuntime {
  /** The configured engine, started on first use (DuckDB costs nothing until a task needs it). */
  engine(): Promise<Engine>;
}

/**
 * Opens the lake, rolls forward any commit a killed process left open (src/lake/commit.ts) and moves a lake written
 * before the one-object-per-partition layout to it, so every command starts from a tree that matches the catalog.
 */
export async function openLakeRuntime(config: AqlakeConfig, logger?: Logger): Promise<LakeRuntime> {
  const store = await createObjectStore(config);
  const meta = openMetaDb(config.home);
  const log = logger ?? createLogger({ secrets: [...environmentSecrets(), config.api.key] });
  try {
    const recovered = await recoverCommits({ store, meta });
    if (recovered.length > 0)
      log.warn({ commits: recovered }, 'rolled forward commits a stopped process left open');
    const upgraded = await upgradeLegacyLayout({ store, meta });
    if (upgraded.moved > 0)
      log.info({ objects: upgraded.moved }, 'moved the lake to the one-object-per-partition layout');
    if (upgraded.skipped.length > 0)
      log.warn(
        { versions: upgraded.skipped },
        'versions with several files per partition kept the old layout',
      );
  } catch (err) {
    log.error(
      { err: errorMessage(err) },
      'could not roll forward an open commit or move the lake to its layout; the next command retries',
    );
  }
  return {
    config,
    store,
    meta,
    logger: log,
    close: async () => {
      meta.close();
    },
  };
}

export async function openPipelineRuntime(config: AqlakeConfig, logger?: Logger): Promise<PipelineRuntime> {
  const lake = await openLakeRuntime(config, logger);
  // One engine per runtime even when two tasks ask for it at once.
  let engine: Promise<Engine> | undefined;
  return {
    ...lake,
    engine: () => {
      engine ??= createEngine(config);
      return engine;
    },
    close: async () => {
      if (engine) await (await engine.catch(() => null))?.close();
      await lake.close();
    },
  };
}
