// The executor: runs ready task instances of the runs it holds, with a concurrency limit, retries, timeouts and heartbeats.
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import { systemClock } from '../time/clock.js';
import type { Dag, DagTask, TaskRunContext } from './dag.js';
import { SkipTask, TaskClearedError, TaskInterruptedError, TaskTimeoutError } from './errors.js';
import { HOSTNAME, isPidAlive, type LivenessProbe } from './liveness.js';
import type { Owner, RecoveredTask, RunStore } from './run-store.js';
import {
  isFinalRunState,
  type RunState,
  type TaskState,
  type TryOutcome,
  tryResult,
} from './state-machine.js';
import { TaskLogFiles, taskLogPath } from './task-log.js';

type DagLookup = (dagId: string) => Dag | undefined;

export interface ExecutorOptions {
  store: RunStore;
  /** AQLAKE_HOME: task logs go under `{home}/_logs/`. */
  home: string;
  dags: DagLookup;
  /** Task instances running at once, across runs. */
  parallelism: number;
  /** Runs worked on at once per DAG (default: the DAG's maxActiveRuns). */
  maxActiveRuns?: number;
  /** How often running tries and held runs heartbeat (default 5 s). */
  heartbeatIntervalMs?: number;
  /** A holder silent this long is presumed dead (default 30 s); a dead pid on this host is detected at once. */
  staleAfterMs?: number;
  /** Longest sleep between looks at the store, for work other processes change (default 1 s). */
  pollIntervalMs?: number;
  /** On stop, how long interrupted tasks get to finish before they are recorded as interrupted (default 5 s). */
  stopGraceMs?: number;
  /** Values scrubbed from task logs. */
  secrets?: readonly string[];
  /** The process's own log (recoveries, lost runs); task output goes to per-try files. */
  logger?: Logger;
  onEvent?: (event: ExecutorEvent) => void;
  /** A task error for which this returns true stops the executor (as stop(reason) would): nothing else can succeed. */
  stopOn?: (err: unknown) => boolean;
  /** The executor's clock (default: the system's); the store keeps its own for the times it records. */
  clock?: () => Date;
}

interface RunRef {
  runId: string;
  dagId: string;
  logicalDate: string;
}

export type ExecutorEvent =
  | ({ kind: 'run-started' } & RunRef)
  | ({ kind: 'run-finished'; state: RunState } & RunRef)
  | ({ kind: 'task-started'; taskId: string; tryNumber: number; maxTries: number } & RunRef)
  | ({
      kind: 'task-finished';
      taskId: string;
      tryNumber: number;
      /** `cleared`: the instance was reset (or taken over) while this try ran; the try's outcome was not applied. */
      state: TaskState | 'cleared';
      error?: string;
      retryAt?: string;
      durationMs: number;
    } & RunRef)
  | { kind: 'recovered'; task: RecoveredTask };

export interface ExecutorResult {
  /** Final state of every run this executor saw finish. */
  runs: Map<string, RunState>;
  /** Why it stopped early (SIGTERM, …), or null when it ran out of work. */
  stoppedBecause: string | null;
}

interface RunningTry {
  runId: string;
  taskId: string;
  tryNumber: number;
  lastBeat: number;
  interrupt(reason: string): void;
  cancel(): void;
  done: Promise<void>;
}

interface ActiveRun extends RunRef {
  dag: Dag;
}

/** Executor ids alive in this process, so recovery never mistakes a sibling executor for a dead process. */
const liveOwnerIds = new Set<string>();

export function livenessProbe(staleAfterMs: number, now: Date): LivenessProbe {
  return { now, staleAfterMs, hostname: HOSTNAME, pid: process.pid, liveOwnerIds, isPidAlive };
}

/**
 * Runs DAG runs to completion. Submit run ids, then `run()`: it claims each run (one executor per run),
 * starts ready task instances up to `parallelism`, records every try, and returns when all submitted runs
 * have finished (`untilIdle`) or when stopped.
 */
export class Executor {
  readonly owner: Owner = { id: randomUUID(), pid: process.pid, hostname: HOSTNAME };
  private readonly store: RunStore;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly pollMs: number;
  private readonly graceMs: number;
  private readonly pending: RunRef[] = [];
  private readonly active = new Map<string, ActiveRun>();
  private readonly running = new Map<string, RunningTry>();
  private readonly results = new Map<string, RunState>();
  private stopping: string | null = null;
  private wake: (() => void) | null = null;
  private dirty = false;
  private lastRecovery = 0;
  private readonly logs: TaskLogFiles;
  private readonly clock: () => Date;

