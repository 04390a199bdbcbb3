// Opens what a process needs to run pipeline tasks against a lake: the store, the metadata DB, a logger, the engine.
import type { AqlakeConfig } from '../config/index.js';
import type { Engine } from '../engines/engine.js';
import { createEngine } from '../engines/index.js';
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

export async function openLakeRuntime(config: AqlakeConfig, logger?: Logger): Promise<LakeRuntime> {
  const store = await createObjectStore(config);
  const meta = openMetaDb(config.home);
  return {
    config,
    store,
    meta,
    logger: logger ?? createLogger({ secrets: [...environmentSecrets(), config.api.key] }),
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
