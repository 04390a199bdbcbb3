import { describe, expect, it } from 'vitest';
import { afterFailure, retryDelayMs } from './retry.js';

const task = { retryDelayMs: 1000, retryBackoff: 2, maxRetryDelayMs: 5000 };

describe('retries', () => {
  it('wait doubles per failed try up to the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(task, n))).toEqual([1000, 2000, 4000, 5000]);
  });

  it('a try with tries left is retried after the delay; the last one fails', () => {
    const now = new Date('2024-01-01T00:00:00Z');
    expect(afterFailure(task, 1, 3, now)).toEqual({
      state: 'up_for_retry',
      retryAt: new Date('2024-01-01T00:00:01Z'),
    });
    expect(afterFailure(task, 3, 3, now)).toEqual({ state: 'failed' });
    expect(afterFailure(task, 2, 3, now, true)).toEqual({ state: 'up_for_retry', retryAt: now });
  });
});
