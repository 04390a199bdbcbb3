// aqlake backfill: runs a DAG for every day of a range — resumable, with a plan (--dry-run) and a progress bar.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { describeEvent, formatDuration, openRunStore, stopOnSignals } from '../orchestrator/cli-support.js';
import { RunFailedError } from '../orchestrator/errors.js';
import {
  type BackfillPlan,
  type BackfillProgress,
  planBackfill,
  runBackfill,
  secretsOf,
} from '../orchestrator/index.js';
import type { CliContext } from './commands.js';
import { failOnStopped, parseRangeRun, type RangeRunFlags } from './range-run.js';

interface BackfillFlags extends RangeRunFlags {
  dag?: string;
  dryRun?: boolean;
  rerun?: boolean;
  json?: boolean;
}

export function registerBackfill(command: Command, cli: CliContext): void {
  command
    .requiredOption('--from <date>', 'first logical date, YYYY-MM-DD (inclusive)')
    .requiredOption('--to <date>', 'last logical date, YYYY-MM-DD (inclusive)')
    .option('--dag <id>', 'which DAG (default: openaq_daily)')
    .option('--locations <ids>', 'comma-separated location ids (default: the config scope)')
    .option(
      '--source <source>',
      'auto (default): days past the archive lag from the OpenAQ archive, newer ones from the API; or api, archive',
    )
    .option('--parallel <n>', 'days run at once, and tasks at once (default: orchestrator.parallelism)')
    .option(
      '--dry-run',
      'print the plan — days to create, resume, rerun or skip, and the API cost — and stop',
    )
    .option('--rerun', 'clear and redo days that already have runs, successful ones too')
    .option('--json', 'print the plan or the summary as JSON')
    .option('--yes', 'run a range of more than 366 days')
    .addHelpText(
      'after',
      '\nDays whose runs succeeded are skipped; failed or unfinished days are resumed (failed tasks only).\n' +
        'Ctrl-C (or SIGTERM) interrupts the running tasks, records them and exits 1: run the same command to\n' +
        'resume. A process killed outright is detected by the next command (dead pid or stale heartbeat).\n' +
        'Exits 0 when every day succeeded, 1 when a day failed or the backfill was interrupted.',
    )
    .action(async (flags: BackfillFlags, command: Command) => {
      const { from, to, config, dag, params, parallel } = parseRangeRun(flags, command, {
        dags: cli.dags,
        dagId: flags.dag,
        sizeHint: flags.dryRun ? null : ', or see the plan first with --dry-run',
      });
      const store = openRunStore(config);
      try {
        if (flags.dryRun) {
          const plan = planBackfill(store, dag, from, to, flags.rerun ?? false);
          const planner = cli.dags.planner(dag.id);
          if (planner && plan.toRun.length > 0) plan.estimate = await planner.estimate(plan.toRun, params);
          process.stdout.write(
            flags.json ? `${JSON.stringify(plan, null, 2)}\n` : describePlan(plan, parallel),
          );
          return;
        }
        // Days already done whose source data changed since (a re-exported archive file) run again.
        const refresher = flags.rerun ? undefined : cli.dags.refresher(dag.id);
        const changed = refresher ? await refresher.changedDays(from, to, params) : [];
        if (changed.length > 0)
          process.stderr.write(
            `backfill: ${changed.length} day(s) changed at the source since they ran; running them again: ${changed.join(', ')}\n`,
          );
        const progress = progressReporter(flags.json ?? false);
        const stop = stopOnSignals((sig) => progress.note(`${sig}: interrupting running tasks…`));
        let summary: Awaited<ReturnType<typeof runBackfill>>;
        try {
          summary = await runBackfill({
            dag,
            from,
            to,
            params,
            parallel,
            rerun: flags.rerun ? true : new Set(changed),
            home: config.home,
            config,
            store,
            secrets: secretsOf(config),
            signal: stop.signal,
            onProgress: progress.update,
          });
        } finally {
          progress.end();
          stop.dispose();
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else
          process.stdout.write(
            `backfill ${dag.id} ${from}..${to}: ${summary.succeeded} succeeded, ${summary.failed} failed, ` +
              `${summary.skipped} skipped (already done)${summary.unfinished ? `, ${summary.unfinished} unfinished` : ''}` +
              ` in ${formatDuration(summary.durationMs)}\n`,
          );
        failOnStopped(summary, 'backfill');
        if (summary.failed > 0) {
          const days = summary.runs.filter((r) => r.state === 'failed').map((r) => r.logicalDate);
          throw new RunFailedError(
            `${summary.failed} day(s) failed: ${days.slice(0, 5).join(', ')}${days.length > 5 ? ', …' : ''} ` +
              `(see aqlake tasks ${dag.id}__${days[0]}); run the same command again to retry them`,
            { runId: `${dag.id}__${days[0]}` },
          );
        }
      } finally {
        store.db.close();
      }
    });
}

/** The plan as text: consecutive days with the same action on one line. */
function describePlan(plan: BackfillPlan, parallel: number): string {
  const lines = [`backfill plan for ${plan.dagId}, ${plan.from}..${plan.to} (${plan.items.length} days):`];
  let i = 0;
  while (i < plan.items.length) {
    const first = plan.items[i]!;
    let j = i;
    while (j + 1 < plan.items.length && plan.items[j + 1]!.action === first.action) j++;
    const last = plan.items[j]!;
    const span = first === last ? first.logicalDate : `${first.logicalDate}..${last.logicalDate}`;
    const was =
      first.action === 'create'
        ? ''
        : ` (runs exist: ${[...new Set(plan.items.slice(i, j + 1).map((x) => x.existing))].join(', ')})`;
    lines.push(`  ${first.action.padEnd(6)}  ${span}  ${j - i + 1} day(s)${was}`);
    i = j + 1;
  }
  const count = (a: string): number => plan.items.filter((x) => x.action === a).length;
  lines.push(
    `${plan.toRun.length} day(s) to run (${count('create')} new, ${count('resume')} resumed, ${count('rerun')} rerun), ` +
      `${count('skip')} skipped; ${parallel} at once`,
  );
  if (plan.estimate)
    lines.push(
      `estimate: ${plan.estimate.requests} API requests, about ${formatDuration(plan.estimate.seconds * 1000)} under the rate limits` +
        (plan.estimate.note ? ` (${plan.estimate.note})` : ''),
    );
  return `${lines.join('\n')}\n`;
}

/** A progress bar on a terminal; plain lines otherwise (and on stderr when stdout carries JSON). */
function progressReporter(json: boolean): {
  update: (p: BackfillProgress) => void;
  note: (line: string) => void;
  end: () => void;
} {
  const out = json ? process.stderr : process.stdout;
  if (!process.stderr.isTTY) {
    return {
      update: ({ event, done, total }) => {
        if (event.kind === 'planned') {
          out.write(
            `backfill: ${event.plan.toRun.length} day(s) to run, ${event.plan.items.length - event.plan.toRun.length} skipped\n`,
          );
          return;
        }
        const line = describeEvent(event);
        if (line) out.write(`${line}${event.kind === 'run-finished' ? ` [${done}/${total}]` : ''}\n`);
      },
      note: (line) => out.write(`${line}\n`),
      end: () => {},
    };
  }
  // A MultiBar of one bar: it can print failure lines above the bar without breaking it.
  const bars = new cliProgress.MultiBar(
    {
      format: 'backfill |{bar}| {value}/{total} days | {failed} failed | {current}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | null = null;
  return {
    update: ({ event, done, total, failed }) => {
      if (event.kind === 'planned') {
        bar = bars.create(total, 0, { failed: 0, current: '' });
        return;
      }
      const current =
        event.kind === 'task-started'
          ? `${event.logicalDate} ${event.taskId} (try ${event.tryNumber})`
          : undefined;
      bar?.update(done, { failed, ...(current ? { current } : done === total ? { current: '' } : {}) });
      if (event.kind === 'task-finished' && (event.state === 'failed' || event.state === 'up_for_retry')) {
        const line = describeEvent(event);
        if (line) bars.log(`${line}\n`);
      }
    },
    note: (line) => bars.log(`${line}\n`),
    end: () => bars.stop(),
  };
}
