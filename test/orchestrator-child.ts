// The real aqlake CLI with test DAGs registered: what the orchestrator's process tests spawn (node --import tsx).
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { main } from '../src/cli/main.js';
import { DagRegistry, defineDag, type TaskRunContext } from '../src/orchestrator/index.js';

const slowMs = Number(process.env.AQLAKE_TEST_TASK_MS ?? 150);

/** A task that takes a while, honours its signal, and leaves a line per completed try (its "output"). */
function slow(home: string) {
  return async (ctx: TaskRunContext): Promise<void> => {
    ctx.logger.info(`working on ${ctx.logicalDate}`);
    await sleep(slowMs, undefined, { signal: ctx.signal });
    appendFileSync(join(home, 'effects.log'), `${ctx.logicalDate} ${ctx.taskId} ${ctx.tryNumber}\n`);
  };
}

// The program's registry: these DAGs instead of the pipeline's.
const dags = new DagRegistry();
const home = process.env.AQLAKE_HOME ?? 'lake';
for (const dag of [
  defineDag({
    id: 'slow_dag',
    schedule: null,
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 4,
    defaultRetries: 1,
    defaultRetryDelayMs: 10,
    tasks: [
      { id: 'extract', run: slow(home) },
      { id: 'transform', upstream: ['extract'], run: slow(home) },
      { id: 'publish', upstream: ['transform'], run: slow(home) },
    ],
  }),
  defineDag({
    id: 'flaky_dag',
    schedule: null,
    startDate: '2024-01-01',
    catchup: false,
    maxActiveRuns: 1,
    tasks: [
      {
        id: 'flaky',
        retries: 2,
        retryDelayMs: 10,
        run: async (ctx) => {
          ctx.logger.info(
            { apiKey: 'never-printed' },
            `attempt ${ctx.tryNumber} with key ${process.env.OPENAQ_API_KEY}`,
          );
          if (ctx.tryNumber < 3) throw new Error(`upstream flaked on try ${ctx.tryNumber}`);
          ctx.logger.info('got the data');
        },
      },
    ],
  }),
])
  dags.register(dag);

await main(process.argv, { dags });