  constructor(private readonly options: ExecutorOptions) {
    this.store = options.store;
    this.logs = new TaskLogFiles(options.home, options.secrets ?? []);
    this.heartbeatMs = options.heartbeatIntervalMs ?? 5_000;
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
    this.pollMs = options.pollIntervalMs ?? 1_000;
    this.graceMs = options.stopGraceMs ?? 5_000;
    this.clock = options.clock ?? systemClock;
  }

  /** Adds a run to work on (in submission order); a run already pending or active is ignored. */
  submit(runId: string): void {
    if (this.active.has(runId) || this.pending.some((p) => p.runId === runId)) return;
    const run = this.store.getRun(runId);
    if (!run) throw new Error(`no DAG run ${runId}`);
    this.results.delete(runId);
    this.pending.push({ runId, dagId: run.dagId, logicalDate: run.logicalDate });
    this.notify();
  }

  /** Runs held or waiting, for a scheduler deciding what to submit. */
  isWorkingOn(runId: string): boolean {
    return this.active.has(runId) || this.pending.some((p) => p.runId === runId);
  }

  get activeRunCount(): number {
    return this.active.size;
  }

  /** Stops starting work, aborts running tries (they get `stopGraceMs` to end) and makes `run()` return. */
  stop(reason: string): void {
    if (this.stopping) return;
    this.stopping = reason;
    for (const rt of this.running.values()) rt.interrupt(reason);
    this.notify();
  }

