// What `aqlake run` and `aqlake backfill` share: their range, scope and parallelism flags, checked before the lake is
// opened (opening it creates _meta/aqlake.db), and the one-line error of a range that stopped or was interrupted.
import type { Command } from 'commander';
import type { AqlakeConfig } from '../config/index.js';
import { pickDag, rangeParams, runParams } from '../orchestrator/cli-support.js';
import type { Dag } from '../orchestrator/dag.js';
import { RunFailedError } from '../orchestrator/errors.js';
import type { BackfillSummary } from '../orchestrator/index.js';
import type { DagRegistry } from '../orchestrator/registry.js';
import { parseSourceMode } from '../pipeline/source-choice.js';
import { systemClock } from '../time/clock.js';
import { checkRangeSize, configFor, parseDateRange, parseLocationIds, parsePositiveInt } from './options.js';

export interface RangeRunFlags {
  from: string;
  to: string;
  locations?: string;
  source?: string;
  parallel?: string;
  yes?: boolean;
}

export interface RangeRun {
  from: string;
  to: string;
  config: AqlakeConfig;
  dag: Dag;
  /** The runs' params: the scope flags and the range to prefetch. */
  params: Record<string, unknown>;
  parallel: number;
}

/**
 * Checks every flag, then loads the config and picks the DAG. `sizeHint` ends the refusal of a range over 366 days
 * without --yes; null skips that check (a dry run only prints the plan).
 */
export function parseRangeRun(
  flags: RangeRunFlags,
  command: Command,
  options: { dags: DagRegistry; dagId: string | undefined; sizeHint: string | null },
): RangeRun {
  const { from, to } = parseDateRange(flags.from, flags.to);
  if (options.sizeHint !== null) checkRangeSize({ from, to }, flags.yes, options.sizeHint);
  const locations = parseLocationIds(flags.locations);
  const source = parseSourceMode(flags.source);
  const parallelFlag = flags.parallel ? parsePositiveInt('--parallel', flags.parallel) : undefined;
  const config = configFor(command);
  const dag = pickDag(options.dags, config, options.dagId);
  const params = { ...runParams({ locations, source }), ...rangeParams(from, to, systemClock()) };
  return { from, to, config, dag, params, parallel: parallelFlag ?? config.orchestrator.parallelism };
}

/** Throws the one line of a range that stopped on an error every day would hit, or was interrupted. */
export function failOnStopped(summary: BackfillSummary, command: 'run' | 'backfill'): void {
  if (summary.stoppedByError)
    throw new RunFailedError(
      `${command} stopped: ${summary.stoppedByError} (${summary.failed} day(s) failed or not run; run the same command again once this is fixed)`,
    );
  if (summary.interrupted)
    throw new RunFailedError(
      `${command} interrupted (${summary.interrupted}) with ${summary.unfinished} day(s) unfinished; run the same command again to resume`,
    );
}
