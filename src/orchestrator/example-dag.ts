// example_noop: a built-in DAG of tasks that only log, so the orchestrator can be tried before any pipeline is wired.
import type { AqlakeConfig } from '../config/index.js';
import { addDays, todayIn } from '../time/local-day.js';
import { type Dag, defineDag, type TaskRunContext } from './dag.js';

async function noop(ctx: TaskRunContext): Promise<void> {
  ctx.logger.info(
    { interval: ctx.interval, params: ctx.params },
    `${ctx.taskId} for ${ctx.logicalDate}: nothing to do`,
  );
}

export function exampleNoopDag(config: AqlakeConfig): Dag {
  const { schedule } = config;
  return defineDag({
    id: 'example_noop',
    description: 'four tasks that only write a log line (start → a, b → end)',
    schedule: { cron: schedule.cron, timezone: schedule.timezone },
    startDate: schedule.startDate ?? addDays(todayIn(schedule.timezone), -7),
    catchup: schedule.catchup,
    maxActiveRuns: schedule.maxActiveRuns,
    defaultRetries: config.orchestrator.retries,
    defaultRetryDelayMs: config.orchestrator.retryDelaySeconds * 1000,
    defaultTimeoutMs: config.orchestrator.taskTimeoutSeconds * 1000,
    tasks: [
      { id: 'start', run: noop },
      { id: 'a', upstream: ['start'], run: noop },
      { id: 'b', upstream: ['start'], run: noop },
      { id: 'end', upstream: ['a', 'b'], run: noop },
    ],
  });
}
