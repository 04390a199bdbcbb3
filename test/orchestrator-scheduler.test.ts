import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import {
  type Dag,
  type DagDef,
  defineDag,
  RunStore,
  runBackfill,
  runScheduler,
} from '../src/orchestrator/index.js';
import { HOSTNAME } from '../src/orchestrator/liveness.js';

let home: string;
let store: RunStore;
let ran: string[];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-orch-sched-'));
  store = new RunStore(openMetaDb(home));
  ran = [];
});
afterEach(() => {
  store.db.close();
  rmSync(home, { recursive: true, force: true });
});

function dailyDag(extra: Partial<DagDef> = {}): Dag {
  return defineDag({
    id: 'daily',
    // 03:30 in New York; logical dates are New York days.
    schedule: { cron: '30 3 * * *', timezone: 'America/New_York' },
    startDate: '2024-03-05',
    catchup: true,
    maxActiveRuns: 2,
    defaultRetryDelayMs: 5,
    tasks: [
      {
        id: 'extract',
        run: async (ctx) => {
          ran.push(`${ctx.logicalDate} ${ctx.taskId} ${ctx.runType}`);
        },
      },
      {
        id: 'publish',
        upstream: ['extract'],
        run: async (ctx) => {
          ran.push(`${ctx.logicalDate} ${ctx.taskId} ${ctx.runType}`);
        },
      },
    ],
    ...extra,
  });
}

// 2024-03-10 07:29Z is 03:29 EDT, one minute before the fire that makes 2024-03-09 due.
const beforeFire = new Date('2024-03-10T07:29:00Z');

describe('scheduler', () => {
  it('with catchup runs every due day since the start date, maxActiveRuns at a time, then stops (--once)', async () => {
    let active = 0;
    let peak = 0;
    const result = await runScheduler({
      dags: [dailyDag()],
      store,
      home,
      parallelism: 4,
      once: true,
      now: () => beforeFire,
      onEvent: (e) => {
        if (e.kind === 'run-started') peak = Math.max(peak, ++active);
        if (e.kind === 'run-finished') active--;
      },
    });
    expect(peak).toBeLessThanOrEqual(2);
    const dates = ['2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08'];
    expect(result.created.map((r) => r.logicalDate)).toEqual(dates);
    expect([...result.runs.values()]).toEqual(['success', 'success', 'success', 'success']);
    expect(store.listRuns({ order: 'oldest' }).map((r) => [r.logicalDate, r.runType, r.state])).toEqual(
      dates.map((d) => [d, 'scheduled', 'success']),
    );
    // Each day's publish ran after its extract.
    for (const d of dates)
      expect(ran.indexOf(`${d} publish scheduled`)).toBeGreaterThan(ran.indexOf(`${d} extract scheduled`));

    const later = await runScheduler({
      dags: [dailyDag()],
      store,
      home,
      parallelism: 4,
      once: true,
      now: () => new Date('2024-03-10T07:31:00Z'),
    });
    expect(later.created.map((r) => r.logicalDate)).toEqual(['2024-03-09']);
  });

  it('without catchup creates only the latest due day', async () => {
    const result = await runScheduler({
      dags: [dailyDag({ catchup: false })],
      store,
      home,
      parallelism: 1,
      once: true,
      now: () => beforeFire,
    });
    expect(result.created.map((r) => r.logicalDate)).toEqual(['2024-03-08']);
  });

  it('after a crash, finishes the runs a dead scheduler left, and picks up queued manual runs, not backfill runs', async () => {
    const dag = dailyDag({ catchup: false, defaultRetries: 1 });
    const left = store.createRun(dag, { logicalDate: '2024-03-08', runType: 'scheduled' }).run;
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const dead = { id: 'dead-scheduler', pid: deadPid, hostname: HOSTNAME };
    store.claimRun(left.runId, dead);
    store.claimTask(left.runId, 'extract', dead, (n) => `x/try-${n}.log`);
    const manual = store.createRun(dag, { logicalDate: '2024-02-01', runType: 'manual' }).run;
    const backfill = store.createRun(dag, { logicalDate: '2024-02-02', runType: 'backfill' }).run;

    const result = await runScheduler({
      dags: [dag],
      store,
      home,
      parallelism: 2,
      once: true,
      now: () => beforeFire,
    });

    expect(result.created).toEqual([]);
    expect(result.runs.get(left.runId)).toBe('success');
    expect(result.runs.get(manual.runId)).toBe('success');
    expect(store.getRun(backfill.runId)!.state).toBe('queued');
    expect(store.getTaskInstance(left.runId, 'extract')).toMatchObject({ state: 'success', tryNumber: 2 });
  });

  it('stops on its signal between ticks when not --once', async () => {
    const controller = new AbortController();
    const running = runScheduler({
      dags: [dailyDag({ catchup: false })],
      store,
      home,
      parallelism: 1,
      tickMs: 10,
      now: () => beforeFire,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'run-finished') controller.abort('SIGTERM');
      },
    });
    const result = await running;
    expect(result.stoppedBecause).toBe('SIGTERM');
    expect(store.getRun('daily__2024-03-08')!.state).toBe('success');
  });
});

describe('runBackfill', () => {
  it('skips days done, resumes failed days from the failed task, and redoes everything with rerun', async () => {
    let failPublishOn: string | null = '2024-01-02';
    const dag = defineDag({
      id: 'bf',
      schedule: null,
      startDate: '2024-01-01',
      catchup: false,
      maxActiveRuns: 1,
      tasks: [
        {
          id: 'extract',
          run: async (ctx) => {
            ran.push(`${ctx.logicalDate} extract`);
          },
        },
        {
          id: 'publish',
          upstream: ['extract'],
          run: async (ctx) => {
            if (ctx.logicalDate === failPublishOn) throw new Error('publish broke');
            ran.push(`${ctx.logicalDate} publish ${JSON.stringify(ctx.params)}`);
          },
        },
      ],
    });
    const first = await runBackfill({
      dag,
      from: '2024-01-01',
      to: '2024-01-03',
      home,
      store,
      parallel: 2,
      params: { locations: [7] },
    });
    expect(first).toMatchObject({ succeeded: 2, failed: 1, skipped: 0, interrupted: null });

    failPublishOn = null;
    ran = [];
    const second = await runBackfill({
      dag,
      from: '2024-01-01',
      to: '2024-01-04',
      home,
      store,
      parallel: 2,
      params: { locations: [7] },
    });
    expect(second.runs.map((r) => [r.logicalDate, r.action, r.state])).toEqual([
      ['2024-01-01', 'skip', 'success'],
      ['2024-01-02', 'resume', 'success'],
      ['2024-01-03', 'skip', 'success'],
      ['2024-01-04', 'create', 'success'],
    ]);
    // The resumed day re-ran only its failed task.
    expect(ran.filter((r) => r.startsWith('2024-01-02'))).toEqual(['2024-01-02 publish {"locations":[7]}']);

    ran = [];
    const third = await runBackfill({ dag, from: '2024-01-01', to: '2024-01-02', home, store, rerun: true });
    expect(third.runs.map((r) => r.action)).toEqual(['rerun', 'rerun']);
    expect(ran.sort()).toEqual([
      '2024-01-01 extract',
      '2024-01-01 publish {}',
      '2024-01-02 extract',
      '2024-01-02 publish {}',
    ]);
    expect(store.listRuns({ dagId: 'bf' })).toHaveLength(4);
  });
});
