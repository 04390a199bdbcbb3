// aqlake simulate: runs the OpenAQ v3 simulator until SIGINT/SIGTERM and prints OPENAQ_API_URL for other shells.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { type SimulatorOptions, startSimulator } from '../simulator/index.js';
import { parsePositiveInt } from './options.js';

export interface SimulateFlags {
  port?: string;
  host?: string;
  seed?: string;
  historyDays?: string;
  rateLimit?: string;
  requireKey?: string;
  errorRate?: string;
  latencyMs?: string;
  truncateRate?: string;
  lateDelayMs?: string;
  lateShare?: string;
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got "${value}"`);
  return Number(value);
}

function share(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new UsageError(`${flag}: expected a share from 0 to 1 (e.g. 0.05), got "${value}"`);
  return n;
}

/** Turns the command's flags into simulator options, or fails with a UsageError naming the flag. */
export function simulatorOptionsFromFlags(flags: SimulateFlags): SimulatorOptions {
  const options: SimulatorOptions = {
    port: flags.port === undefined ? 0 : wholeNumber('--port', flags.port, 0, 65_535),
    host: flags.host ?? '127.0.0.1',
    seed: flags.seed === undefined ? 42 : wholeNumber('--seed', flags.seed, -2_147_483_648, 2_147_483_647),
  };
  if (options.host === '') throw new UsageError('--host: expected a host name or address');
  if (flags.historyDays !== undefined)
    options.historyDays = parsePositiveInt('--history-days', flags.historyDays);
  if (flags.rateLimit !== undefined)
    options.rateLimitPerMinute = parsePositiveInt('--rate-limit', flags.rateLimit);
  if (flags.requireKey !== undefined) {
    if (flags.requireKey.trim() === '') throw new UsageError('--require-key: expected a non-empty key');
    options.requireApiKey = flags.requireKey;
  }
  const faults: NonNullable<SimulatorOptions['faults']> = {};
  if (flags.errorRate !== undefined) faults.errorRate = share('--error-rate', flags.errorRate);
  if (flags.truncateRate !== undefined) faults.truncateRate = share('--truncate-rate', flags.truncateRate);
  if (flags.latencyMs !== undefined)
    faults.latencyMs = wholeNumber('--latency-ms', flags.latencyMs, 0, 600_000);
  if (Object.keys(faults).length > 0) options.faults = faults;
  if ((flags.lateDelayMs === undefined) !== (flags.lateShare === undefined))
    throw new UsageError('--late-delay-ms and --late-share go together: give both or neither');
  if (flags.lateDelayMs !== undefined && flags.lateShare !== undefined) {
    options.lateData = {
      delayMs: wholeNumber('--late-delay-ms', flags.lateDelayMs, 0, Number.MAX_SAFE_INTEGER),
      share: share('--late-share', flags.lateShare),
    };
  }
  return options;
}

async function simulate(flags: SimulateFlags): Promise<void> {
  const options = simulatorOptionsFromFlags(flags);
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`--port: ${options.port} is already in use on ${options.host}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UsageError(`--host: cannot listen on ${options.host}`);
    throw err;
  }
  const { locations, sensors } = sim.dataset;
  process.stdout.write(`OPENAQ_API_URL=${sim.url}\n`);
  process.stdout.write(`OPENAQ_ARCHIVE_URL=${sim.archiveUrl}\n`);
  process.stderr.write(
    `simulating OpenAQ v3: ${locations.length} locations, ${sensors.length} sensors, seed ${options.seed}; ` +
      `any X-API-Key${options.requireApiKey ? ' must match --require-key' : ' is accepted'}. Ctrl-C stops.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  const { requests } = sim.stats();
  process.stderr.write(`simulator stopped after ${requests} request${requests === 1 ? '' : 's'}\n`);
}

export function registerSimulate(command: Command): void {
  command
    .option('--port <n>', 'port to listen on (default: any free port)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <n>', 'data seed; the same seed serves the same data', '42')
    .option('--history-days <n>', 'days of history before today (default 400)')
    .option('--rate-limit <n>', 'requests per minute per API key, answered with 429 beyond it')
    .option('--require-key <key>', 'reject requests without this X-API-Key (401)')
    .option('--error-rate <r>', 'share of requests answered with 500, 0..1')
    .option('--latency-ms <n>', 'added latency per response')
    .option('--truncate-rate <r>', 'share of bodies cut short of their content-length, 0..1')
    .option(
      '--late-delay-ms <n>',
      'recent data that appears or is revised this long after start (with --late-share)',
    )
    .option('--late-share <r>', 'share of recent measurements that arrive late, and of those revised, 0..1')
    .action(async (flags: SimulateFlags) => {
      await simulate(flags);
    });
}
