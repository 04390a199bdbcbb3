// The DAGs this installation runs: openaq_daily, with a planner for `backfill --dry-run`.
import type { AqlakeConfig } from '../config/index.js';
import { parseRawArchiveObjectKey } from '../lake/keys.js';
import type { DagLoader, DagPlanner, DagRefresher, PlanEstimate } from '../orchestrator/registry.js';
import { type Clock, cliClock, systemClock } from '../time/clock.js';
import { extractArchive } from './extract-archive.js';
import { createArchiveClient } from './openaq-client.js';
import { openaqDailyDag } from './openaq-daily.js';
import { latestLocationsSnapshot } from './raw-snapshots.js';
import { openLakeRuntime, openPipelineRuntime } from './runtime.js';
import { estimateSources, parseSourceMode, sourceToday, splitBySource } from './source-choice.js';

/** Sensors per location when the lake has no snapshot yet to count them (OpenAQ reference sites carry 3–7). */
const ASSUMED_SENSORS_PER_LOCATION = 5;

/** The CLI's DAG loader (src/cli/main.ts gives it to the program's registry). */
export const pipelineDags: DagLoader = (config) => {
  const clock = cliClock();
  return [
    {
      dag: openaqDailyDag(config, () => openPipelineRuntime(config)),
      planner: openaqDailyPlanner(config, clock),
      refresher: archiveRefresher(config, clock),
    },
  ];
};

/**
 * The archive re-exports a location-day in place when late data lands: before a backfill skips days it already did,
 * HEAD the archive days of the range and land what changed; the days of the new objects run again.
 */
function archiveRefresher(config: AqlakeConfig, clock: Clock): DagRefresher {
  return {
    async changedDays(from, to, params, signal) {
      const split = splitBySource(
        { from, to },
        {
          mode: parseSourceMode(params.source as string | undefined),
          lagDays: config.archive.lagDays,
          today: sourceToday(clock()),
        },
      );
      if (!split.archive) return [];
      const runtime = await openLakeRuntime(config);
      try {
        const locations = params.locations as number[] | undefined;
        if (!locations && !config.scope.locations) return []; // a discovered scope is refreshed by its runs
        // Without a snapshot nothing of this scope ran yet: every day is new, nothing can have changed.
        const snapshot = await latestLocationsSnapshot({ ...runtime, locations });
        if (snapshot.length === 0) return [];
        const result = await extractArchive(
          {
            ...runtime,
            locations,
            archive: createArchiveClient(config, runtime.logger),
            now: systemClock,
            signal: signal ?? new AbortController().signal,
            runId: null,
          },
          { from: split.archive.from, to: split.archive.to, snapshot },
        );
        const days = result.rawKeys
          .map((key) => parseRawArchiveObjectKey(key)?.localDate)
          .filter((d): d is string => !!d);
        return [...new Set(days)].sort();
      } finally {
        await runtime.close();
      }
    },
  };
}

function openaqDailyPlanner(config: AqlakeConfig, clock: Clock): DagPlanner {
  return {
    async estimate(days, params): Promise<PlanEstimate> {
      const sorted = [...days].sort();
      if (sorted.length === 0) return { requests: 0, seconds: 0 };
      const { locations, sensors, counted } = await scopeSize(
        config,
        params.locations as number[] | undefined,
      );
      const split = splitBySource(
        { from: sorted[0]!, to: sorted.at(-1)! },
        {
          mode: parseSourceMode(params.source as string | undefined),
          lagDays: config.archive.lagDays,
          today: sourceToday(clock()),
        },
      );
      const estimates = estimateSources({ split, locations, sensors, rateLimit: config.api.rateLimit });
      // Only API requests count against the key's budget; the archive is a public bucket.
      const requests = (estimates.find((e) => e.source === 'api')?.requests ?? 0) + locations;
      const seconds = Math.max(...estimates.map((e) => e.seconds), 0);
      const parts = estimates.map((e) =>
        e.source === 'api'
          ? `api ${e.from}..${e.to}: ${e.requests} measurement requests + ${locations} for the locations`
          : `archive ${e.from}..${e.to}: ${e.requests} archive requests (no API budget)`,
      );
      const basis = counted
        ? `${sensors} sensors at ${locations} location(s)`
        : `~${sensors} sensors assumed at ${locations} location(s)`;
      return { requests, seconds, note: `${parts.join('; ')} (${basis}, hourly data assumed)` };
    },
  };
}

/** Locations and sensors in scope, counted from the newest snapshot in the lake when there is one. */
async function scopeSize(
  config: AqlakeConfig,
  override: number[] | undefined,
): Promise<{ locations: number; sensors: number; counted: boolean }> {
  const runtime = await openLakeRuntime(config);
  try {
    const snapshot = await latestLocationsSnapshot({ ...runtime, locations: override });
    const parameters = config.scope.parameters;
    if (snapshot.length > 0) {
      const sensors = snapshot
        .flatMap((l) => l.sensors)
        .filter((s) => !parameters || parameters.includes(s.parameter.id));
      return { locations: snapshot.length, sensors: sensors.length, counted: true };
    }
  } finally {
    await runtime.close();
  }
  const locations = (override ?? config.scope.locations)?.length ?? config.scope.maxLocations;
  return { locations, sensors: locations * ASSUMED_SENSORS_PER_LOCATION, counted: false };
}
