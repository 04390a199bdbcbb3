// aqlake trigger: a manual run of a DAG for one day, run here (or queued for the scheduler with --queue).
import type { Command } from 'commander';
import {
  describeEvent,
  firstLine,
  formatDuration,
  openRunStore,
  pickDag,
  runParams,
  stopOnSignals,
} from '../orchestrator/cli-support.js';
import { RunFailedError } from '../orchestrator/errors.js';
import { defaultTriggerDate, type ManualRunResult, secretsOf, triggerRun } from '../orchestrator/index.js';
import type { CliContext } from './commands.js';
import { configFor, parseDataDateFlag, parseLocationIds } from './options.js';

interface TriggerFlags {
  dag?: string;
  date?: string;
  locations?: string;
  queue?: boolean;
  json?: boolean;
}

export function registerTrigger(command: Command, cli: CliContext): void {
  command
    .option('--dag <id>', 'which DAG (default: openaq_daily)')
    .option('--date <date>', 'the logical date YYYY-MM-DD (default: yesterday in the schedule’s time zone)')
    .option('--locations <ids>', 'comma-separated location ids for this run (default: the config scope)')
    .option('--queue', 'only record the run; a running `aqlake scheduler` picks it up')
    .option('--json', 'print the run and its outcome as JSON')
    .addHelpText(
      'after',
      '\nRuns here, in this process, and exits 0 when the run succeeds, 1 when it fails. Ctrl-C interrupts the\n' +
        'running tasks and records them; trigger the same date again to resume. Read logs with `aqlake logs`.',
    )
    .action(async (flags: TriggerFlags, command: Command) => {
      const config = configFor(command);
      const dag = pickDag(cli.dags, config, flags.dag);
      const logicalDate = flags.date
        ? parseDataDateFlag('--date', flags.date)
        : defaultTriggerDate(dag.timezone, new Date());
      const params = runParams({ locations: parseLocationIds(flags.locations) });
      const out = flags.json ? process.stderr : process.stdout;
      const store = openRunStore(config);
      const stop = stopOnSignals((sig) => out.write(`${sig}: interrupting running tasks…\n`));
      let result: ManualRunResult;
      try {
        result = await triggerRun({
          store,
          home: config.home,
          dag,
          logicalDate,
          params,
          parallelism: config.orchestrator.parallelism,
          queueOnly: flags.queue ?? false,
          secrets: secretsOf(config),
          signal: stop.signal,
          onEvent: (e) => {
            // The run's own start and end are in the final line.
            const line = e.kind === 'run-started' || e.kind === 'run-finished' ? null : describeEvent(e);
            if (line) out.write(`${line}\n`);
          },
        });
      } finally {
        stop.dispose();
      }
      try {
        reportManualRun(result, flags.json ?? false, flags.queue ?? false, store);
      } finally {
        store.db.close();
      }
    });
}

/** Prints a manual run's outcome; throws RunFailedError (exit 1) when it failed or was interrupted. */
export function reportManualRun(
  result: ManualRunResult,
  json: boolean,
  queued: boolean,
  store: ReturnType<typeof openRunStore>,
): void {
  const { run } = result;
  const tasks = store.listTaskInstances(run.runId);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ ...result, tasks: tasks.map(({ taskId, state, tryNumber, error }) => ({ taskId, state, tryNumber, error })) }, null, 2)}\n`,
    );
  const took =
    run.startedAt && run.endedAt
      ? ` in ${formatDuration(Date.parse(run.endedAt) - Date.parse(run.startedAt))}`
      : '';
  if (!json) {
    if (queued || (run.state !== 'success' && run.state !== 'failed' && !result.interrupted))
      process.stdout.write(
        `${run.runId}: ${result.action}, ${run.state}${run.ownerPid ? ` (held by process ${run.ownerPid} on ${run.ownerHostname})` : '; `aqlake scheduler` will run it'}\n`,
      );
    else process.stdout.write(`${run.runId}: ${run.state}${took}\n`);
  }
  if (result.interrupted)
    throw new RunFailedError(
      `${run.runId} interrupted (${result.interrupted}); run the same command again to resume it`,
    );
  if (run.state === 'failed') {
    const bad = tasks.find((t) => t.state === 'failed');
    throw new RunFailedError(
      `${run.runId} failed${bad ? ` at ${bad.taskId}: ${firstLine(bad.error ?? 'unknown error')}` : ''} (see aqlake tasks ${run.runId})`,
      { runId: run.runId, ...(bad ? { taskId: bad.taskId } : {}) },
    );
  }
}
