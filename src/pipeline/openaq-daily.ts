// The openaq_daily DAG (ARCHITECTURE §1): extract_locations → extract_measurements → transform → catalog → validate → publish.
import type { AqlakeConfig } from '../config/index.js';
import type { Engine } from '../engines/engine.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import type { Logger } from '../logging.js';
import type { ArchiveClient } from '../openaq/archive.js';
import type { OpenAQClient } from '../openaq/index.js';
import { type Dag, defineDag, type TaskRunContext } from '../orchestrator/dag.js';
import { SkipTask } from '../orchestrator/errors.js';
import { recordTaskCost } from '../orchestrator/task-cost.js';
import { type Clock, systemClock } from '../time/clock.js';
import { addDays, eachDate, todayIn } from '../time/local-day.js';
import { catalogDay } from './catalog-task.js';
import type { TaskContext } from './context.js';
import { extractArchiveTask } from './extract-archive.js';
import type { ExtractContext } from './extract-context.js';
import { extractLocations } from './extract-locations.js';
import { extractMeasurements } from './extract-measurements.js';
import { createArchiveClient, createOpenaqClient } from './openaq-client.js';
import { publishDay } from './publish.js';
import type { PipelineRuntime } from './runtime.js';
import {
  parseSourceMode,
  type SourceMode,
  type SourceSplit,
  sourceToday,
  splitBySource,
} from './source-choice.js';
import { transformDays } from './transform.js';
import { validateDay } from './validate.js';

export const OPENAQ_DAILY = 'openaq_daily';

/** Run params the extract and transform tasks read; backfills add `prefetch` so wide windows are fetched once. */
interface OpenaqDailyParams {
  locations?: number[];
  prefetch?: { from: string; to: string; since: string };
  /** Where measurements come from: `auto` = the archive for days past its export lag, the API for newer ones. */
  source?: SourceMode;
}

/**
 * `openRuntime` is called when the first task runs, once: listing or planning the DAG opens nothing. `clock` is the
 * tasks' now (what they record and which days the archive serves); the system clock unless a test fixes it.
 */
