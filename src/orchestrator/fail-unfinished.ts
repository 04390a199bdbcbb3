// After an error that stops a whole command (disk full, refused API key, unreachable API), the runs it did not
// finish are failed with that error instead of staying queued or running: `aqlake runs` then says what happened,
// and the next `run`/`backfill` redoes them like any failed run.
import type { RunStore } from './run-store.js';

/** Fails the unowned, unfinished runs among `runIds` and their unfinished task instances, in one transaction. */
export function failUnfinishedRuns(store: RunStore, runIds: readonly string[], reason: string): string[] {
  const db = store.db;
  const now = store.clock().toISOString();
  const failed: string[] = [];
  db.transaction(() => {
    const runState = db.prepare(
      `UPDATE dag_runs SET state = 'failed', ended_at = ?, updated_at = ?
       WHERE run_id = ? AND state IN ('queued', 'running') AND owner_id IS NULL`,
    );
    const tasks = db.prepare(
      `UPDATE task_instances SET state = 'failed', error = ?, ended_at = ?, updated_at = ?, next_retry_at = NULL
       WHERE run_id = ? AND state IN ('queued', 'scheduled', 'up_for_retry', 'running')`,
    );
    for (const runId of runIds) {
      if (runState.run(now, now, runId).changes === 0) continue;
      tasks.run(reason, now, now, runId);
      failed.push(runId);
    }
  }).immediate();
  return failed;
}
