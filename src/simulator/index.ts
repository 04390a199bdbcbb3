// The OpenAQ v3 simulator: startSimulator() for tests and `aqlake simulate`, and the pure dataset functions behind it.
import { createDataset, type SimulatedDataset } from './dataset.js';
import { type SimulatorStats, startHttpShell } from './server.js';

export { measurementsFor } from './values.js';

export interface SimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 42; the same seed (and clock) gives the same data, byte for byte. */
  seed?: number;
  /** The simulated clock; data exists up to now (default: real time). */
  now?: () => Date;
  /** How far back data exists (default 400). */
  historyDays?: number;
  /** When set, a request without X-API-Key gets the WAF 401 and a wrong key gets {"detail":"Invalid credentials"}. */
  requireApiKey?: string;
  /** Per-key calendar-minute limit with x-ratelimit-* headers and 429 {"detail":"Too many requests"}; default none. */
  rateLimitPerMinute?: number;
  /** Share of 500s, added latency, share of 200 bodies cut short; deterministic from the seed and request sequence. */
  faults?: { errorRate?: number; latencyMs?: number; truncateRate?: number };
  /** Recent measurements that appear, or change, only `delayMs` after the server started. */
  lateData?: { delayMs: number; share: number };
}

export interface RunningSimulator {
  /** Base URL including /v3, e.g. http://127.0.0.1:PORT/v3. */
  url: string;
  /** Base URL of the simulated OpenAQ archive (OPENAQ_ARCHIVE_URL), e.g. http://127.0.0.1:PORT/archive. */
  archiveUrl: string;
  close(): Promise<void>;
  stats(): SimulatorStats;
  dataset: SimulatedDataset;
}

function checkShare(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
  return value;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const now = options.now ?? (() => new Date());
  const seed = options.seed ?? 42;
  const dataset = createDataset({ seed, now: now(), historyDays: options.historyDays });
  if (
    options.rateLimitPerMinute !== undefined &&
    !(Number.isInteger(options.rateLimitPerMinute) && options.rateLimitPerMinute > 0)
  )
    throw new RangeError(`rateLimitPerMinute must be a positive integer, got ${options.rateLimitPerMinute}`);
  const latencyMs = options.faults?.latencyMs ?? 0;
  if (!(latencyMs >= 0)) throw new RangeError(`latencyMs must not be negative, got ${latencyMs}`);
  if (options.lateData) {
    checkShare('lateData.share', options.lateData.share);
    if (!(options.lateData.delayMs >= 0)) throw new RangeError('lateData.delayMs must not be negative');
  }
  const shell = await startHttpShell(dataset, {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    seed,
    now,
    requireApiKey: options.requireApiKey,
    rateLimitPerMinute: options.rateLimitPerMinute,
    faults: {
      errorRate: checkShare('faults.errorRate', options.faults?.errorRate),
      latencyMs,
      truncateRate: checkShare('faults.truncateRate', options.faults?.truncateRate),
    },
    lateData: options.lateData,
  });
  return {
    url: shell.url,
    archiveUrl: shell.url.replace(/\/v3$/, '/archive'),
    close: shell.close,
    stats: shell.stats,
    dataset,
  };
}