export function openaqDailyDag(
  config: AqlakeConfig,
  openRuntime: () => Promise<PipelineRuntime>,
  options: { clock?: Clock } = {},
): Dag {
  const clock = options.clock ?? systemClock;
  const lookbackDays = config.lookbackDays;
  let opened: Promise<PipelineRuntime> | undefined;
  const runtimeOnce = () => {
    opened ??= openRuntime();
    return opened;
  };
  // One client of each per DAG: its rate-limit budget is shared by every task; its log lines go to the process log.
  let openaq: OpenAQClient | undefined;
  let archive: ArchiveClient | undefined;
  const openaqOnce = (logger: Logger): OpenAQClient => {
    openaq ??= createOpenaqClient(config, logger);
    return openaq;
  };
  const archiveOnce = (logger: Logger): ArchiveClient => {
    archive ??= createArchiveClient(config, logger);
    return archive;
  };
  // Shared by the runs of this DAG: parallel runs of a backfill fetch each window once.
  const windowsInFlight = new Map<string, Promise<unknown>>();
  // One line for the whole command, not one per day: the archive is unreachable, the API stands in.
  let warnedArchiveFallback = false;
  const warnArchiveFallbackOnce = (logger: Logger, reason: string): void => {
    if (warnedArchiveFallback) return;
    warnedArchiveFallback = true;
    logger.warn(
      { archive: config.archive.url, reason },
      'the OpenAQ archive cannot be reached: days past the archive lag are fetched from the API instead',
    );
  };

  // What the contexts of every task share: the lake, the run's logger, signal, interval and scope, the DAG's clock.
  const sharedContext = async (t: TaskRunContext) => {
    const runtime = await runtimeOnce();
    const shared = {
      config,
      store: runtime.store,
      meta: runtime.meta,
      logger: t.logger,
      now: clock,
      signal: t.signal,
      runId: t.runId,
      interval: t.interval,
      locations: (t.params as OpenaqDailyParams).locations,
    };
    return { runtime, shared };
  };
  const taskContext = async (t: TaskRunContext): Promise<TaskContext> => {
    const { runtime, shared } = await sharedContext(t);
    return { ...shared, engine: costRecording(await runtime.engine(), runtime.meta, t, clock), fetch };
  };
  const extractContext = async (t: TaskRunContext): Promise<ExtractContext> => {
    const { runtime, shared } = await sharedContext(t);
    const params = t.params as OpenaqDailyParams;
    return { ...shared, openaq: openaqOnce(runtime.logger), prefetch: params.prefetch, windowsInFlight };
  };
  const splitOf = (range: { from: string; to: string }, params: OpenaqDailyParams): SourceSplit =>
    splitBySource(range, {
      mode: parseSourceMode(params.source),
      lagDays: config.archive.lagDays,
      today: sourceToday(clock()),
    });

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
          const params = t.params as OpenaqDailyParams;
          const days = splitOf(t.interval, params).api;
          if (!days) throw new SkipTask("no day of the interval comes from the API (see the run's source)");
          const prefetch = params.prefetch && splitOf(params.prefetch, params).api;
          const ctx = await extractContext(t);
          const { rawKeys, ...result } = await extractMeasurements({
            ...ctx,
            interval: days,
            prefetch: prefetch ? { ...prefetch, since: params.prefetch!.since } : undefined,
          });
          t.logger.info({ ...result, rawObjects: rawKeys.length }, 'measurements landed');
        },
      },
      {
        id: 'extract_archive',
        upstream: ['extract_locations'],
        run: async (t) => {
          const params = t.params as OpenaqDailyParams;
          const days = splitOf(t.interval, params).archive;
          if (!days)
            throw new SkipTask("no day of the interval comes from the archive (see the run's source)");
          const runtime = await runtimeOnce();
          const ctx = await extractContext(t);
          const auto = parseSourceMode(params.source) === 'auto';
          const result = await extractArchiveTask({ ...ctx, archive: archiveOnce(runtime.logger) }, days, {
            ...(params.prefetch ? { checkedSince: params.prefetch.since } : {}),
            // auto: a day the archive cannot be asked about comes from the API (same client, same rate budget).
            ...(auto
              ? {
                  fallback: async (apiDays: { from: string; to: string }, reason: string) => {
                    warnArchiveFallbackOnce(runtime.logger, reason);
                    t.logger.warn(
                      { ...apiDays, reason },
                      'archive unreachable: these days come from the API',
                    );
                    const { rawKeys, ...fetched } = await extractMeasurements({
                      ...ctx,
                      interval: apiDays,
                    });
                    t.logger.info(
                      { ...fetched, rawObjects: rawKeys.length },
                      'measurements landed from the API',
                    );
                  },
                }
              : {}),
          });
          t.logger.info(result, 'archive objects landed');
        },
      },
      {
        id: 'transform',
        upstream: ['extract_measurements', 'extract_archive'],
        // One pass over the raw objects for the whole interval: a raw page spans ~41 days, so reading it per day
        // would parse it again for every day.
        run: async (t) => {
          const days = await transformDays(await taskContext(t), t.interval.from, t.interval.to);
          t.logger.info({ days: days.length }, 'days staged');
        },
      },
      { id: 'catalog', upstream: ['transform'], run: eachDay(catalogDay) },
      { id: 'validate', upstream: ['catalog'], run: eachDay(validateDay) },
      { id: 'publish', upstream: ['validate'], run: eachDay(publishDay) },
    ],
  });
}

/** The engine for one task: each call a cloud engine pays for (Glue run, Athena query) is recorded against the task. */
function costRecording(engine: Engine, meta: MetaDb, t: TaskRunContext, clock: Clock): Engine {
  return engine.withCostListener?.((call) => recordTaskCost(meta, t, call, clock())) ?? engine;
}
