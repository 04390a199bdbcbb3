// The run store: DAG runs, task instances and tries in SQLite. Every state change is one transaction that writes
// what the state machine (state-machine.ts) decided for one event.
import type { Statement } from 'better-sqlite3';
import type { MetaDb } from '../lake/meta/meta-db.js';
import type { Dag, DataInterval, RunType } from './dag.js';
import { type LivenessProbe, staleReason } from './liveness.js';
import {
  type ClearSelection,
  initialTaskState,
  type RunEvent,
  type RunSnapshot,
  type RunState,
  type TaskState,
  type Transition,
  type TryResult,
  type TryState,
  transition,
} from './state-machine.js';

// The states are the state machine's; they are re-exported for the store's readers.
export type { RunState, TaskState, TryResult } from './state-machine.js';

export interface DagRun {
  runId: string;
  dagId: string;
  logicalDate: string;
  runType: RunType;
  state: RunState;
  interval: DataInterval;
  params: Record<string, unknown>;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
  ownerId: string | null;
  ownerPid: number | null;
  ownerHostname: string | null;
  ownerHeartbeatAt: string | null;
  note: string | null;
}

export interface TaskInstance {
  runId: string;
  taskId: string;
  state: TaskState;
  priority: number;
  upstream: string[];
  retries: number;
  tryNumber: number;
  maxTries: number;
  nextRetryAt: string | null;
  queuedAt: string;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  heartbeatAt: string | null;
  ownerId: string | null;
  pid: number | null;
  hostname: string | null;
  error: string | null;
  updatedAt: string;
}

export interface TaskTry {
  runId: string;
  taskId: string;
  tryNumber: number;
  state: TryState;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  pid: number | null;
  hostname: string | null;
  error: string | null;
  /** Relative to AQLAKE_HOME. */
  logPath: string;
}

/** An executor working on runs: the identity written into the rows it holds. */
export interface Owner {
  id: string;
  pid: number;
  hostname: string;
}

export interface RecoveredTask {
  runId: string;
  taskId: string;
  tryNumber: number;
  state: 'up_for_retry' | 'failed';
  reason: string;
}

export interface RunQuery {
  dagId?: string;
  states?: RunState[];
  runTypes?: RunType[];
  from?: string;
  to?: string;
  /** Newest logical dates first (default) or oldest first. */
  order?: 'newest' | 'oldest';
  limit?: number;
}

export interface ClearOptions extends ClearSelection {
  /** Replace the run's params. */
  params?: Record<string, unknown>;
  note?: string;
}

/** Runs are unique per DAG and logical date, so the id is derived from both. */
export function runIdFor(dagId: string, logicalDate: string): string {
  return `${dagId}__${logicalDate}`;
}

const iso = (d: Date): string => d.toISOString();

interface RunRow {
  run_id: string;
  dag_id: string;
  logical_date: string;
  run_type: RunType;
  state: RunState;
  interval_from: string;
  interval_to: string;
  params_json: string;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  updated_at: string;
  owner_id: string | null;
  owner_pid: number | null;
  owner_hostname: string | null;
  owner_heartbeat_at: string | null;
  note: string | null;
}

interface TaskRow {
  run_id: string;
  task_id: string;
  state: TaskState;
  priority: number;
  upstream_json: string;
  retries: number;
  try_number: number;
  max_tries: number;
  next_retry_at: string | null;
  queued_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  heartbeat_at: string | null;
  owner_id: string | null;
  pid: number | null;
  hostname: string | null;
  error: string | null;
  updated_at: string;
}

interface TryRow {
  run_id: string;
  task_id: string;
  try_number: number;
  state: TryState;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  pid: number | null;
  hostname: string | null;
  error: string | null;
  log_path: string;
}

function toRun(r: RunRow): DagRun {
  return {
    runId: r.run_id,
    dagId: r.dag_id,
    logicalDate: r.logical_date,
    runType: r.run_type,
    state: r.state,
    interval: { from: r.interval_from, to: r.interval_to },
    params: JSON.parse(r.params_json) as Record<string, unknown>,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    updatedAt: r.updated_at,
    ownerId: r.owner_id,
    ownerPid: r.owner_pid,
    ownerHostname: r.owner_hostname,
    ownerHeartbeatAt: r.owner_heartbeat_at,
    note: r.note,
  };
}

