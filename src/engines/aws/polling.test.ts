import { describe, expect, it } from 'vitest';
import { backoffDelay, PollAborted, pollUntil } from './polling.js';

describe('backoffDelay', () => {
  it('grows by the factor from the first delay and stops at the cap', () => {
    const s = { initialDelayMs: 5_000, maxDelayMs: 60_000, factor: 1.5 };
    expect([0, 1, 2, 3, 6, 7, 20].map((a) => backoffDelay(a, s))).toEqual([
      5_000, 7_500, 11_250, 16_875, 56_953, 60_000, 60_000,
    ]);
  });
});

describe('pollUntil', () => {
  it('asks until done, sleeping the backoff delays in between', async () => {
    const slept: number[] = [];
    let n = 0;
    const value = await pollUntil(
      async () => ++n,
      (v) => v === 4,
      { initialDelayMs: 100, maxDelayMs: 250, factor: 2, sleep: async (ms) => void slept.push(ms) },
    );
    expect(value).toBe(4);
    expect(slept).toEqual([100, 200, 250]);
  });

  it('ends with PollAborted(Interrupted) when the signal aborts, without another status call', async () => {
    const controller = new AbortController();
    let calls = 0;
    const err = await pollUntil(
      async () => {
        calls++;
        controller.abort();
        return 'RUNNING';
      },
      () => false,
      { initialDelayMs: 1, maxDelayMs: 1, factor: 1, signal: controller.signal, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollAborted);
    expect((err as PollAborted).kind).toBe('Interrupted');
    expect(calls).toBe(1);
  });

  it("passes the status call's own errors through", async () => {
    await expect(
      pollUntil(
        async () => {
          throw new Error('AccessDeniedException');
        },
        () => true,
        { initialDelayMs: 1, maxDelayMs: 1, factor: 1 },
      ),
    ).rejects.toThrow('AccessDeniedException');
  });
});
