// aqlake vacuum: deletes version objects past the retention, versions never committed, and crash leftovers.
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { vacuumLake } from '../lake/catalog/index.js';
import { transformWorkRoot } from '../lake/scratch.js';
import { COPY_TMP_DIR } from '../lake/store/local/local-store.js';
import { openLakeRuntime } from '../pipeline/runtime.js';
import { formatBytes } from './catalog.js';
import { configFor } from './options.js';

interface VacuumFlags {
  dryRun?: boolean;
  graceMinutes: string;
  stagedMaxAgeHours: string;
  retentionDays?: string;
  json?: boolean;
}

export function registerVacuum(command: Command): void {
  command
    .option('--dry-run', 'only list what would be deleted')
    .option(
      '--grace-minutes <n>',
      'leave files younger than this alone (a transform may be writing them)',
      '60',
    )
    .option(
      '--staged-max-age-hours <n>',
      'discard staged versions older than this (a crash, or a day that failed its checks)',
      '168',
    )
    .option(
      '--retention-days <n>',
      'keep replaced versions (history, rollback) this many days (default: lake.retentionDays, 7)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (flags: VacuumFlags, command: Command) => {
      const graceMinutes = parseWholeNumber('--grace-minutes', flags.graceMinutes);
      const stagedMaxAgeMinutes = parseWholeNumber('--staged-max-age-hours', flags.stagedMaxAgeHours) * 60;
      const config = configFor(command);
      const retentionDays =
        flags.retentionDays === undefined
          ? config.lake.retentionDays
          : parseWholeNumber('--retention-days', flags.retentionDays);
      const runtime = await openLakeRuntime(config);
      try {
        const result = await vacuumLake(runtime.store, runtime.meta, {
          graceMinutes,
          stagedMaxAgeMinutes,
          dryRun: flags.dryRun,
          retentionDays,
          workDirs: [transformWorkRoot(config.home), join(config.home, COPY_TMP_DIR)],
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ dryRun: !!flags.dryRun, ...result })}\n`);
        } else {
          const verb = flags.dryRun ? 'would delete' : 'deleted';
          for (const d of result.deleted)
            process.stdout.write(`${verb} ${d.key} (${d.reason}, ${formatBytes(d.bytes)})\n`);
          process.stdout.write(
            `${verb} ${result.deleted.length} files (${formatBytes(result.bytes)}); ` +
              `${result.keptYoung} unreferenced files younger than ${graceMinutes} min kept; ` +
              `${result.discardedVersions.length} stale staged versions ${flags.dryRun ? 'to discard' : 'discarded'}\n`,
          );
        }
        if (result.errors.length > 0) {
          process.stderr.write(
            `aqlake: vacuum could not delete ${result.errors.length} files: ${result.errors[0]}\n`,
          );
          process.exitCode = 1;
        }
      } finally {
        await runtime.close();
      }
    });
}

function parseWholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: expected a whole number ≥ 0, got "${value}"`);
  return Number(value);
}
