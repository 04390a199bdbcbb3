// A lake built by the real openaq_daily pipeline from the simulator: backfilled days of a few locations, on disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AqlakeConfig, parseConfig } from '../../src/config/index.js';
import { type BackfillSummary, type Dag, runBackfill } from '../../src/orchestrator/index.js';
import { openaqDailyDag } from '../../src/pipeline/openaq-daily.js';
import { openPipelineRuntime } from '../../src/pipeline/runtime.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { addDays, todayIn } from '../../src/time/local-day.js';

export interface SimulatedLake {
  config: AqlakeConfig;
  dag: Dag;
  sim: RunningSimulator;
  /** The backfilled logical dates, oldest first. */
  days: string[];
  locationIds: number[];
  backfill: BackfillSummary;
  /** "runId task: error" of every task try that failed during the backfill. */
  failures: string[];
  close(): Promise<void>;
}

/**
 * Runs the pipeline for the `days` local days before today (UTC) on `locations` simulator locations that measure
 * PM2.5, each in a different time zone. The archive is pushed out of reach (lag 60 days) so every day comes from the
 * simulator's API and nothing leaves 127.0.0.1.
 */
export async function buildSimulatedLake(options: {
  days: number;
  locations: number;
}): Promise<SimulatedLake> {
  const sim = await startSimulator({ seed: 42 });
  const home = mkdtempSync(join(tmpdir(), 'aqlake-e2e-'));
  const zones = new Set<string>();
  const locationIds = sim.dataset.locations
    .filter(
      (l) =>
        l.sensors.some((s) => s.parameter.name === 'pm25') && !zones.has(l.timezone) && zones.add(l.timezone),
    )
    .slice(0, options.locations)
    .map((l) => l.id);
  const config = parseConfig({
    home,
    // The simulator has no rate limit; the client's default (60 a minute) would only slow the test down.
    api: { url: sim.url, key: 'simulator-key', rateLimit: { perMinute: 100_000, perHour: 1_000_000 } },
    archive: { url: `${sim.url.replace(/\/v3$/, '')}/no-archive`, lagDays: 60 },
    scope: { locations: locationIds },
    orchestrator: { retries: 0, parallelism: 2, retryDelaySeconds: 0, taskTimeoutSeconds: 120 },
  });
  const dag = openaqDailyDag(config, () => openPipelineRuntime(config));
  const today = todayIn(config.schedule.timezone);
  const from = addDays(today, -options.days);
  const to = addDays(today, -1);
  // One day at a time: concurrent runs of the pipeline race on dev.locations' files (reported to the lakehouse).
  const failures: string[] = [];
  const backfill = await runBackfill({
    dag,
    from,
    to,
    config,
    home,
    parallel: 1,
    onProgress: ({ event }) => {
      if (event.kind === 'task-finished' && event.state === 'failed')
        failures.push(`${event.runId} ${event.taskId}: ${event.error ?? 'failed'}`);
    },
  });
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return {
    config,
    dag,
    sim,
    days,
    locationIds,
    backfill,
    failures,
    async close() {
      await sim.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
