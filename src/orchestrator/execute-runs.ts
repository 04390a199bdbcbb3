// Runs a fixed set of DAG runs to completion in this process: the shared path of trigger, clear --run and backfill.
import type { AqlakeConfig } from '../config/index.js';
import { environmentSecrets } from '../logging.js';
import { Executor, type ExecutorEvent, type ExecutorOptions, type ExecutorResult } from './executor.js';

/** Executor knobs a caller may tune; the rest comes from the command. */
export type ExecutionSettings = Partial<
  Pick<
    ExecutorOptions,
    'heartbeatIntervalMs' | 'staleAfterMs' | 'pollIntervalMs' | 'stopGraceMs' | 'secrets' | 'logger' | 'clock'
  >
>;

export interface ExecuteRunsOptions extends ExecutionSettings {
  store: ExecutorOptions['store'];
  home: string;
  dags: ExecutorOptions['dags'];
  runIds: readonly string[];
  parallelism: number;
  maxActiveRuns?: number;
  signal?: AbortSignal;
  onEvent?: (event: ExecutorEvent) => void;
  stopOn?: ExecutorOptions['stopOn'];
}

const SETTINGS = [
  'heartbeatIntervalMs',
  'staleAfterMs',
  'pollIntervalMs',
  'stopGraceMs',
  'secrets',
  'logger',
  'clock',
] as const satisfies readonly (keyof ExecutionSettings)[];

/** Only the execution settings of a larger options object. */
export function executionSettings(options: ExecutionSettings): ExecutionSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTINGS) if (options[key] !== undefined) out[key] = options[key];
  return out as ExecutionSettings;
}

export async function executeRuns(options: ExecuteRunsOptions): Promise<ExecutorResult> {
  const { runIds, signal, ...rest } = options;
  const executor = new Executor(rest);
  for (const runId of runIds) executor.submit(runId);
  return executor.run({ untilIdle: true, ...(signal ? { signal } : {}) });
}

/** Values every task log of this process must scrub: the environment's secrets and the configured API key. */
export function secretsOf(config: AqlakeConfig | undefined): string[] {
  const key = config?.api.key;
  return [...environmentSecrets(), ...(key ? [key] : [])];
}
