// The orchestrator's own errors: a DAG that cannot be defined, and the reasons a task try ends early.
import { AqlakeError } from '../errors.js';

/** A DAG definition that cannot run: duplicate or unknown task ids, a cycle, a bad cron or date. */
export class DagDefinitionError extends AqlakeError {
  override readonly exitCode = 2;
  constructor(
    readonly dagId: string,
    readonly issue: string,
  ) {
    super(`DAG ${dagId}: ${issue}`);
    this.name = 'DagDefinitionError';
  }
}

/** The reason a task's AbortSignal fires when the task ran longer than its timeout. */
export class TaskTimeoutError extends AqlakeError {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'TaskTimeoutError';
  }
}

/** The reason a task's AbortSignal fires when the process is asked to stop (SIGTERM, SIGINT). */
export class TaskInterruptedError extends AqlakeError {
  constructor(readonly reason: string) {
    super(`interrupted: ${reason}`);
    this.name = 'TaskInterruptedError';
  }
}

/** The reason a task's AbortSignal fires when its task instance was cleared (or taken over) while running. */
export class TaskClearedError extends AqlakeError {
  constructor() {
    super('cleared while running');
    this.name = 'TaskClearedError';
  }
}

/** Thrown by a task to end as `skipped` (nothing to do); downstream tasks treat skipped like success. */
export class SkipTask extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipTask';
  }
}

/**
 * A run (or the runs of `run`, `backfill`, `trigger`, `scheduler --once`) that ended failed or unfinished: the CLI
 * prints the message and exits 1. `runId`/`taskId` name the first failure when there is one.
 */
export class RunFailedError extends AqlakeError {
  constructor(
    message: string,
    readonly failed: { runId?: string; taskId?: string } = {},
  ) {
    super(message);
    this.name = 'RunFailedError';
  }
}