function toTask(r: TaskRow): TaskInstance {
  return {
    runId: r.run_id,
    taskId: r.task_id,
    state: r.state,
    priority: r.priority,
    upstream: JSON.parse(r.upstream_json) as string[],
    retries: r.retries,
    tryNumber: r.try_number,
    maxTries: r.max_tries,
    nextRetryAt: r.next_retry_at,
    queuedAt: r.queued_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    heartbeatAt: r.heartbeat_at,
    ownerId: r.owner_id,
    pid: r.pid,
    hostname: r.hostname,
    error: r.error,
    updatedAt: r.updated_at,
  };
}

function toTry(r: TryRow): TaskTry {
  return {
    runId: r.run_id,
    taskId: r.task_id,
    tryNumber: r.try_number,
    state: r.state,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    pid: r.pid,
    hostname: r.hostname,
    error: r.error,
    logPath: r.log_path,
  };
}

/**
 * The run store over the metadata database. Several processes may hold one at once (WAL): every transition
 * reads and writes inside one IMMEDIATE transaction, so two executors never start the same try.
 */
export class RunStore {
  private readonly statements = new Map<string, Statement>();

  constructor(
    readonly db: MetaDb,
    /** The instants every transition records; the system clock unless a test fixes it. */
    readonly clock: () => Date = () => new Date(),
  ) {}

