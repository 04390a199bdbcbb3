import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, TruncatedBodyError } from './retry-policy.js';

describe('isRetryable', () => {
  it('retries 408, 429 and 5xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504])
      expect(isRetryable(status), String(status)).toBe(true);
  });

  it('does not retry answers that will not change', () => {
    for (const status of [200, 400, 401, 403, 404, 410, 422])
      expect(isRetryable(status), String(status)).toBe(false);
  });

  it('retries network errors, timeouts and truncated bodies', () => {
    expect(isRetryable(new TypeError('fetch failed'))).toBe(true);
    expect(isRetryable(new TypeError('terminated'))).toBe(true);
    expect(isRetryable(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(
      true,
    );
    expect(isRetryable(new TruncatedBodyError('short'))).toBe(true);
  });

  it('does not retry a cancelled request or a bug', () => {
    expect(isRetryable(new DOMException('This operation was aborted', 'AbortError'))).toBe(false);
    expect(isRetryable(new TypeError('Failed to parse URL from nope'))).toBe(false);
    expect(isRetryable(new Error('boom'))).toBe(false);
    expect(isRetryable('fetch failed')).toBe(false);
  });
});

describe('backoffDelay', () => {
  const almostOne = () => 0.999_999;

  it('grows exponentially from the base', () => {
    expect(backoffDelay(1, almostOne)).toBe(999);
    expect(backoffDelay(2, almostOne)).toBe(1999);
    expect(backoffDelay(4, almostOne)).toBe(7999);
  });

  it('is capped', () => {
    expect(backoffDelay(20, almostOne)).toBe(29_999);
    expect(backoffDelay(3, almostOne, { baseMs: 100, capMs: 250 })).toBe(249);
  });

  it('draws the whole range from 0 (full jitter)', () => {
    expect(backoffDelay(5, () => 0)).toBe(0);
    expect(backoffDelay(5, () => 0.5)).toBe(8000);
  });
});
