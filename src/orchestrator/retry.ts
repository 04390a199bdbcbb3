// What happens after a failed try: another try after an exponential delay, or failure once the tries are used up.
import type { DagTask } from './dag.js';

/** The wait before the try after `failedTry` (1-based): retryDelay × backoff^(failedTry − 1), capped. */
export function retryDelayMs(
  task: Pick<DagTask, 'retryDelayMs' | 'retryBackoff' | 'maxRetryDelayMs'>,
  failedTry: number,
): number {
  const delay = task.retryDelayMs * task.retryBackoff ** Math.max(0, failedTry - 1);
  return Math.min(task.maxRetryDelayMs, Math.round(delay));
}

export type FailureOutcome = { state: 'up_for_retry'; retryAt: Date } | { state: 'failed' };

/**
 * The state after try `tryNumber` failed. `immediate`: the try was cut short by the process (a stop or a
 * crash), not by the task itself, so the retry need not wait.
 */
export function afterFailure(
  task: Pick<DagTask, 'retryDelayMs' | 'retryBackoff' | 'maxRetryDelayMs'>,
  tryNumber: number,
  maxTries: number,
  now: Date,
  immediate = false,
): FailureOutcome {
  if (tryNumber >= maxTries) return { state: 'failed' };
  const wait = immediate ? 0 : retryDelayMs(task, tryNumber);
  return { state: 'up_for_retry', retryAt: new Date(now.getTime() + wait) };
}
