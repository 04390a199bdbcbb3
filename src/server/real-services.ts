// The server's Services over the real modules: the orchestrator's run store, the lake catalog, check results and a
// locked-down DuckDB session of the lake. Everything the server needs from them goes through the adapters in real/.
import type { AqlakeConfig } from '../config/index.js';
import type { Engine } from '../engines/engine.js';
import { createEngine } from '../engines/index.js';
import { type MetaDb, openMetaDb } from '../lake/meta/meta-db.js';
import { metaDbIdentity, metaDbProblem } from '../lake/meta/meta-identity.js';
import { createObjectStore, type ObjectStore } from '../lake/store/index.js';
import type { Logger } from '../logging.js';
import { type Dag, RunStore } from '../orchestrator/index.js';
import { checkResults } from './real/check-results.js';
import { lakeCatalog } from './real/lake-catalog.js';
import { lakeQueries } from './real/lake-queries.js';
import { orchestratorRuns } from './real/orchestrator-runs.js';
import type { Services } from './services.js';

export interface RealServicesOptions {
  config: AqlakeConfig;
  /** The DAG the page shows, triggers and backfills (openaq_daily). */
  dag: Dag;
  logger?: Logger;
  /** Share the caller's metadata DB, store or engine; otherwise they are opened here and closed by close(). */
  meta?: MetaDb;
  store?: ObjectStore;
  engine?: Engine;
}

export interface RealServices {
  services: Services;
  /** Stops background runs started from the page (interrupted tasks are recorded), then closes what it opened. */
  close(): Promise<void>;
}

/**
 * @example
 * const real = await createRealServices({ config, dag: pickDag(dags, config, undefined) });
 * const server = await startServer({ config, services: real.services });
 */
export async function createRealServices(options: RealServicesOptions): Promise<RealServices> {
  const { config, dag, logger } = options;
  const meta = options.meta ?? openMetaDb(config.home);
  const opened = metaDbIdentity(config.home);
  const store = options.store ?? (await createObjectStore(config));
  const engine = options.engine ?? (await createEngine(config));
  const runs = orchestratorRuns({ config, store: new RunStore(meta), dag, ...(logger ? { logger } : {}) });
  const lake = lakeQueries({ config, meta, store, engine });
  return {
    services: {
      health: {
        problems: () => {
          const problem = metaDbProblem(config.home, opened);
          return problem ? [problem] : [];
        },
      },
      runs,
      catalog: lakeCatalog(meta),
      checks: checkResults(meta),
      query: lake.query,
      prod: lake.prod,
    },
    async close() {
      await runs.close();
      lake.close();
      if (!options.engine) await engine.close();
      if (!options.meta) meta.close();
    },
  };
}
