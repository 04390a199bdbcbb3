// aqlake scheduler: creates DAG runs when they are due and runs them, until stopped (or once with --once).
import type { Command } from 'commander';
import { describeEvent, openRunStore, stopOnSignals } from '../orchestrator/cli-support.js';
import { RunFailedError } from '../orchestrator/errors.js';
import { runScheduler, secretsOf } from '../orchestrator/index.js';
import type { CliContext } from './commands.js';
import { configFor } from './options.js';

interface SchedulerFlags {
  once?: boolean;
  dag?: string[];
  json?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(','),
];

export function registerScheduler(command: Command, cli: CliContext): void {
  command
    .option('--once', 'create what is due now, run it and anything queued to the end, then exit')
    .option('--dag <id>', 'only these DAGs (repeat or comma-separate; default: all registered)', collect)
    .option('--json', 'print events as JSON lines')
    .addHelpText(
      'after',
      '\nThe run for local day D is due at the first cron fire after D ends, in the schedule’s time zone.\n' +
        'With catchup, every missed day since startDate gets a run (maxActiveRuns at a time); without, only\n' +
        'the latest. State lives in AQLAKE_HOME/_meta/aqlake.db: on start, tasks a killed process left running\n' +
        'are retried or failed. SIGTERM interrupts running tasks, records them and exits 0.\n' +
        'Backfill runs are left to `aqlake backfill`; `aqlake trigger --queue` and cleared runs are picked up.',
    )
    .action(async (flags: SchedulerFlags, command: Command) => {
      const config = configFor(command);
      const registered = cli.dags.load(config);
      const dags = flags.dag ? flags.dag.map((id) => cli.dags.get(id)) : registered;
      const store = openRunStore(config);
      const write = (line: string): void => {
        process.stdout.write(`${new Date().toISOString()} ${line}\n`);
      };
      const stop = stopOnSignals((sig) => write(`${sig}: stopping; interrupting running tasks…`));
      if (!flags.json)
        write(
          `scheduler: ${dags.map((d) => `${d.id} (${d.schedule ? `${d.schedule.cron} ${d.schedule.timezone}` : 'unscheduled'})`).join(', ')}; ` +
            `parallelism ${config.orchestrator.parallelism}${flags.once ? '; once' : '; Ctrl-C stops'}`,
        );
      try {
        const result = await runScheduler({
          dags,
          store,
          home: config.home,
          parallelism: config.orchestrator.parallelism,
          once: flags.once ?? false,
          secrets: secretsOf(config),
          signal: stop.signal,
          onEvent: (e) => {
            if (flags.json) {
              process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
              return;
            }
            const line =
              e.kind === 'runs-created'
                ? `created ${e.runs.map((r) => r.runId).join(', ')}`
                : describeEvent(e);
            if (line) write(line);
          },
        });
        const failed = [...result.runs].filter(([, s]) => s === 'failed').map(([id]) => id);
        if (!flags.json)
          write(
            `scheduler stopped${result.stoppedBecause ? ` (${result.stoppedBecause})` : ''}: ` +
              `${result.runs.size} run(s) finished, ${failed.length} failed`,
          );
        if (flags.once && result.stoppedBecause)
          throw new RunFailedError(`scheduler --once interrupted (${result.stoppedBecause})`);
        if (flags.once && failed.length > 0)
          throw new RunFailedError(
            `${failed.length} run(s) failed: ${failed.join(', ')} (see aqlake tasks RUN)`,
          );
      } finally {
        stop.dispose();
        store.db.close();
      }
    });
}
