// aqlake rollback: makes an earlier version of a partition current again, through the lake's commit.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { prodWorkRoot } from '../lake/scratch.js';
import { rollbackDay } from '../pipeline/prod-days.js';
import { openPipelineRuntime } from '../pipeline/runtime.js';
import { systemClock } from '../time/clock.js';
import { knownTable, parseDate } from './catalog.js';
import { configFor } from './options.js';

interface RollbackFlags {
  table: string;
  date?: string;
  version?: string;
  json?: boolean;
}

export function registerRollback(command: Command): void {
  command
    .requiredOption('--table <name>', 'the table, e.g. measurements')
    .option('--date <YYYY-MM-DD>', 'the partition’s local day (partitioned tables)')
    .option('--version <n>', 'the version to bring back (default: the one the current version replaced)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nList a partition’s versions with `aqlake catalog history --table T --date D`.')
    .action(async (flags: RollbackFlags, command: Command) => {
      const version = flags.version === undefined ? undefined : Number(flags.version);
      if (version !== undefined && !(Number.isInteger(version) && version > 0))
        throw new UsageError(`--version: expected a version number, got "${flags.version}"`);
      const config = configFor(command);
      const runtime = await openPipelineRuntime(config);
      try {
        const table = knownTable(runtime.meta, flags.table);
        if (table.partitioned && flags.date === undefined)
          throw new UsageError(`--date: dev.${table.table} is partitioned by day; which day?`);
        if (!table.partitioned && flags.date !== undefined)
          throw new UsageError(`--date: dev.${table.table} is not partitioned; leave --date out`);
        const date = flags.date === undefined ? null : parseDate('--date', flags.date);
        const result = await rollbackDay(
          {
            store: runtime.store,
            meta: runtime.meta,
            engine: await runtime.engine(),
            now: systemClock,
            workRoot: prodWorkRoot(config.home),
          },
          table.table,
          date,
          version,
        );
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else
          process.stdout.write(
            `dev.${table.table}${date ? `/${date}` : ''}: version ${result.versionId} is current again` +
              `${result.previousVersionId !== null ? ` (replacing version ${result.previousVersionId})` : ''}\n`,
          );
      } finally {
        await runtime.close();
      }
    });
}
