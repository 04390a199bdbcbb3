// aqlake runs: the DAG runs in the run store, newest first, with their task states.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { formatDuration, formatTable, formatTime, openRunStore } from '../orchestrator/cli-support.js';
import { type DagRun, RUN_STATES, type RunState, type TaskState } from '../orchestrator/index.js';
import { formatUsd, runCosts } from '../orchestrator/task-cost.js';
import { cliClock } from '../time/clock.js';
import { configFor, parsePositiveInt } from './options.js';

interface RunsFlags {
  dag?: string;
  state?: string;
  limit: string;
  json?: boolean;
}

export function registerRuns(command: Command): void {
  command
    .option('--dag <id>', 'only runs of this DAG')
    .option('--state <state>', `only runs in this state (${RUN_STATES.join(', ')})`)
    .option('--limit <n>', 'at most this many runs', '20')
    .option('--json', 'print the runs as JSON, each with its task states')
    .addHelpText(
      'after',
      '\nA run id is DAG__DATE (e.g. openaq_daily__2024-05-01); pass it to `aqlake tasks`, `logs` and `clear`.',
    )
    .action((flags: RunsFlags, command: Command) => {
      const limit = parsePositiveInt('--limit', flags.limit);
      const state = flags.state as RunState | undefined;
      if (state !== undefined && !(RUN_STATES as readonly string[]).includes(state))
        throw new UsageError(`--state: expected one of ${RUN_STATES.join(', ')}, got "${flags.state}"`);
      const store = openRunStore(configFor(command));
      try {
        const runs = store.listRuns({
          ...(flags.dag ? { dagId: flags.dag } : {}),
          ...(state ? { states: [state] } : {}),
          limit,
        });
        const tasks = store.taskStates(runs.map((r) => r.runId));
        // What each run cost on AWS (nothing is recorded on the local engine: no COST column then).
        const costs = runCosts(
          store.db,
          runs.map((r) => r.runId),
        );
        if (flags.json) {
          const out = runs.map((r) => ({
            ...r,
            taskStates: tasks.get(r.runId) ?? {},
            ...(costs.has(r.runId) ? { awsCost: costs.get(r.runId) } : {}),
          }));
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          return;
        }
        if (runs.length === 0) {
          process.stdout.write('no runs yet (start one with `aqlake trigger` or `aqlake backfill`)\n');
          return;
        }
        const now = cliClock()();
        const rows = runs.map((r) => [
          r.runId,
          r.runType,
          r.state,
          taskSummary(tasks.get(r.runId) ?? {}),
          formatTime(r.startedAt),
          formatDuration(durationOf(r, now)),
          ...(costs.size > 0 ? [formatUsd(costs.get(r.runId))] : []),
        ]);
        const head = ['RUN', 'TYPE', 'STATE', 'TASKS', 'STARTED (UTC)', 'DURATION'];
        process.stdout.write(`${formatTable(costs.size > 0 ? [...head, 'AWS COST'] : head, rows)}\n`);
      } finally {
        store.db.close();
      }
    });
}

/** How long a run took, or has been running by `now`. */
function durationOf(run: DagRun, now: Date): number | null {
  if (!run.startedAt) return null;
  const end = run.endedAt ? Date.parse(run.endedAt) : now.getTime();
  return end - Date.parse(run.startedAt);
}

/** e.g. `4/6 success, 1 running, 1 queued`. */
function taskSummary(states: Record<string, TaskState>): string {
  const all = Object.values(states);
  const counts = new Map<TaskState, number>();
  for (const s of all) counts.set(s, (counts.get(s) ?? 0) + 1);
  const ok = counts.get('success') ?? 0;
  counts.delete('success');
  const rest = [...counts].map(([s, n]) => `${n} ${s}`);
  return [`${ok}/${all.length} success`, ...rest].join(', ');
}
