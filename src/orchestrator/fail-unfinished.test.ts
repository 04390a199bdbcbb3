// A full disk (or an I/O error) stops a backfill: no task retries it, no further day starts, and no run is left
// queued or running; each says why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMetaDb } from '../lake/meta/meta-db.js';
import { runBackfill } from './backfill.js';
import { defineDag } from './dag.js';
import { RunStore } from './run-store.js';

let home: string;
let store: RunStore;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-disk-full-'));
  store = new RunStore(openMetaDb(home));
});
afterEach(() => {
  store.db.close();
  rmSync(home, { recursive: true, force: true });
});

describe('a storage failure during a backfill', () => {
  it('stops it, fails the unfinished runs with the reason, and retries nothing', async () => {
    let writes = 0;
    const dag = defineDag({
      id: 'disk_dag',
      schedule: null,
      startDate: '2024-01-01',
      catchup: false,
      maxActiveRuns: 16,
      defaultRetries: 3,
      defaultRetryDelayMs: 5,
      tasks: [
        {
          id: 'write',
          run: async () => {
            writes++;
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          },
        },
        { id: 'after', upstream: ['write'], run: async () => {} },
      ],
    });
    const summary = await runBackfill({
      dag,
      from: '2024-03-01',
      to: '2024-03-20',
      parallel: 2,
      home,
      store,
      heartbeatIntervalMs: 20,
      stopGraceMs: 200,
    });
    expect(summary.stoppedByError).toBe('ENOSPC: no space left on device, write');
    expect(writes).toBeLessThanOrEqual(2);
    const runs = store.listRuns({ dagId: 'disk_dag' });
    expect(runs).toHaveLength(20);
    expect(runs.filter((r) => r.state !== 'failed').map((r) => r.logicalDate)).toEqual([]);
    const untouched = runs.filter((r) => store.getTaskInstance(r.runId, 'write')!.tryNumber === 0);
    expect(untouched.length).toBeGreaterThanOrEqual(18);
    expect(store.listTaskInstances(untouched[0]!.runId).map((t) => [t.taskId, t.state, t.error])).toEqual([
      ['write', 'failed', 'not finished: ENOSPC: no space left on device, write'],
      ['after', 'failed', 'not finished: ENOSPC: no space left on device, write'],
    ]);
  });

  it('stops instead of hanging when the run store itself cannot record an outcome (SQLite on a full disk)', async () => {
    class FullDiskStore extends RunStore {
      full = true;
      override finishTask(...args: Parameters<RunStore['finishTask']>): ReturnType<RunStore['finishTask']> {
        if (this.full) {
          this.full = false;
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        }
        return super.finishTask(...args);
      }
    }
    const full = new FullDiskStore(store.db);
    const dag = defineDag({
      id: 'full_dag',
      schedule: null,
      startDate: '2024-01-01',
      catchup: false,
      maxActiveRuns: 16,
      tasks: [{ id: 'work', run: async () => {} }],
    });
    const summary = await runBackfill({
      dag,
      from: '2024-03-01',
      to: '2024-03-10',
      parallel: 1,
      home,
      store: full,
      heartbeatIntervalMs: 20,
      stopGraceMs: 200,
    });
    expect(summary.stoppedByError).toBe('database or disk is full');
    const runs = store.listRuns({ dagId: 'full_dag' });
    expect(runs.filter((r) => r.state === 'queued' || r.state === 'running')).toEqual([]);
  });
});