  private sql(text: string): Statement {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  /** Runs `fn` in one transaction (or inside the caller's). */
  private tx<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    // IMMEDIATE: take the write lock first, so a read-then-write cannot race another process.
    this.sql('BEGIN IMMEDIATE').run();
    try {
      const result = fn();
      this.sql('COMMIT').run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.sql('ROLLBACK').run();
      throw err;
    }
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────────────────

  /** Creates the run for (dag, logicalDate) with its task instances, unless one exists; returns the run. */
  createRun(
    dag: Dag,
    input: { logicalDate: string; runType: RunType; params?: Record<string, unknown>; note?: string },
  ): { run: DagRun; created: boolean } {
    const interval = dag.dataIntervalFor(input.logicalDate, input.runType);
    const runId = runIdFor(dag.id, input.logicalDate);
    return this.tx(() => {
      const now = iso(this.clock());
      const inserted = this.sql(
        `INSERT OR IGNORE INTO dag_runs (run_id, dag_id, logical_date, run_type, state, interval_from, interval_to,
           params_json, created_at, updated_at, note)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      ).run(
        runId,
        dag.id,
        input.logicalDate,
        input.runType,
        interval.from,
        interval.to,
        JSON.stringify(input.params ?? {}),
        now,
        now,
        input.note ?? null,
      );
      if (inserted.changes === 1) this.insertTaskInstances(dag, runId, now);
      return { run: this.getRun(runId)!, created: inserted.changes === 1 };
    });
  }

  private insertTaskInstances(dag: Dag, runId: string, now: string): void {
    const insert = this.sql(
      `INSERT OR IGNORE INTO task_instances (run_id, task_id, state, priority, upstream_json, retries, max_tries,
         queued_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const t of dag.tasks)
      insert.run(
        runId,
        t.id,
        initialTaskState(t.upstream),
        t.priority,
        JSON.stringify(t.upstream),
        t.retries,
        t.retries + 1,
        now,
        now,
      );
  }

  getRun(runId: string): DagRun | undefined {
    const row = this.sql('SELECT * FROM dag_runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row && toRun(row);
  }

  findRun(dagId: string, logicalDate: string): DagRun | undefined {
    const row = this.sql('SELECT * FROM dag_runs WHERE dag_id = ? AND logical_date = ?').get(
      dagId,
      logicalDate,
    ) as RunRow | undefined;
    return row && toRun(row);
  }

  listRuns(q: RunQuery = {}): DagRun[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.dagId) {
      where.push('dag_id = ?');
      params.push(q.dagId);
    }
    if (q.states?.length) {
      where.push('state IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(q.states));
    }
    if (q.runTypes?.length) {
      where.push('run_type IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(q.runTypes));
    }
    if (q.from) {
      where.push('logical_date >= ?');
      params.push(q.from);
    }
    if (q.to) {
      where.push('logical_date <= ?');
      params.push(q.to);
    }
    const order = q.order === 'oldest' ? 'logical_date, dag_id' : 'logical_date DESC, dag_id';
    const limit = q.limit ? ` LIMIT ${Math.floor(q.limit)}` : '';
    const sql = `SELECT * FROM dag_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}${limit}`;
    return (this.db.prepare(sql).all(...params) as RunRow[]).map(toRun);
  }

  listTaskInstances(runId: string): TaskInstance[] {
    return (
      this.sql('SELECT * FROM task_instances WHERE run_id = ? ORDER BY priority, task_id').all(
        runId,
      ) as TaskRow[]
    ).map(toTask);
  }

  getTaskInstance(runId: string, taskId: string): TaskInstance | undefined {
    const row = this.sql('SELECT * FROM task_instances WHERE run_id = ? AND task_id = ?').get(
      runId,
      taskId,
    ) as TaskRow | undefined;
    return row && toTask(row);
  }

  listTaskTries(runId: string, taskId?: string): TaskTry[] {
    const rows = taskId
      ? this.sql('SELECT * FROM task_tries WHERE run_id = ? AND task_id = ? ORDER BY try_number').all(
          runId,
          taskId,
        )
      : this.sql('SELECT * FROM task_tries WHERE run_id = ? ORDER BY started_at, task_id').all(runId);
    return (rows as TryRow[]).map(toTry);
  }

  /**
   * Brings an existing run in line with the DAG as defined now: adds task instances for new tasks, refreshes
   * upstream lists, then applies the `dag-changed` transition (instances of removed tasks are skipped).
   */
  syncTaskInstances(dag: Dag, runId: string): RunState {
    return this.tx(() => {
      const now = this.clock();
      this.insertTaskInstances(dag, runId, iso(now));
      const update = this.sql(
        'UPDATE task_instances SET priority = ?, upstream_json = ?, retries = ? WHERE run_id = ? AND task_id = ?',
      );
      for (const t of dag.tasks) update.run(t.priority, JSON.stringify(t.upstream), t.retries, runId, t.id);
      return this.apply(runId, { kind: 'dag-changed', taskIds: dag.tasks.map((t) => t.id) }, now).run.state;
    });
  }

  private snapshot(runId: string): RunSnapshot {
    const run = this.sql('SELECT state, owner_id FROM dag_runs WHERE run_id = ?').get(runId) as
      | { state: RunState; owner_id: string | null }
      | undefined;
    if (!run) throw new Error(`no DAG run ${runId}`);
    return { runId, state: run.state, ownerId: run.owner_id, tasks: this.listTaskInstances(runId) };
  }

  /**
   * Reads the run, asks the state machine what `event` changes, and writes exactly that. Runs inside the caller's
   * transaction (IMMEDIATE: nothing changes between the read and the writes).
   */
  private apply(
    runId: string,
    event: RunEvent,
    now: Date,
    context: { owner?: Owner; durationMs?: number } = {},
  ): Transition {
    const t = transition(this.snapshot(runId), event, now);
    const at = iso(now);
    for (const c of t.tasks) {
      switch (c.kind) {
        case 'started': {
          const owner = context.owner!;
          this.sql(
            `UPDATE task_instances SET state = 'running', try_number = ?, started_at = ?, ended_at = NULL,
               duration_ms = NULL, heartbeat_at = ?, owner_id = ?, pid = ?, hostname = ?, error = NULL,
               next_retry_at = NULL, updated_at = ?
             WHERE run_id = ? AND task_id = ?`,
          ).run(c.tryNumber, at, at, owner.id, owner.pid, owner.hostname, at, runId, c.taskId);
          break;
        }
        case 'ended':
          this.sql(
            `UPDATE task_instances SET state = ?, ended_at = ?, duration_ms = ?, next_retry_at = ?, error = ?,
               updated_at = ?
             WHERE run_id = ? AND task_id = ?`,
          ).run(
            c.state,
            c.ended ? at : null,
            context.durationMs ?? null,
            c.retryAt ? iso(c.retryAt) : null,
            c.error,
            at,
            runId,
            c.taskId,
          );
          break;
        case 'lost':
          // A lost try is retried at once: its process failed, not the task.
          this.sql(
            `UPDATE task_instances SET state = ?, next_retry_at = ?, ended_at = ?, error = ?, updated_at = ?
             WHERE run_id = ? AND task_id = ?`,
          ).run(
            c.state,
            c.state === 'up_for_retry' ? at : null,
            c.state === 'failed' ? at : null,
            c.error,
            at,
            runId,
            c.taskId,
          );
          break;
        case 'cleared':
          this.sql(
            `UPDATE task_instances SET state = 'queued', max_tries = ?, next_retry_at = NULL, queued_at = ?,
               started_at = NULL, ended_at = NULL, duration_ms = NULL, heartbeat_at = NULL, owner_id = NULL, pid = NULL,
               hostname = NULL, error = NULL, updated_at = ?
             WHERE run_id = ? AND task_id = ?`,
          ).run(c.maxTries, at, at, runId, c.taskId);
          break;
        case 'removed':
          this.sql(
            `UPDATE task_instances SET state = 'skipped', error = 'task no longer in the DAG', ended_at = ?,
               updated_at = ? WHERE run_id = ? AND task_id = ?`,
          ).run(at, at, runId, c.taskId);
          break;
        case 'settled':
          this.sql(
            `UPDATE task_instances SET state = ?, ended_at = CASE WHEN ? = 'upstream_failed' THEN ? ELSE ended_at END,
               updated_at = ? WHERE run_id = ? AND task_id = ?`,
          ).run(c.state, c.state, at, at, runId, c.taskId);
          break;
      }
    }
    if (t.run.started)
      this.sql(
        // started_at also for a cleared run that is already marked running: a rerun starts its clock again.
        'UPDATE dag_runs SET state = ?, started_at = COALESCE(started_at, ?), updated_at = ? WHERE run_id = ?',
      ).run(t.run.state, at, at, runId);
    else if (t.run.changed) {
      const final = +t.run.final;
      this.sql(
        `UPDATE dag_runs SET state = ?, started_at = CASE WHEN ? = 'running' THEN COALESCE(started_at, ?) ELSE started_at END,
           ended_at = ?, updated_at = ?,
           owner_id = CASE WHEN ? THEN NULL ELSE owner_id END,
           owner_pid = CASE WHEN ? THEN NULL ELSE owner_pid END,
           owner_hostname = CASE WHEN ? THEN NULL ELSE owner_hostname END,
           owner_heartbeat_at = CASE WHEN ? THEN NULL ELSE owner_heartbeat_at END
         WHERE run_id = ?`,
      ).run(t.run.state, t.run.state, at, final ? at : null, at, final, final, final, final, runId);
    }
    return t;
  }

  /** Takes a run for `owner` unless another executor holds it. Stale holders are released by recoverStale. */
  claimRun(runId: string, owner: Owner): boolean {
    const now = iso(this.clock());
    const r = this.sql(
      `UPDATE dag_runs SET owner_id = ?, owner_pid = ?, owner_hostname = ?, owner_heartbeat_at = ?, updated_at = ?
       WHERE run_id = ? AND state IN ('queued', 'running') AND (owner_id IS NULL OR owner_id = ?)`,
    ).run(owner.id, owner.pid, owner.hostname, now, now, runId, owner.id);
    return r.changes === 1;
  }

  releaseRun(runId: string, ownerId: string): void {
    this.sql(
      `UPDATE dag_runs SET owner_id = NULL, owner_pid = NULL, owner_hostname = NULL, owner_heartbeat_at = NULL,
         updated_at = ? WHERE run_id = ? AND owner_id = ?`,
    ).run(iso(this.clock()), runId, ownerId);
  }

  // ── task instances ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Task instances of these runs that may start now, oldest logical date and most upstream first.
   * (`+state` keeps SQLite on the run_id key: the state index would visit every queued run's instances.)
   */
  readyTasks(runIds: readonly string[], limit: number): { runId: string; taskId: string }[] {
    if (runIds.length === 0 || limit <= 0) return [];
    const rows = this.sql(
      `SELECT ti.run_id, ti.task_id FROM task_instances ti JOIN dag_runs r ON r.run_id = ti.run_id
       WHERE ti.run_id IN (SELECT value FROM json_each(?))
         AND (+ti.state = 'scheduled' OR (+ti.state = 'up_for_retry' AND ti.next_retry_at <= ?))
       ORDER BY r.logical_date, ti.priority, ti.task_id LIMIT ?`,
    ).all(JSON.stringify(runIds), iso(this.clock()), limit) as { run_id: string; task_id: string }[];
    return rows.map((r) => ({ runId: r.run_id, taskId: r.task_id }));
  }

  /** The earliest time a waiting retry of these runs becomes ready, if any. */
  nextRetryAt(runIds: readonly string[]): Date | null {
    if (runIds.length === 0) return null;
    const row = this.sql(
      `SELECT MIN(next_retry_at) AS at FROM task_instances
       WHERE run_id IN (SELECT value FROM json_each(?)) AND +state = 'up_for_retry'`,
    ).get(JSON.stringify(runIds)) as { at: string | null };
    return row.at ? new Date(row.at) : null;
  }

  /**
   * Starts the next try of a ready task instance for `owner` (the `try-started` transition, under the write
   * lock, so of two executors racing for it one wins). Returns null if it is no longer ready.
   */
  claimTask(
    runId: string,
    taskId: string,
    owner: Owner,
    logPathFor: (tryNumber: number) => string,
  ): { tryNumber: number; maxTries: number; logPath: string; startedAt: Date } | null {
    return this.tx(() => {
      const started = this.clock();
      const t = this.apply(runId, { kind: 'try-started', taskId }, started, { owner });
      const change = t.tasks[0];
      if (!t.applied || change?.kind !== 'started') return null;
      const logPath = logPathFor(change.tryNumber);
      this.sql(
        `INSERT OR REPLACE INTO task_tries (run_id, task_id, try_number, state, started_at, pid, hostname, log_path)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
      ).run(runId, taskId, change.tryNumber, iso(started), owner.pid, owner.hostname, logPath);
      const { maxTries } = this.getTaskInstance(runId, taskId)!;
      return { tryNumber: change.tryNumber, maxTries, logPath, startedAt: started };
    });
  }

  /**
   * Records how a try ended, if the try still holds its task instance (a clear or a recovery may have taken
   * it meanwhile: then only the try's own row is updated). Returns the run's state after settling.
   */
  finishTask(
    runId: string,
    taskId: string,
    tryNumber: number,
    result: TryResult,
    startedAt: Date,
  ): { applied: boolean; runState: RunState } {
    return this.tx(() => {
      const ended = this.clock();
      const durationMs = Math.max(0, ended.getTime() - startedAt.getTime());
      const t = this.apply(runId, { kind: 'try-ended', taskId, tryNumber, result }, ended, { durationMs });
      this.sql(
        `UPDATE task_tries SET state = ?, ended_at = ?, duration_ms = ?, error = ?
         WHERE run_id = ? AND task_id = ? AND try_number = ? AND state = 'running'`,
      ).run(
        t.tryState!,
        iso(ended),
        durationMs,
        'error' in result ? (result.error ?? null) : null,
        runId,
        taskId,
        tryNumber,
      );
      return { applied: t.applied, runState: t.run.state };
    });
  }

  /**
   * Heartbeats the tries and runs `owner` holds. Returns those it no longer holds (cleared, or taken over
   * after being judged stale), so the executor can abort them.
   */
  heartbeat(
    owner: Owner,
    tries: readonly { runId: string; taskId: string; tryNumber: number }[],
    runIds: readonly string[],
  ): { lostTries: { runId: string; taskId: string; tryNumber: number }[]; lostRuns: string[] } {
    return this.tx(() => {
      const now = iso(this.clock());
      const beatTask = this.sql(
        `UPDATE task_instances SET heartbeat_at = ?
         WHERE run_id = ? AND task_id = ? AND try_number = ? AND state = 'running' AND owner_id = ?`,
      );
      const beatRun = this.sql(
        'UPDATE dag_runs SET owner_heartbeat_at = ? WHERE run_id = ? AND owner_id = ?',
      );
      const lostTries = tries.filter(
        (t) => beatTask.run(now, t.runId, t.taskId, t.tryNumber, owner.id).changes === 0,
      );
      const lostRuns = runIds.filter((id) => beatRun.run(now, id, owner.id).changes === 0);
      return { lostTries, lostRuns };
    });
  }

  /**
   * Finds task instances left `running` by a process that died (dead pid on this host, or no heartbeat for
   * `staleAfterMs`) and moves them to up_for_retry (retry at once) or failed; releases runs such
   * processes held. Run it before claiming work.
   */
  recoverStale(probe: LivenessProbe): RecoveredTask[] {
    return this.tx(() => {
      const now = iso(probe.now);
      const released = new Set<string>();
      const owned = this.sql('SELECT * FROM dag_runs WHERE owner_id IS NOT NULL').all() as RunRow[];
      for (const r of owned) {
        const reason = staleReason(
          {
            ownerId: r.owner_id,
            pid: r.owner_pid,
            hostname: r.owner_hostname,
            heartbeatAt: r.owner_heartbeat_at,
          },
          probe,
        );
        if (!reason) continue;
        this.sql(
          `UPDATE dag_runs SET owner_id = NULL, owner_pid = NULL, owner_hostname = NULL, owner_heartbeat_at = NULL,
             note = ?, updated_at = ? WHERE run_id = ? AND owner_id = ?`,
        ).run(`released: ${reason}`, now, r.run_id, r.owner_id);
        released.add(r.run_id);
      }
      const recovered: RecoveredTask[] = [];
      const running = this.sql("SELECT * FROM task_instances WHERE state = 'running'").all() as TaskRow[];
      for (const ti of running) {
        const reason = staleReason(
          { ownerId: ti.owner_id, pid: ti.pid, hostname: ti.hostname, heartbeatAt: ti.heartbeat_at },
          probe,
        );
        if (!reason) continue;
        const event = { kind: 'try-lost', taskId: ti.task_id, tryNumber: ti.try_number, reason } as const;
        const t = this.apply(ti.run_id, event, probe.now);
        const lost = t.tasks[0];
        if (!t.applied || lost?.kind !== 'lost') continue;
        this.sql(
          `UPDATE task_tries SET state = ?, ended_at = ?, error = ?
           WHERE run_id = ? AND task_id = ? AND try_number = ? AND state = 'running'`,
        ).run(t.tryState!, now, lost.error, ti.run_id, ti.task_id, ti.try_number);
        recovered.push({
          runId: ti.run_id,
          taskId: ti.task_id,
          tryNumber: ti.try_number,
          state: lost.state,
          reason,
        });
        released.delete(ti.run_id);
      }
      for (const runId of released) this.apply(runId, { kind: 'owner-lost' }, probe.now);
      return recovered;
    });
  }

  /**
   * Resets task instances so they run again (keeping their try history and log files): each gets its
   * retries anew. A try still running elsewhere loses its instance and is aborted at its next heartbeat.
   * Returns the ids of the cleared tasks.
   */
  clearTasks(runId: string, options: ClearOptions = {}): string[] {
    return this.tx(() => {
      const now = this.clock();
      if (!this.getRun(runId) || this.listTaskInstances(runId).length === 0) return [];
      const t = this.apply(runId, { kind: 'cleared', selection: options }, now);
      const cleared = t.cleared!;
      if (options.params !== undefined || options.note !== undefined || cleared.taskIds.length > 0)
        this.sql(
          `UPDATE dag_runs SET params_json = COALESCE(?, params_json), note = COALESCE(?, note),
             started_at = CASE WHEN ? THEN NULL ELSE started_at END,
             ended_at = CASE WHEN ? THEN NULL ELSE ended_at END, updated_at = ? WHERE run_id = ?`,
        ).run(
          options.params !== undefined ? JSON.stringify(options.params) : null,
          options.note ?? null,
          +cleared.restartRun,
          +(cleared.taskIds.length > 0),
          iso(now),
          runId,
        );
      return cleared.taskIds;
    });
  }

  /** Changes how a run is labelled (a manual trigger of a scheduled date). */
  setRunType(runId: string, runType: RunType): void {
    this.sql('UPDATE dag_runs SET run_type = ?, updated_at = ? WHERE run_id = ?').run(
      runType,
      iso(this.clock()),
      runId,
    );
  }

  /** The state of every task instance of these runs: runId → taskId → state (one query, for grids and lists). */
  taskStates(runIds: readonly string[]): Map<string, Record<string, TaskState>> {
    const out = new Map<string, Record<string, TaskState>>(runIds.map((id) => [id, {}]));
    if (runIds.length === 0) return out;
    const rows = this.sql(
      `SELECT run_id, task_id, state FROM task_instances WHERE run_id IN (SELECT value FROM json_each(?))
       ORDER BY run_id, priority, task_id`,
    ).all(JSON.stringify(runIds)) as { run_id: string; task_id: string; state: TaskState }[];
    for (const r of rows) out.get(r.run_id)![r.task_id] = r.state;
    return out;
  }

  /** Logical dates of a DAG's runs within [from, to]. */
  runDates(dagId: string, from: string, to: string): Set<string> {
    const rows = this.sql(
      'SELECT logical_date FROM dag_runs WHERE dag_id = ? AND logical_date BETWEEN ? AND ?',
    ).all(dagId, from, to) as { logical_date: string }[];
    return new Set(rows.map((r) => r.logical_date));
  }
}
