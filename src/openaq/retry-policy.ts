// Which failed OpenAQ requests are worth another attempt, and how long to back off before it.

/** A response body that ended before its content-length, or whose reading failed midway. */
export class TruncatedBodyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TruncatedBodyError';
  }
}

/** undici's messages for a dropped connection: before the response ('fetch failed') or during the body ('terminated'). */
const NETWORK_ERROR_MESSAGES = new Set(['fetch failed', 'terminated']);

/**
 * Whether a failure is transient: HTTP 408, 429 and 5xx; network errors, attempt timeouts and truncated
 * bodies. Everything else (401, 403, 404, 410, 422, other 4xx, a cancelled request, a bug) is final.
 */
export function isRetryable(failure: number | unknown): boolean {
  if (typeof failure === 'number')
    return failure === 408 || failure === 429 || (failure >= 500 && failure <= 599);
  if (!(failure instanceof Error)) return false;
  if (failure.name === 'TimeoutError' || failure instanceof TruncatedBodyError) return true;
  return failure instanceof TypeError && NETWORK_ERROR_MESSAGES.has(failure.message);
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 30_000 };

/**
 * Exponential backoff with full jitter before retry number `retryNumber` (1, 2, …):
 * a uniform draw from [0, min(cap, base · 2^(retryNumber − 1))).
 */
export function backoffDelay(
  retryNumber: number,
  random: () => number = Math.random,
  { baseMs, capMs }: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.floor(random() * ceiling);
}
