// aqlake run: the whole chain (extract → transform → catalog → validate → publish) for each local day, through the orchestrator.
import type { Command } from 'commander';
import { describeEvent, formatDuration, openRunStore, stopOnSignals } from '../orchestrator/cli-support.js';
import { RunFailedError } from '../orchestrator/errors.js';
import { type BackfillSummary, runBackfill, secretsOf } from '../orchestrator/index.js';
import type { RunStore } from '../orchestrator/run-store.js';
import { OPENAQ_DAILY } from '../pipeline/openaq-daily.js';
import type { CliContext } from './commands.js';
import { failOnStopped, parseRangeRun, type RangeRunFlags } from './range-run.js';

interface RunFlags extends RangeRunFlags {
  json?: boolean;
}

export function registerRun(command: Command, cli: CliContext): void {
  command
    .requiredOption('--from <date>', 'first local calendar day, YYYY-MM-DD (inclusive)')
    .requiredOption('--to <date>', 'last local calendar day, YYYY-MM-DD (inclusive)')
    .option('--locations <ids>', 'comma-separated location ids (default: the config scope)')
    .option(
      '--source <source>',
      'auto (default): days past the archive lag from the OpenAQ archive, newer ones from the API; or api, archive',
    )
    .option('--parallel <n>', 'days run at once (default: orchestrator.parallelism)')
    .option('--json', 'print the summary as JSON')
    .option('--yes', 'run a range of more than 366 days')
    .addHelpText(
      'after',
      '\nEach day is one run of the openaq_daily DAG, redone even if it ran before (late data replaces the day).\n' +
        'Measurements are fetched once for the whole range, in as few API requests as the data allows.\n' +
        'Exit 0 when every day was published; otherwise 1 and one line naming the day, the task and why.\n' +
        'Inspect runs with `aqlake runs`, `aqlake tasks RUN` and `aqlake logs RUN TASK`.',
    )
    .action(async (flags: RunFlags, command: Command) => {
      const { from, to, config, dag, params, parallel } = parseRangeRun(flags, command, {
        dags: cli.dags,
        dagId: OPENAQ_DAILY,
        sizeHint: '; `aqlake backfill --dry-run` shows the plan first',
      });
      const store = openRunStore(config);
      const stop = stopOnSignals((sig) => process.stderr.write(`${sig}: interrupting running tasks…\n`));
      try {
        const summary = await runBackfill({
          dag,
          from,
          to,
          params: { ...params },
          parallel,
          rerun: true,
          config,
          store,
          secrets: secretsOf(config),
          signal: stop.signal,
          onProgress: ({ event, done, total }) => {
            if (event.kind === 'planned') return;
            const line = describeEvent(event);
            if (line && !flags.json)
              process.stderr.write(`${line}${event.kind === 'run-finished' ? ` [${done}/${total}]` : ''}\n`);
          },
        });
        if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
        else
          process.stdout.write(
            `run ${from}..${to}: ${summary.succeeded} day(s) published, ${summary.failed} failed in ${formatDuration(summary.durationMs)}\n`,
          );
        failOnUnfinished(summary, store);
      } finally {
        stop.dispose();
        store.db.close();
      }
    });
}

/** One line naming the first failed day, its failed task and the task's error. */
function failOnUnfinished(summary: BackfillSummary, store: RunStore): void {
  failOnStopped(summary, 'run');
  const failedRun = summary.runs.find((r) => r.state === 'failed');
  if (!failedRun) return;
  const failedTask = store.listTaskInstances(failedRun.runId).find((t) => t.state === 'failed');
  const why = failedTask?.error?.split('\n')[0] ?? 'no task error recorded';
  const others = summary.failed > 1 ? ` (${summary.failed - 1} more day(s) failed; see aqlake runs)` : '';
  throw new RunFailedError(
    `${failedRun.logicalDate}: task ${failedTask?.taskId ?? '?'} failed: ${why}${others}`,
    { runId: failedRun.runId, ...(failedTask ? { taskId: failedTask.taskId } : {}) },
  );
}
