// Client-side rate limiting: a pure rule over past send times and server hints, and a small shell that waits on it.

export interface RateLimits {
  perMinute: number;
  perHour: number;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Milliseconds to wait before the next request may be sent (0: now). `history` holds past send times
 * (ms epoch, ascending); a request counts against a window for the window's length after it was sent.
 * `blockedUntil` is the instant the server asked us to wait for (see `serverWaitMs`).
 */
export function nextSendDelay(
  history: readonly number[],
  now: number,
  limits: RateLimits,
  blockedUntil = 0,
): number {
  const earliest = Math.max(
    blockedUntil,
    windowFreeAt(history, limits.perMinute, MINUTE_MS),
    windowFreeAt(history, limits.perHour, HOUR_MS),
  );
  return Math.max(0, earliest - now);
}

/** When a sliding window of `windowMs` next has room: once the `limit`-th newest send has left it. */
function windowFreeAt(history: readonly number[], limit: number, windowMs: number): number {
  if (history.length < limit) return 0;
  return history[history.length - limit]! + windowMs;
}

/**
 * How long the server asks every request to wait, from the headers of any response, or undefined.
 * `x-ratelimit-reset` is the TTL in SECONDS of OpenAQ's per-minute counter (not an epoch); it applies
 * when `x-ratelimit-remaining` is 0 or the answer is a 429. `retry-after` (seconds or an HTTP date) is
 * honoured on 429 and 503. A reset of 0 still waits 1 s, so a counter about to expire cannot cause a
 * burst of 429s; no hint is followed for longer than an hour.
 */
export function serverWaitMs(
  status: number,
  headers: Readonly<Record<string, string>>,
  now: number,
): number | undefined {
  const waits: number[] = [];
  const remaining = headers['x-ratelimit-remaining'];
  const reset = seconds(headers['x-ratelimit-reset']);
  if (reset !== undefined && (status === 429 || (remaining !== undefined && Number(remaining) <= 0))) {
    waits.push(Math.max(reset, 1) * 1000);
  }
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && (status === 429 || status === 503)) {
    const s = seconds(retryAfter);
    const date = Date.parse(retryAfter);
    if (s !== undefined) waits.push(s * 1000);
    else if (!Number.isNaN(date)) waits.push(Math.max(0, date - now));
  }
  return waits.length ? Math.min(Math.max(...waits), HOUR_MS) : undefined;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/**
 * Keeps all requests of one client under both limits and behind the server's waits. Several concurrent
 * callers are safe: the check and the recording of a send happen without an `await` between them, and
 * a caller that had to wait checks again.
 */
export class RateLimiter {
  private readonly history: number[] = [];
  private blockedUntil = 0;

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number,
    private readonly sleep: Sleep,
  ) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`rate limit ${name} must be ≥ 1`);
    }
  }

  /** Waits until a request may be sent, then records it as sent. Resolves with the ms waited. */
  async acquire(signal?: AbortSignal, onWait?: (ms: number) => void): Promise<number> {
    let waited = 0;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.now();
      while (this.history.length && this.history[0]! <= now - HOUR_MS) this.history.shift();
      const delay = nextSendDelay(this.history, now, this.limits, this.blockedUntil);
      if (delay <= 0) {
        this.history.push(now);
        return waited;
      }
      onWait?.(delay);
      await this.sleep(delay, signal);
      waited += delay;
    }
  }

  /** Holds every request back for `ms` from now (a server hint); never shortens an earlier hold. */
  holdFor(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }
}

/** setTimeout as a promise that rejects with the signal's reason as soon as the signal aborts. */
export const abortableSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
