import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MetaDb, openMemoryMetaDb } from '../lake/meta/meta-db.js';
import { type Dag, defineDag } from './dag.js';
import { RunStore } from './run-store.js';

const noop = async (): Promise<void> => {};
let db: MetaDb;
let store: RunStore;
const owner = { id: 'me', pid: process.pid, hostname: 'here' };

// extract → transform → (validate, catalog) → publish
const dag: Dag = defineDag({
  id: 'pipe',
  schedule: null,
  startDate: '2024-01-01',
  catchup: false,
  maxActiveRuns: 1,
  defaultRetries: 1,
  dataInterval: (d) => ({ from: d === '2024-01-05' ? '2024-01-02' : d, to: d }),
  tasks: [
    { id: 'extract', run: noop },
    { id: 'transform', upstream: ['extract'], run: noop },
    { id: 'catalog', upstream: ['transform'], run: noop },
    { id: 'validate', upstream: ['transform'], run: noop },
    { id: 'publish', upstream: ['catalog', 'validate'], run: noop },
  ],
});

beforeEach(() => {
  db = openMemoryMetaDb();
  store = new RunStore(db);
});
afterEach(() => db.close());

function runTask(runId: string, taskId: string, state: 'success' | 'failed' = 'success'): void {
  const claim = store.claimTask(runId, taskId, owner, (n) => `l/${taskId}-${n}`);
  if (!claim) throw new Error(`${taskId} was not ready`);
  store.finishTask(
    runId,
    taskId,
    claim.tryNumber,
    state === 'success' ? { state } : { state, error: 'boom' },
    claim.startedAt,
  );
}

const states = (runId: string) =>
  Object.fromEntries(store.listTaskInstances(runId).map((t) => [t.taskId, t.state]));

describe('run store', () => {
  it('keeps one run per DAG and day, with its data interval and one instance per task', () => {
    const first = store.createRun(dag, {
      logicalDate: '2024-01-05',
      runType: 'scheduled',
      params: { locations: [1] },
    });
    const again = store.createRun(dag, { logicalDate: '2024-01-05', runType: 'backfill' });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.run).toMatchObject({
      runId: 'pipe__2024-01-05',
      runType: 'scheduled',
      interval: { from: '2024-01-02', to: '2024-01-05' },
      params: { locations: [1] },
    });
    expect(store.listRuns()).toHaveLength(1);
    expect(states('pipe__2024-01-05')).toEqual({
      extract: 'scheduled',
      transform: 'queued',
      catalog: 'queued',
      validate: 'queued',
      publish: 'queued',
    });
  });

  it('a try can be claimed once; the run starts with the first claim', () => {
    const { run } = store.createRun(dag, { logicalDate: '2024-01-06', runType: 'manual' });
    expect(store.claimTask(run.runId, 'transform', owner, () => 'x')).toBeNull();
    expect(store.claimTask(run.runId, 'extract', owner, () => 'x')).toMatchObject({
      tryNumber: 1,
      maxTries: 2,
    });
    expect(store.claimTask(run.runId, 'extract', { ...owner, id: 'other' }, () => 'x')).toBeNull();
    expect(store.getRun(run.runId)!.state).toBe('running');
  });

  it('promotes tasks as their upstream finishes and derives the run’s state', () => {
    const { run } = store.createRun(dag, { logicalDate: '2024-01-07', runType: 'manual' });
    runTask(run.runId, 'extract');
    runTask(run.runId, 'transform');
    expect(states(run.runId)).toMatchObject({
      catalog: 'scheduled',
      validate: 'scheduled',
      publish: 'queued',
    });
    runTask(run.runId, 'catalog');
    runTask(run.runId, 'validate', 'failed');
    expect(states(run.runId)).toMatchObject({ validate: 'failed', publish: 'upstream_failed' });
    expect(store.getRun(run.runId)).toMatchObject({ state: 'failed' });
    expect(store.getRun(run.runId)!.endedAt).not.toBeNull();
  });

  it('clearing a task with --downstream resets it and what depends on it, granting its retries anew', () => {
    const { run } = store.createRun(dag, { logicalDate: '2024-01-08', runType: 'backfill' });
    for (const t of ['extract', 'transform', 'catalog', 'validate', 'publish']) runTask(run.runId, t);
    expect(store.getRun(run.runId)!.state).toBe('success');

    expect(store.clearTasks(run.runId, { taskIds: ['catalog'], downstream: true })).toEqual([
      'catalog',
      'publish',
    ]);
    expect(states(run.runId)).toEqual({
      extract: 'success',
      transform: 'success',
      catalog: 'scheduled',
      validate: 'success',
      publish: 'queued',
    });
    expect(store.getTaskInstance(run.runId, 'catalog')).toMatchObject({ tryNumber: 1, maxTries: 3 });
    expect(store.getRun(run.runId)).toMatchObject({ state: 'queued', endedAt: null, startedAt: null });
    runTask(run.runId, 'catalog');
    expect(store.listTaskTries(run.runId, 'catalog').map((t) => t.tryNumber)).toEqual([1, 2]);
  });

  it('clearing only failed tasks resumes a failed run', () => {
    const { run } = store.createRun(dag, { logicalDate: '2024-01-09', runType: 'backfill' });
    runTask(run.runId, 'extract');
    runTask(run.runId, 'transform', 'failed');
    expect(store.clearTasks(run.runId, { onlyFailed: true })).toEqual([
      'transform',
      'catalog',
      'validate',
      'publish',
    ]);
    expect(states(run.runId)).toMatchObject({
      extract: 'success',
      transform: 'scheduled',
      catalog: 'queued',
    });
    expect(store.getRun(run.runId)!.state).toBe('queued');
  });

  it('a run is held by one owner at a time until released', () => {
    const { run } = store.createRun(dag, { logicalDate: '2024-01-10', runType: 'scheduled' });
    expect(store.claimRun(run.runId, owner)).toBe(true);
    expect(store.claimRun(run.runId, { ...owner, id: 'other' })).toBe(false);
    store.releaseRun(run.runId, owner.id);
    expect(store.claimRun(run.runId, { ...owner, id: 'other' })).toBe(true);
  });

  it('picks ready tasks oldest day first, and due retries only', () => {
    const late = store.createRun(dag, { logicalDate: '2024-01-12', runType: 'backfill' }).run;
    const early = store.createRun(dag, { logicalDate: '2024-01-11', runType: 'backfill' }).run;
    const claim = store.claimTask(early.runId, 'extract', owner, () => 'x')!;
    store.finishTask(
      early.runId,
      'extract',
      claim.tryNumber,
      { state: 'up_for_retry', retryAt: new Date(Date.now() + 60_000), error: 'later' },
      claim.startedAt,
    );
    expect(store.readyTasks([late.runId, early.runId], 10)).toEqual([
      { runId: late.runId, taskId: 'extract' },
    ]);
    expect(store.nextRetryAt([early.runId])!.getTime()).toBeGreaterThan(Date.now());
  });
});
