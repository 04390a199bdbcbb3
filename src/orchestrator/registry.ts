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

const registry = new Map<string, RegisteredDag>();

/** The built-in loader: only the example DAG. The integrator replaces it (setDagLoader) with openaq_daily. */
let loader: DagLoader = (config) => [exampleNoopDag(config)];

export function registerDag(
  dag: Dag,
  options: { planner?: DagPlanner; refresher?: DagRefresher; replace?: boolean } = {},
): void {
  if (registry.has(dag.id) && !options.replace) throw new Error(`DAG ${dag.id} is already registered`);
  registry.set(dag.id, {
    dag,
    ...(options.planner ? { planner: options.planner } : {}),
    ...(options.refresher ? { refresher: options.refresher } : {}),
  });
}

export function unregisterDag(id: string): void {
  registry.delete(id);
}

/** The registered DAG, or a UsageError naming the known ones. */
export function getDag(id: string): Dag {
  const entry = registry.get(id);
  if (!entry) {
    const known = [...registry.keys()].join(', ') || 'none';
    throw new UsageError(`unknown DAG "${id}" (known: ${known})`);
  }
  return entry.dag;
}

export function findDag(id: string): Dag | undefined {
  return registry.get(id)?.dag;
}

export function getPlanner(id: string): DagPlanner | undefined {
  return registry.get(id)?.planner;
}

export function getRefresher(id: string): DagRefresher | undefined {
  return registry.get(id)?.refresher;
}

export function listDags(): Dag[] {
  return [...registry.values()].map((e) => e.dag);
}

/** Replaces the loader `loadDags` uses; call before the CLI runs (e.g. with the openaq_daily DAG). */
export function setDagLoader(next: DagLoader): void {
  loader = next;
}

/**
 * The DAGs the CLI works with: registered ones, else the loader's (by default the example DAG).
 * Idempotent, so every command may call it.
 */
export function loadDags(config: AqlakeConfig): Dag[] {
  if (registry.size === 0)
    for (const entry of loader(config)) {
      const reg = 'dag' in entry ? entry : { dag: entry };
      registerDag(reg.dag, {
        ...(reg.planner ? { planner: reg.planner } : {}),
        ...(reg.refresher ? { refresher: reg.refresher } : {}),
        replace: true,
      });
    }
  return listDags();
}

/** The DAG a command uses when --dag is not given: openaq_daily if registered, else the first one. */
export function defaultDagId(): string {
  const ids = [...registry.keys()];
  if (ids.includes('openaq_daily')) return 'openaq_daily';
  if (ids[0] === undefined) throw new UsageError('no DAG is registered');
  return ids[0];
}