  async run(options: { untilIdle?: boolean; signal?: AbortSignal } = {}): Promise<ExecutorResult> {
    const untilIdle = options.untilIdle ?? true;
    const onAbort = (): void => this.stop(abortReason(options.signal));
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort);
    liveOwnerIds.add(this.owner.id);
    const beat = setInterval(() => this.beat(), this.heartbeatMs);
    beat.unref();
    try {
      while (!this.stopping) {
        this.recoverIfDue();
        this.activate();
        this.startReady();
        if (untilIdle && this.pending.length === 0 && this.active.size === 0 && this.running.size === 0)
          break;
        await this.sleep(this.nextWakeMs());
      }
    } catch (err) {
      this.stop(`executor error: ${errorMessage(err)}`);
      throw err;
    } finally {
      await Promise.all([...this.running.values()].map((rt) => rt.done));
      clearInterval(beat);
      for (const runId of this.active.keys()) this.store.releaseRun(runId, this.owner.id);
      this.active.clear();
      liveOwnerIds.delete(this.owner.id);
      options.signal?.removeEventListener('abort', onAbort);
    }
    return { runs: new Map(this.results), stoppedBecause: this.stopping };
  }

  private emit(event: ExecutorEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (err) {
      this.options.logger?.warn({ err }, 'executor event listener failed');
    }
  }

  private notify(): void {
    this.dirty = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.dirty) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.dirty = false;
        resolve();
      };
    });
  }

  private nextWakeMs(): number {
    const retryAt = this.store.nextRetryAt([...this.active.keys()]);
    const untilRetry = retryAt
      ? Math.max(0, retryAt.getTime() - this.clock().getTime())
      : Number.POSITIVE_INFINITY;
    return Math.min(this.pollMs, untilRetry);
  }

  private recoverIfDue(): void {
    if (this.clock().getTime() - this.lastRecovery < this.heartbeatMs) return;
    this.lastRecovery = this.clock().getTime();
    for (const task of this.store.recoverStale(livenessProbe(this.staleAfterMs, this.clock()))) {
      this.options.logger?.warn(
        task,
        `recovered ${task.runId} ${task.taskId} try ${task.tryNumber}: ${task.reason}`,
      );
      this.emit({ kind: 'recovered', task });
    }
  }

  private limitFor(dag: Dag): number {
    return this.options.maxActiveRuns ?? dag.maxActiveRuns;
  }

  private activate(): void {
    const activePerDag = new Map<string, number>();
    for (const a of this.active.values()) activePerDag.set(a.dagId, (activePerDag.get(a.dagId) ?? 0) + 1);
    for (const ref of [...this.pending]) {
      const dag = this.options.dags(ref.dagId);
      const held = activePerDag.get(ref.dagId) ?? 0;
      if (dag && held >= this.limitFor(dag)) continue;
      const run = this.store.getRun(ref.runId);
      if (!run || !dag || isFinalRunState(run.state)) {
        this.pending.splice(this.pending.indexOf(ref), 1);
        if (!dag)
          this.options.logger?.warn(ref, `run ${ref.runId}: DAG ${ref.dagId} is not registered; skipped`);
        if (run && isFinalRunState(run.state)) this.finishRun(ref, run.state);
        continue;
      }
      if (!this.store.claimRun(ref.runId, this.owner)) continue; // another live executor holds it
      this.pending.splice(this.pending.indexOf(ref), 1);
      this.active.set(ref.runId, { ...ref, dag });
      activePerDag.set(ref.dagId, held + 1);
      this.emit({ kind: 'run-started', ...ref });
      const state = this.store.syncTaskInstances(dag, ref.runId);
      if (isFinalRunState(state)) this.finishRun(ref, state);
    }
  }

  private finishRun(ref: RunRef, state: RunState): void {
    if (this.active.delete(ref.runId)) this.store.releaseRun(ref.runId, this.owner.id);
    this.results.set(ref.runId, state);
    this.emit({
      kind: 'run-finished',
      runId: ref.runId,
      dagId: ref.dagId,
      logicalDate: ref.logicalDate,
      state,
    });
    this.notify();
  }

  private startReady(): void {
    if (this.stopping) return;
    const free = this.options.parallelism - this.running.size;
    for (const { runId, taskId } of this.store.readyTasks([...this.active.keys()], free)) {
      const run = this.active.get(runId)!;
      const task = run.dag.task(taskId);
      if (!task) continue; // syncTaskInstances skipped it; not reachable in practice
      this.startTry(run, task);
    }
  }

  private startTry(run: ActiveRun, task: DagTask): void {
    const claim = this.store.claimTask(run.runId, task.id, this.owner, (n) =>
      taskLogPath(run.dagId, run.runId, task.id, n),
    );
    if (!claim) return;
    const current = this.store.getRun(run.runId)!;
    const key = `${run.runId}\u0000${task.id}`;
    const rt: RunningTry = {
      runId: run.runId,
      taskId: task.id,
      tryNumber: claim.tryNumber,
      lastBeat: this.clock().getTime(),
      interrupt: () => {},
      cancel: () => {},
      done: Promise.resolve(),
    };
    this.running.set(key, rt);
    this.emit({
      kind: 'task-started',
      ...refOf(run),
      taskId: task.id,
      tryNumber: claim.tryNumber,
      maxTries: claim.maxTries,
    });
    const log = this.logs.open(claim.logPath, {
      dag: run.dagId,
      run: run.runId,
      task: task.id,
      try: claim.tryNumber,
    });
    const controller = new AbortController();
    const ctx: TaskRunContext = {
      dagId: run.dagId,
      runId: run.runId,
      taskId: task.id,
      tryNumber: claim.tryNumber,
      maxTries: claim.maxTries,
      runType: current.runType,
      logicalDate: run.logicalDate,
      interval: current.interval,
      params: current.params,
      signal: controller.signal,
      logger: log.logger,
      heartbeat: () => this.beatOne(rt),
    };
    log.logger.info(
      { maxTries: claim.maxTries, interval: ctx.interval, params: ctx.params, timeoutMs: task.timeoutMs },
      `try ${claim.tryNumber} of ${claim.maxTries} started`,
    );
    rt.done = this.execute(task, ctx, controller, rt)
      .then((outcome) => this.record(run, task, rt, claim, outcome, log.logger))
      .catch((err) => {
        this.options.logger?.error({ err }, `recording ${run.runId} ${task.id} failed`);
        // The store cannot take the outcome (a full disk): waiting for this try would wait forever.
        if (this.options.stopOn?.(err)) this.stop(errorMessage(err));
      })
      .finally(() => {
        log.close();
        this.running.delete(key);
        this.notify();
      });
  }

  /** Runs the task; the first of completion, timeout, stop (after a grace) or clear decides the outcome. */
  private execute(
    task: DagTask,
    ctx: TaskRunContext,
    controller: AbortController,
    rt: RunningTry,
  ): Promise<TryOutcome> {
    return new Promise<TryOutcome>((settle) => {
      const timers: NodeJS.Timeout[] = [];
      let finished = false;
      const done = (o: TryOutcome): void => {
        if (finished) return;
        finished = true;
        for (const t of timers) clearTimeout(t);
        settle(o);
      };
      if (task.timeoutMs !== null) {
        const ms = task.timeoutMs;
        timers.push(
          setTimeout(() => {
            // A task that ignores its signal is failed anyway; its promise is left to settle unobserved.
            controller.abort(new TaskTimeoutError(ms));
            done({ kind: 'timeout', timeoutMs: ms });
          }, ms),
        );
      }
      rt.interrupt = (reason) => {
        if (finished) return;
        controller.abort(new TaskInterruptedError(reason));
        timers.push(setTimeout(() => done({ kind: 'interrupted', reason }), this.graceMs));
      };
      rt.cancel = () => {
        controller.abort(new TaskClearedError());
        done({ kind: 'cleared' });
      };
      if (this.stopping) rt.interrupt(this.stopping);
      Promise.resolve()
        .then(() => task.run(ctx))
        .then(
          () => done({ kind: 'success' }),
          (err: unknown) => {
            const reason: unknown = controller.signal.reason;
            if (err instanceof SkipTask) done({ kind: 'skipped', reason: err.message });
            else if (controller.signal.aborted && reason instanceof TaskInterruptedError)
              done({ kind: 'interrupted', reason: reason.reason });
            else done({ kind: 'error', err });
          },
        );
    });
  }

  private record(
    run: ActiveRun,
    task: DagTask,
    rt: RunningTry,
    claim: { tryNumber: number; maxTries: number; startedAt: Date },
    outcome: TryOutcome,
    logger: Logger,
  ): void {
    const now = this.clock();
    const durationMs = now.getTime() - claim.startedAt.getTime();
    const result = tryResult(outcome, task, claim, now);
    if (result.state === 'success') logger.info({ durationMs }, `try ${rt.tryNumber} succeeded`);
    else if (result.state === 'skipped') logger.info({ durationMs }, `skipped: ${result.error}`);
    else if (outcome.kind === 'cleared')
      logger.warn({ durationMs }, 'aborted: the task instance was cleared or taken over while this try ran');
    else
      logger.error(
        { durationMs, ...(outcome.kind === 'error' ? { err: outcome.err } : {}) },
        result.state === 'up_for_retry'
          ? `try ${rt.tryNumber} failed, retry at ${result.retryAt.toISOString()}: ${result.error}`
          : `try ${rt.tryNumber} failed, no tries left: ${result.error}`,
      );
    const { applied, runState } = this.store.finishTask(
      run.runId,
      task.id,
      rt.tryNumber,
      result,
      claim.startedAt,
    );
    this.emit({
      kind: 'task-finished',
      ...refOf(run),
      taskId: task.id,
      tryNumber: rt.tryNumber,
      state: applied ? result.state : 'cleared',
      ...('error' in result && result.error ? { error: result.error } : {}),
      ...(result.state === 'up_for_retry' ? { retryAt: result.retryAt.toISOString() } : {}),
      durationMs,
    });
    if (isFinalRunState(runState) && this.active.has(run.runId)) this.finishRun(run, runState);
    if (outcome.kind === 'error' && this.options.stopOn?.(outcome.err)) this.stop(errorMessage(outcome.err));
  }

  private beat(): void {
    try {
      const tries = [...this.running.values()];
      const { lostTries, lostRuns } = this.store.heartbeat(this.owner, tries, [...this.active.keys()]);
      for (const lost of lostTries) this.running.get(`${lost.runId}\u0000${lost.taskId}`)?.cancel();
      for (const runId of lostRuns) {
        const run = this.active.get(runId);
        if (!run) continue;
        this.options.logger?.warn({ runId }, `run ${runId} was taken over by another process; leaving it`);
        this.active.delete(runId);
        for (const rt of tries) if (rt.runId === runId) rt.cancel();
      }
      const now = this.clock().getTime();
      for (const rt of tries) rt.lastBeat = now;
    } catch (err) {
      this.options.logger?.warn({ err }, 'heartbeat failed; will retry');
    }
  }

  private beatOne(rt: RunningTry): void {
    if (this.clock().getTime() - rt.lastBeat < 1_000) return;
    rt.lastBeat = this.clock().getTime();
    try {
      const { lostTries } = this.store.heartbeat(this.owner, [rt], []);
      if (lostTries.length > 0) rt.cancel();
    } catch (err) {
      this.options.logger?.warn({ err }, 'heartbeat failed; will retry');
    }
  }
}

function refOf(run: RunRef): RunRef {
  return { runId: run.runId, dagId: run.dagId, logicalDate: run.logicalDate };
}

function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  return 'aborted';
}
