// aqlake extract: snapshots the scope's locations and lands their measurements for a range of local days in raw/.
import type { Command } from 'commander';
import { extractLocations } from '../pipeline/extract-locations.js';
import { extractMeasurements } from '../pipeline/extract-measurements.js';
import { createOpenaqClient } from '../pipeline/openaq-client.js';
import { openLakeRuntime } from '../pipeline/runtime.js';
import { configFor, parseDateRange, parseLocationIds } from './options.js';

interface ExtractFlags {
  from: string;
  to: string;
  locations?: string;
  json?: boolean;
}

export function registerExtract(command: Command): void {
  command
    .requiredOption('--from <date>', 'first local calendar day, YYYY-MM-DD (inclusive)')
    .requiredOption('--to <date>', 'last local calendar day, YYYY-MM-DD (inclusive)')
    .option('--locations <ids>', 'comma-separated location ids (default: the config scope)')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nDays are local to each location (a day is the hours ending in (00:00, 24:00] local time).\n' +
        'Uses OPENAQ_API_URL / OPENAQ_API_KEY; stays under the configured rate limits and waits out 429s.',
    )
    .action(async (flags: ExtractFlags, command: Command) => {
      const interval = parseDateRange(flags.from, flags.to);
      const locations = parseLocationIds(flags.locations);
      const config = configFor(command);
      const runtime = await openLakeRuntime(config);
      const controller = new AbortController();
      const stop = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const openaq = createOpenaqClient(config, runtime.logger);
        const ctx = {
          ...runtime,
          openaq,
          interval,
          locations,
          runId: null,
          now: () => new Date(),
          signal: controller.signal,
        };
        const snapshot = await extractLocations(ctx);
        const measurements = await extractMeasurements(ctx, snapshot.locations);
        const summary = {
          from: interval.from,
          to: interval.to,
          locations: snapshot.locations.length,
          missingLocations: snapshot.missing,
          sensors: measurements.sensors,
          rows: measurements.rows,
          requests: openaq.stats.requests,
          rawObjects: snapshot.rawKeys.length + measurements.rawKeys.length,
          bytes: measurements.bytes,
          lake: runtime.store.url,
        };
        if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else
          process.stdout.write(
            `extracted ${summary.rows} measurements from ${summary.sensors} sensors at ${summary.locations} locations ` +
              `(${summary.from}..${summary.to}) in ${summary.requests} requests → ${summary.rawObjects} raw objects in ${summary.lake}/raw\n`,
          );
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await runtime.close();
      }
    });
}
