// aqlake clear RUN: resets task instances of a run so they run again (tries and logs are kept).
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { describeEvent, openRunStore, pickDag, stopOnSignals } from '../orchestrator/cli-support.js';
import { clearRun, type ManualRunResult, secretsOf } from '../orchestrator/index.js';
import type { CliContext } from './commands.js';
import { configFor } from './options.js';
import { reportManualRun } from './trigger.js';

interface ClearFlags {
  task?: string[];
  downstream?: boolean;
  run?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function registerClear(command: Command, cli: CliContext): void {
  command
    .argument('<run>', 'run id, e.g. openaq_daily__2024-05-01 (see aqlake runs)')
    .option('--task <id>', 'clear only this task (repeat, or comma-separate, for several)', collect)
    .option('--downstream', 'with --task: also clear every task downstream of it')
    .option('--run', 'run the cleared run here, now, and wait for it')
    .option('--json', 'print what was cleared (and the outcome with --run) as JSON')
    .addHelpText(
      'after',
      '\nEach cleared task gets its retries anew; its earlier tries and logs stay readable (aqlake logs --try N).\n' +
        'A task still running elsewhere is aborted at its next heartbeat. Without --run, `aqlake scheduler` runs\n' +
        'cleared scheduled and manual runs; a cleared backfill run is resumed by `aqlake backfill` (or --run).',
    )
    .action(async (runId: string, flags: ClearFlags, command: Command) => {
      if (flags.downstream && !flags.task) throw new UsageError('--downstream needs --task');
      const config = configFor(command);
      const store = openRunStore(config);
      const out = flags.json ? process.stderr : process.stdout;
      let result: ManualRunResult;
      const stop = stopOnSignals((sig) => out.write(`${sig}: interrupting running tasks…\n`));
      try {
        const run = store.getRun(runId);
        if (!run) throw new UsageError(`no run "${runId}" (see aqlake runs)`);
        const dag = flags.run ? pickDag(cli.dags, config, run.dagId) : undefined;
        result = await clearRun({
          store,
          home: config.home,
          runId,
          ...(dag ? { dag } : {}),
          ...(flags.task ? { taskIds: flags.task } : {}),
          downstream: flags.downstream ?? false,
          parallelism: config.orchestrator.parallelism,
          secrets: secretsOf(config),
          signal: stop.signal,
          onEvent: (e) => {
            // The run's own start and end are in the final line.
            const line = e.kind === 'run-started' || e.kind === 'run-finished' ? null : describeEvent(e);
            if (line) out.write(`${line}\n`);
          },
        });
        if (!flags.json)
          process.stdout.write(
            `cleared ${result.clearedTasks.length} task instance(s) of ${runId}: ${result.clearedTasks.join(', ') || 'none'}\n`,
          );
        if (flags.run) reportManualRun(result, flags.json ?? false, false, store);
        else if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else if (result.run.runType === 'backfill')
          process.stdout.write(
            `to run it: aqlake clear ${runId} --run, or aqlake backfill --from ${result.run.logicalDate} --to ${result.run.logicalDate}\n`,
          );
        else process.stdout.write('`aqlake scheduler` will run it (or pass --run to run it here now)\n');
      } finally {
        stop.dispose();
        store.db.close();
      }
    });
}
