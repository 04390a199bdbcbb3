// aqlake tasks RUN: the task instances of one run, with tries, timings and errors.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import {
  firstLine,
  formatDuration,
  formatTable,
  formatTime,
  openRunStore,
} from '../orchestrator/cli-support.js';
import { formatUsd, taskCosts } from '../orchestrator/task-cost.js';
import { configFor } from './options.js';

export function registerTasks(command: Command): void {
  command
    .argument('<run>', 'run id, e.g. openaq_daily__2024-05-01 (see aqlake runs)')
    .option('--json', 'print the run, its task instances and every try as JSON')
    .addHelpText('after', '\nRead a try’s log with `aqlake logs RUN TASK [--try N]`.')
    .action((runId: string, flags: { json?: boolean }, command: Command) => {
      const store = openRunStore(configFor(command));
      try {
        const run = store.getRun(runId);
        if (!run) throw new UsageError(`no run "${runId}" (see aqlake runs)`);
        const tis = store.listTaskInstances(runId);
        const tries = store.listTaskTries(runId);
        const costs = taskCosts(store.db, runId);
        if (flags.json) {
          const out = {
            run,
            tasks: tis.map((ti) => ({
              ...ti,
              tries: tries.filter((t) => t.taskId === ti.taskId),
              ...(costs.has(ti.taskId) ? { awsCost: costs.get(ti.taskId) } : {}),
            })),
          };
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `${run.runId}  ${run.runType}  ${run.state}  interval ${run.interval.from}..${run.interval.to}` +
            `${Object.keys(run.params).length ? `  params ${JSON.stringify(run.params)}` : ''}\n\n`,
        );
        const rows = tis.map((ti) => [
          ti.taskId,
          ti.state,
          `${ti.tryNumber}/${ti.maxTries}`,
          formatTime(ti.startedAt),
          formatDuration(ti.durationMs),
          ti.state === 'up_for_retry' && ti.nextRetryAt
            ? `retry at ${formatTime(ti.nextRetryAt)}: ${firstLine(ti.error ?? '', 100)}`
            : firstLine(ti.error ?? '', 120),
        ]);
        if (costs.size > 0) {
          for (const [i, row] of rows.entries()) row.splice(5, 0, formatUsd(costs.get(tis[i]!.taskId)));
          const total = [...costs.values()].reduce((n, c) => n + c.usd, 0);
          process.stdout.write(
            `${formatTable(['TASK', 'STATE', 'TRY', 'STARTED (UTC)', 'DURATION', 'AWS COST', 'ERROR'], rows)}\n` +
              `AWS cost of the run: $${total.toFixed(4)} at list price (Glue $0.44/DPU-h, 1-min minimum; Athena $5/TB, 10 MB minimum)\n`,
          );
          return;
        }
        process.stdout.write(
          `${formatTable(['TASK', 'STATE', 'TRY', 'STARTED (UTC)', 'DURATION', 'ERROR'], rows)}\n`,
        );
      } finally {
        store.db.close();
      }
    });
}
