// Opens what a process needs to run pipeline tasks against a lake: the store, the metadata DB, a logger.
import type { AqlakeConfig } from '../config/index.js';
import { type MetaDb, openMetaDb } from '../lake/meta/meta-db.js';
import { LocalObjectStore, type ObjectStore } from '../lake/store/index.js';
import { createLogger, environmentSecrets, type Logger } from '../logging.js';

export interface LakeRuntime {
  config: AqlakeConfig;
  store: ObjectStore;
  meta: MetaDb;
  logger: Logger;
  close(): void;
}

export function openLakeRuntime(config: AqlakeConfig, logger?: Logger): LakeRuntime {
  const meta = openMetaDb(config.home);
  return {
    config,
    store: new LocalObjectStore(config.home),
    meta,
    logger: logger ?? createLogger({ secrets: [...environmentSecrets(), config.api.key] }),
    close: () => meta.close(),
  };
}
