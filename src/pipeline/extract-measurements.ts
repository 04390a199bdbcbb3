// extract_measurements: every sensor in scope, its /measurements for the run's local days, landed page by page in raw/.
import { PipelineError } from '../errors.js';
import { isCovered, recordCoverage } from '../lake/extract-coverage.js';
import { RAW_MEASUREMENTS_ENDPOINT } from '../lake/keys.js';
import {
  hasNextPage,
  type Location,
  measurementSchema,
  measurementWindowParams,
  PAGE_LIMIT,
} from '../openaq/index.js';
import { mapWithConcurrency } from '../util/concurrency.js';
import type { ExtractContext } from './extract-context.js';
import { measurementWindows, type UtcWindow } from './measurement-windows.js';
import { failOnInvalid, fetchAndLand, newBatchId } from './raw-landing.js';
import { latestLocationsSnapshot } from './raw-snapshots.js';

/** Sensors fetched at once: enough to hide latency, few enough that the rate limiter, not the socket pool, paces us. */
const SENSOR_CONCURRENCY = 4;

export interface MeasurementsExtract {
  sensors: number;
  sensorsWithoutData: number;
  requests: number;
  rows: number;
  bytes: number;
  rawKeys: string[];
}

interface SensorJob {
  locationId: number;
  sensorId: number;
  windows: UtcWindow[];
}

export async function extractMeasurements(
  ctx: ExtractContext,
  snapshot?: Location[],
): Promise<MeasurementsExtract> {
  const locations = snapshot ?? (await latestLocationsSnapshot(ctx));
  if (locations.length === 0) {
    throw new PipelineError(
      'extract_measurements: no location snapshot in raw/ for this scope; run extract_locations first',
      'extract_measurements',
    );
  }
  const jobs = sensorJobs(ctx, locations);
  const result: MeasurementsExtract = {
    sensors: jobs.length,
    sensorsWithoutData: 0,
    requests: 0,
    rows: 0,
    bytes: 0,
    rawKeys: [],
  };
  const invalid: string[] = [];
  const batchId = newBatchId();
  const inflight = ctx.windowsInFlight ?? new Map<string, Promise<unknown>>();
  let done = 0;
  await mapWithConcurrency(jobs, SENSOR_CONCURRENCY, async (job) => {
    let sensorRows = 0;
    for (const window of job.windows) {
      const fetched = await fetchWindowOnce(
        inflight,
        `${job.sensorId}|${iso(window.fromUtc)}|${iso(window.toUtc)}`,
        () => fetchWindow(ctx, job, window, batchId, invalid),
      );
      result.requests += fetched.requests;
      result.bytes += fetched.bytes;
      result.rawKeys.push(...fetched.rawKeys);
      sensorRows += fetched.rows;
    }
    result.rows += sensorRows;
    if (sensorRows === 0) result.sensorsWithoutData++;
    done++;
    ctx.logger.info(
      { sensorId: job.sensorId, locationId: job.locationId, rows: sensorRows, done, of: jobs.length },
      'sensor extracted',
    );
  });
  failOnInvalid('extract_measurements', invalid);
  return result;
}

function sensorJobs(ctx: ExtractContext, locations: Location[]): SensorJob[] {
  const parameters = ctx.config.scope.parameters;
  const jobs: SensorJob[] = [];
  for (const location of locations) {
    const activity = {
      datetimeFirstUtc: location.datetimeFirst?.utc ?? null,
      datetimeLastUtc: location.datetimeLast?.utc ?? null,
    };
    const needed = measurementWindows(ctx.interval.from, ctx.interval.to, location.timezone, activity);
    const range = ctx.prefetch ?? ctx.interval;
    const windows = ctx.prefetch
      ? measurementWindows(range.from, range.to, location.timezone, activity)
      : needed;
    for (const sensor of location.sensors) {
      if (parameters && !parameters.includes(sensor.parameter.id)) continue;
      if (
        ctx.prefetch &&
        needed.every((w) => isCovered(ctx.meta, sensor.id, iso(w.fromUtc), iso(w.toUtc), ctx.prefetch!.since))
      ) {
        continue;
      }
      jobs.push({ locationId: location.id, sensorId: sensor.id, windows });
    }
  }
  return jobs;
}

function iso(d: Date): string {
  return d.toISOString();
}

/** The window's fetch; when a sibling run is fetching it already, a wait for that one that counts nothing. */
function fetchWindowOnce(
  inflight: Map<string, Promise<unknown>>,
  key: string,
  fetchWindow: () => Promise<WindowFetch>,
): Promise<WindowFetch> {
  const running = inflight.get(key);
  if (running) return running.then(() => ({ requests: 0, rows: 0, bytes: 0, rawKeys: [] }));
  const fetch = fetchWindow().finally(() => inflight.delete(key));
  inflight.set(key, fetch);
  return fetch;
}

interface WindowFetch {
  requests: number;
  rows: number;
  bytes: number;
  rawKeys: string[];
}

async function fetchWindow(
  ctx: ExtractContext,
  job: SensorJob,
  window: UtcWindow,
  batchId: string,
  invalid: string[],
): Promise<WindowFetch> {
  const fetched: WindowFetch = { requests: 0, rows: 0, bytes: 0, rawKeys: [] };
  const params = measurementWindowParams(window);
  const lineageWindow = { fromUtc: window.fromUtc.toISOString(), toUtc: window.toUtc.toISOString() };
  for (let page = 1; ; page++) {
    const { landed, parsed } = await fetchAndLand(
      ctx,
      { path: `/sensors/${job.sensorId}/measurements`, params: { ...params, limit: PAGE_LIMIT, page } },
      measurementSchema,
      {
        endpoint: RAW_MEASUREMENTS_ENDPOINT,
        subject: `sensor-${job.sensorId}`,
        locationId: job.locationId,
        sensorId: job.sensorId,
        window: lineageWindow,
        page,
        batchId,
      },
    );
    fetched.requests++;
    fetched.rawKeys.push(landed.rawKey);
    fetched.bytes += landed.bytes;
    if (!parsed.ok) {
      // Without a trustworthy row count the next page cannot be decided; the object is kept and the run fails.
      invalid.push(`${landed.rawKey}: ${parsed.error}`);
      return fetched;
    }
    fetched.rows += parsed.results.length;
    if (!hasNextPage(parsed.results.length, PAGE_LIMIT)) {
      recordCoverage(ctx.meta, {
        sensorId: job.sensorId,
        fromUtc: lineageWindow.fromUtc,
        toUtc: lineageWindow.toUtc,
        fetchedAt: ctx.now().toISOString(),
        rows: fetched.rows,
        requests: fetched.requests,
        runId: ctx.runId,
      });
      return fetched;
    }
  }
}
