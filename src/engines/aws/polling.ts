// Waiting on remote work (a Glue job run, an Athena query, a crawler): exponential backoff that an abort cuts short.
import { EngineError } from '../../errors.js';

export interface PollSettings {
  /** First wait between two status calls. */
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** Stop waiting after this long: the caller stops the remote work and fails with kind `Timeout`. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Injected by tests so that no test waits on a clock. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const GLUE_POLL: Omit<PollSettings, 'signal' | 'timeoutMs'> = {
  initialDelayMs: 5_000,
  maxDelayMs: 60_000,
  factor: 1.5,
};
export const ATHENA_POLL: Omit<PollSettings, 'signal' | 'timeoutMs'> = {
  initialDelayMs: 250,
  maxDelayMs: 5_000,
  factor: 2,
};

/** The waits between status calls: initial, initial·factor, … capped at max. */
export function backoffDelay(
  attempt: number,
  settings: Pick<PollSettings, 'initialDelayMs' | 'maxDelayMs' | 'factor'>,
): number {
  return Math.min(settings.maxDelayMs, Math.round(settings.initialDelayMs * settings.factor ** attempt));
}

/** Why waiting ended early: the caller's signal (cancel) or the deadline (timeout). */
export class PollAborted extends Error {
  constructor(
    readonly kind: 'Timeout' | 'Interrupted',
    message: string,
  ) {
    super(message);
    this.name = 'PollAborted';
  }
}

/**
 * Calls `status` until `done(result)`, sleeping with backoff in between. Throws PollAborted when the signal aborts or
 * the timeout passes (the caller then stops the remote work); errors from `status` pass through.
 */
export async function pollUntil<T>(
  status: () => Promise<T>,
  done: (value: T) => boolean,
  settings: PollSettings,
): Promise<T> {
  const controller = new AbortController();
  let why: PollAborted | undefined;
  const abort = (reason: PollAborted) => {
    why ??= reason;
    controller.abort(reason);
  };
  const onAbort = () => abort(new PollAborted('Interrupted', 'cancelled'));
  settings.signal?.addEventListener('abort', onAbort, { once: true });
  if (settings.signal?.aborted) onAbort();
  const timer =
    settings.timeoutMs !== undefined
      ? setTimeout(
          () => abort(new PollAborted('Timeout', `timed out after ${settings.timeoutMs} ms`)),
          settings.timeoutMs,
        )
      : undefined;
  const sleep = settings.sleep ?? defaultSleep;
  try {
    for (let attempt = 0; ; attempt++) {
      if (why) throw why;
      const value = await status();
      if (done(value)) return value;
      if (why) throw why;
      try {
        await sleep(backoffDelay(attempt, settings), controller.signal);
      } catch (err) {
        throw why ?? err;
      }
    }
  } finally {
    if (timer) clearTimeout(timer);
    settings.signal?.removeEventListener('abort', onAbort);
  }
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The EngineError a caller throws after stopping remote work that a PollAborted interrupted. */
export function abortedError(err: PollAborted, what: string, sql?: string): EngineError {
  return new EngineError(
    `${what} ${err.kind === 'Timeout' ? err.message : 'cancelled'}; it was stopped`,
    err.kind,
    sql,
  );
}
