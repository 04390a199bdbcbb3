// The openaq_daily DAG (ARCHITECTURE §1): extract_locations → extract_measurements → transform → catalog → validate → publish.
import type { AqlakeConfig } from '../config/index.js';
import { type Dag, defineDag, type TaskRunContext } from '../orchestrator/dag.js';
import { addDays, eachDate, todayIn } from '../time/local-day.js';
import { catalogDay } from './catalog-task.js';
import type { TaskContext } from './context.js';
import type { ExtractContext } from './extract-context.js';
import { extractLocations } from './extract-locations.js';
import { extractMeasurements } from './extract-measurements.js';
import { openaqClientFor } from './openaq-client.js';
import { publishDay } from './publish.js';
import type { PipelineRuntime } from './runtime.js';
import { transformDay } from './transform.js';
import { validateDay } from './validate.js';

export const OPENAQ_DAILY = 'openaq_daily';

export const OPENAQ_DAILY_TASKS = [
  'extract_locations',
  'extract_measurements',
  'transform',
  'catalog',
  'validate',
  'publish',
] as const;

/** Run params the extract and transform tasks read; backfills add `prefetch` so wide windows are fetched once. */
export interface OpenaqDailyParams {
  locations?: number[];
  prefetch?: { from: string; to: string; since: string };
}

/**
 * `openRuntime` is called when the first task runs, once: listing or planning the DAG opens nothing.
 */
export function openaqDailyDag(config: AqlakeConfig, openRuntime: () => Promise<PipelineRuntime>): Dag {
  const lookbackDays = config.lookbackDays;
  let opened: Promise<PipelineRuntime> | undefined;
  const runtimeOnce = () => {
    opened ??= openRuntime();
    return opened;
  };

  const taskContext = async (t: TaskRunContext): Promise<TaskContext> => {
    const params = t.params as OpenaqDailyParams;
    const runtime = await runtimeOnce();
    return {
      config,
      store: runtime.store,
      meta: runtime.meta,
      engine: await runtime.engine(),
      logger: t.logger,
      now: () => new Date(),
      signal: t.signal,
      fetch,
      runId: t.runId,
      interval: t.interval,
      locations: params.locations,
    };
  };
  const extractContext = async (t: TaskRunContext): Promise<ExtractContext> => {
    const params = t.params as OpenaqDailyParams;
    const runtime = await runtimeOnce();
    return {
      config,
      store: runtime.store,
      meta: runtime.meta,
      logger: t.logger,
      now: () => new Date(),
      signal: t.signal,
      runId: t.runId,
      interval: t.interval,
      locations: params.locations,
      // One client per process: its rate-limit budget is shared by every task; its log lines go to the process log.
      openaq: openaqClientFor(config, runtime.logger),
      prefetch: params.prefetch,
    };
  };
  const eachDay =
    (step: (ctx: TaskContext, localDate: string) => Promise<unknown>) =>
    async (t: TaskRunContext): Promise<void> => {
      const ctx = await taskContext(t);
      for (const day of eachDate(t.interval.from, t.interval.to)) {
        t.signal.throwIfAborted();
        await step(ctx, day);
        t.heartbeat();
      }
    };

  return defineDag({
    id: OPENAQ_DAILY,
    description:
      'OpenAQ measurements of the configured scope: raw → dev → checks → prod, one local day per run',
    schedule: { cron: config.schedule.cron, timezone: config.schedule.timezone },
    startDate: config.schedule.startDate ?? addDays(todayIn(config.schedule.timezone), -1),
    catchup: config.schedule.catchup,
    maxActiveRuns: config.schedule.maxActiveRuns,
    defaultRetries: config.orchestrator.retries,
    defaultRetryDelayMs: config.orchestrator.retryDelaySeconds * 1000,
    defaultTimeoutMs: config.orchestrator.taskTimeoutSeconds * 1000,
    // A scheduled run re-reads the lookback window because OpenAQ data arrives late; backfills and triggers take their day.
    dataInterval: (day, runType) =>
      runType === 'scheduled' ? { from: addDays(day, -lookbackDays), to: day } : { from: day, to: day },
    tasks: [
      {
        id: 'extract_locations',
        run: async (t) => {
          const snapshot = await extractLocations(await extractContext(t));
          t.logger.info(
            { locations: snapshot.locations.length, missing: snapshot.missing },
            'locations snapshot landed',
          );
        },
      },
      {
        id: 'extract_measurements',
        upstream: ['extract_locations'],
        run: async (t) => {
          const { rawKeys, ...result } = await extractMeasurements(await extractContext(t));
          t.logger.info({ ...result, rawObjects: rawKeys.length }, 'measurements landed');
        },
      },
      { id: 'transform', upstream: ['extract_measurements'], run: eachDay(transformDay) },
      { id: 'catalog', upstream: ['transform'], run: eachDay(catalogDay) },
      { id: 'validate', upstream: ['catalog'], run: eachDay(validateDay) },
      { id: 'publish', upstream: ['validate'], run: eachDay(publishDay) },
    ],
  });
}
