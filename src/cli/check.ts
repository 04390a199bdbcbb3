// aqlake check: runs the data checks (sql/checks/) on the published partitions of dev.measurements, records the
// results like validate does, prints them, and exits non-zero when an error check fails.
import type { Command } from 'commander';
import { PipelineError, UsageError } from '../errors.js';
import { getPartitionVersion, listPartitions } from '../lake/catalog/index.js';
import { checkPartitionVersion } from '../lake/check-partition.js';
import type { CheckResultRecord } from '../lake/check-results.js';
import { MEASUREMENTS_TABLE } from '../lake/tables.js';
import { openPipelineRuntime } from '../pipeline/runtime.js';
import { systemClock } from '../time/clock.js';
import { configFor, parseIsoDateFlag } from './options.js';
import { formatTable } from './query.js';

interface CheckFlags {
  date?: string;
  json?: boolean;
}

export function registerCheck(command: Command): void {
  command
    .option('--date <date>', 'only this local day, YYYY-MM-DD')
    .option('--json', 'print the results as a JSON array')
    .addHelpText(
      'after',
      '\nChecks live in sql/checks/ (error: not_null_keys, unique_sensor_period, local_date_matches_partition,\n' +
        'reconciliation; warn: value_in_range, coverage, freshness). Exit 1 when an error check fails.',
    )
    .action(async (flags: CheckFlags, command: Command) => {
      const date = flags.date === undefined ? undefined : parseIsoDateFlag('--date', flags.date);
      const config = configFor(command);
      const runtime = await openPipelineRuntime(config);
      try {
        const partitions = listPartitions(runtime.meta, MEASUREMENTS_TABLE).filter(
          (p) => date === undefined || p.localDate === date,
        );
        if (date !== undefined && partitions.length === 0)
          throw new UsageError(
            `--date ${date}: dev.${MEASUREMENTS_TABLE} has no published partition for that day`,
          );
        const ctx = { ...runtime, engine: await runtime.engine(), now: systemClock, runId: null };
        const results: CheckResultRecord[] = [];
        for (const p of partitions) {
          const version = getPartitionVersion(runtime.meta, p.versionId);
          if (version) results.push(...(await checkPartitionVersion(ctx, version)));
        }
        process.stdout.write(flags.json ? `${JSON.stringify(results, null, 2)}\n` : formatResults(results));
        const failed = results.filter((r) => r.severity === 'error' && r.status === 'fail');
        const first = failed[0];
        if (first) {
          const days = new Set(failed.map((r) => r.localDate)).size;
          throw new PipelineError(
            `check: ${failed.length} error check(s) failed on ${days} day(s); first: check ${first.check} failed on ` +
              `dev.${first.table} day=${first.localDate} (${first.message})`,
            'check',
            first.localDate,
          );
        }
      } finally {
        await runtime.close();
      }
    });
}

export function formatResults(results: readonly CheckResultRecord[]): string {
  if (results.length === 0) return `no published partitions of dev.${MEASUREMENTS_TABLE} to check\n`;
  const columns = ['local_date', 'check', 'severity', 'status', 'observed', 'message'].map((name) => ({
    name,
    type: name === 'observed' ? 'DOUBLE' : 'VARCHAR',
  }));
  const rows = results.map((r) => [
    r.localDate,
    r.check,
    r.severity,
    r.status === 'fail' ? 'FAIL' : r.status,
    r.observed,
    r.message,
  ]);
  const failed = results.filter((r) => r.status === 'fail');
  const summary = `${results.length - failed.length} passed or skipped, ${failed.filter((r) => r.severity === 'error').length} error(s), ${failed.filter((r) => r.severity === 'warn').length} warning(s)\n`;
  return formatTable(columns, rows) + summary;
}
