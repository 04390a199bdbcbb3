// The DAGs the CLI knows: registered by code (the integrator's loader), looked up by id, with an optional planner.
import type { AqlakeConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { Dag } from './dag.js';
import { exampleNoopDag } from './example-dag.js';

/** What a backfill of these days will cost, for `backfill --dry-run`. */
export interface PlanEstimate {
  /** API requests the runs will make. */
  requests: number;
  /** Time those requests take under the rate limits. */
  seconds: number;
  /** Anything else worth a line in the plan. */
  note?: string;
}

export interface DagPlanner {
  estimate(days: readonly string[], params: Record<string, unknown>): PlanEstimate | Promise<PlanEstimate>;
}

/**
 * Finds days whose source data changed since they ran (e.g. an archive file re-exported with late data), so a
 * backfill reruns them instead of skipping them as done. May fetch and land what changed.
 */
export interface DagRefresher {
  changedDays(
    from: string,
    to: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<string[]>;
}

export interface RegisteredDag {
  dag: Dag;
  planner?: DagPlanner;
  refresher?: DagRefresher;
}

/** Builds the DAGs of this installation from the configuration. */
export type DagLoader = (config: AqlakeConfig) => readonly (Dag | RegisteredDag)[];

/** The built-in loader: only the example DAG. The CLI gives its registry the pipeline's (openaq_daily). */
const exampleLoader: DagLoader = (config) => [exampleNoopDag(config)];

/**
 * The DAGs one program works with: registered ones, else its loader's. The CLI's composition root (src/cli/main.ts)
 * builds one and passes it to the commands; the orchestrator itself (executor, scheduler, backfill) only ever receives
 * a DagLookup (`registry.find`), so tests build their own.
 */
export class DagRegistry {
  private readonly entries = new Map<string, RegisteredDag>();

  constructor(private readonly loader: DagLoader = exampleLoader) {}

  register(
    dag: Dag,
    options: { planner?: DagPlanner; refresher?: DagRefresher; replace?: boolean } = {},
  ): void {
    if (this.entries.has(dag.id) && !options.replace) throw new Error(`DAG ${dag.id} is already registered`);
    this.entries.set(dag.id, {
      dag,
      ...(options.planner ? { planner: options.planner } : {}),
      ...(options.refresher ? { refresher: options.refresher } : {}),
    });
  }

  unregister(id: string): void {
    this.entries.delete(id);
  }

  /** The registered DAG, or a UsageError naming the known ones. */
  get(id: string): Dag {
    const entry = this.entries.get(id);
    if (!entry) {
      const known = [...this.entries.keys()].join(', ') || 'none';
      throw new UsageError(`unknown DAG "${id}" (known: ${known})`);
    }
    return entry.dag;
  }

  /** A DagLookup (bound, so it can be passed as is). */
  readonly find = (id: string): Dag | undefined => this.entries.get(id)?.dag;

  planner(id: string): DagPlanner | undefined {
    return this.entries.get(id)?.planner;
  }

  refresher(id: string): DagRefresher | undefined {
    return this.entries.get(id)?.refresher;
  }

  list(): Dag[] {
    return [...this.entries.values()].map((e) => e.dag);
  }

  /** Registered DAGs, else the loader's. Idempotent, so every command may call it. */
  load(config: AqlakeConfig): Dag[] {
    if (this.entries.size === 0)
      for (const entry of this.loader(config)) {
        const reg = 'dag' in entry ? entry : { dag: entry };
        this.register(reg.dag, {
          ...(reg.planner ? { planner: reg.planner } : {}),
          ...(reg.refresher ? { refresher: reg.refresher } : {}),
          replace: true,
        });
      }
    return this.list();
  }

  /** The DAG a command uses when --dag is not given: openaq_daily if registered, else the first one. */
  defaultId(): string {
    const ids = [...this.entries.keys()];
    if (ids.includes('openaq_daily')) return 'openaq_daily';
    if (ids[0] === undefined) throw new UsageError('no DAG is registered');
    return ids[0];
  }
}
