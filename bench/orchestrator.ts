// Orchestrator overhead: 1,000 no-op task instances through the executor (real SQLite run store and per-try log
// files on a temp dir) against the same callbacks awaited in a bare loop in the same process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import {
  defineDag,
  RunStore,
  runBackfill,
  type TaskDef,
  type TaskRunContext,
} from '../src/orchestrator/index.js';
import { addDays } from '../src/time/local-day.js';

const RUNS = 100;
const TASKS_PER_RUN = 10;
const FROM = '2024-01-01';

export async function orchestratorBenchmark(): Promise<Record<string, number | string>> {
  const home = mkdtempSync(join(tmpdir(), 'aqlake-bench-orch-'));
  let calls = 0;
  const noop = async (_ctx: TaskRunContext): Promise<void> => {
    calls++;
  };
  const tasks: TaskDef[] = Array.from({ length: TASKS_PER_RUN }, (_, i) => ({
    id: `t${i}`,
    ...(i > 0 ? { upstream: [`t${i - 1}`] } : {}),
    run: noop,
  }));
  const dag = defineDag({
    id: 'bench_noop',
    schedule: null,
    startDate: FROM,
    catchup: false,
    maxActiveRuns: 1,
    tasks,
  });
  const total = RUNS * TASKS_PER_RUN;
  const to = addDays(FROM, RUNS - 1);

  // Baseline: the same callbacks, awaited one after another with a minimal context.
  const silent = pino({ level: 'silent' });
  const controller = new AbortController();
  const bareStart = performance.now();
  for (let r = 0; r < RUNS; r++) {
    const logicalDate = addDays(FROM, r);
    for (const task of dag.tasks)
      await task.run({
        dagId: dag.id,
        runId: `${dag.id}__${logicalDate}`,
        taskId: task.id,
        tryNumber: 1,
        maxTries: 1,
        runType: 'backfill',
        logicalDate,
        interval: { from: logicalDate, to: logicalDate },
        params: {},
        signal: controller.signal,
        logger: silent,
        heartbeat: () => {},
      });
  }
  const bareMs = performance.now() - bareStart;

  const store = new RunStore(openMetaDb(home));
  try {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const summary = await runBackfill({ dag, from: FROM, to, home, store, parallel: 1, secrets: [] });
    const executorMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    if (summary.succeeded !== RUNS || calls !== 2 * total)
      throw new Error(`bench: expected ${RUNS} successful runs, got ${summary.succeeded} (${calls} calls)`);
    return {
      task_instances: total,
      parallel: 1,
      executor_ms_per_task: round(executorMs / total),
      bare_loop_ms_per_task: round(bareMs / total, 4),
      overhead_ms_per_task: round((executorMs - bareMs) / total),
      // CPU time is steadier than wall time on a busy machine (I/O waits excluded).
      executor_cpu_ms_per_task: round((used.user + used.system) / 1000 / total),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    store.db.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
