// aqlake prod rebuild: recomputes the prod days (prod.hourly, prod.daily_averages, …) that a rule change in sql/prod,
// or a publish stopped between its dev commit and its prod files, left stale — or every day with --all.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { prodWorkRoot } from '../lake/scratch.js';
import { prodDayStates, rebuildProd } from '../pipeline/prod-days.js';
import { openPipelineRuntime } from '../pipeline/runtime.js';
import { systemClock } from '../time/clock.js';
import { configFor, parseIsoDateFlag } from './options.js';

interface RebuildFlags {
  from?: string;
  to?: string;
  all?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function registerProd(prod: Command): void {
  prod
    .command('rebuild')
    .description('recompute the prod days a sql/prod rule change left stale (or every day with --all)')
    .option('--from <date>', 'first local day, YYYY-MM-DD (default: the first published day)')
    .option('--to <date>', 'last local day, YYYY-MM-DD (default: the last published day)')
    .option('--all', 'recompute every published day of the range, stale or not')
    .option('--dry-run', 'only list the stale days and their tables')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nA day is stale when a table of it is missing, was computed by an older version of its sql/prod rule, or from\n' +
        'a dev.measurements version that is no longer current. Publish keeps the days current; run this after editing\n' +
        'sql/prod (or upgrading aqlake) so prod.* answers with the new rules.',
    )
    .action(async (flags: RebuildFlags, command: Command) => {
      const from = flags.from === undefined ? undefined : parseIsoDateFlag('--from', flags.from);
      const to = flags.to === undefined ? undefined : parseIsoDateFlag('--to', flags.to);
      if (from && to && to < from) throw new UsageError(`--to (${to}) is before --from (${from})`);
      const config = configFor(command);
      const runtime = await openPipelineRuntime(config);
      try {
        if (flags.dryRun) {
          const stale = prodDayStates(runtime.meta, { from, to }).filter(
            (s) => flags.all || s.stale.length > 0,
          );
          if (flags.json) process.stdout.write(`${JSON.stringify({ dryRun: true, days: stale })}\n`);
          else {
            for (const s of stale)
              process.stdout.write(`${s.localDate}: ${s.stale.join(', ') || 'all (--all)'}\n`);
            process.stdout.write(`${stale.length} day(s) to rebuild\n`);
          }
          return;
        }
        const engine = await runtime.engine();
        if (engine.name !== 'duckdb')
          throw new UsageError(
            'prod rebuild: the prod tables are materialised on the local engine only (not yet on aws)',
          );
        const result = await rebuildProd(
          {
            store: runtime.store,
            meta: runtime.meta,
            engine,
            now: systemClock,
            workRoot: prodWorkRoot(config.home),
          },
          {
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
            all: !!flags.all,
            onDay: (day) => {
              if (!flags.json) process.stderr.write(`rebuilt ${day}\n`);
            },
          },
        );
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else
          process.stdout.write(
            `prod rebuild: ${result.rebuilt.length} day(s) rebuilt, ${result.upToDate} already up to date\n`,
          );
      } finally {
        await runtime.close();
      }
    });
}
