// What every pipeline task receives: effects are passed in, so a test swaps them without mocking modules.
import type { AqlakeConfig } from '../config/index.js';
import type { Engine } from '../engines/engine.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import type { ObjectStore } from '../lake/store/index.js';
import type { Logger } from '../logging.js';
import type { DataInterval } from '../orchestrator/dag.js';

export interface TaskContext {
  config: AqlakeConfig;
  store: ObjectStore;
  meta: MetaDb;
  engine: Engine;
  logger: Logger;
  now: () => Date;
  signal: AbortSignal;
  fetch: typeof fetch;
  /** The DAG run this task belongs to, for the manifest's lineage; null for direct CLI calls. */
  runId: string | null;
  interval: DataInterval;
  /** Location ids that replace the configured scope (the --locations flag). */
  locations?: number[];
}
