import { describe, expect, it } from 'vitest';
import { abortableSleep, nextSendDelay, RateLimiter, serverWaitMs } from './rate-limiter.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Largest number of sends inside any window [t, t + windowMs). */
function busiestWindow(sendTimes: number[], windowMs: number): number {
  return Math.max(0, ...sendTimes.map((t) => sendTimes.filter((u) => u >= t && u < t + windowMs).length));
}

/** A clock that only moves when someone sleeps; concurrent sleepers share it. */
function fakeTime() {
  const state = { now: 0, sleeps: [] as number[] };
  const sleep = async (ms: number, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    state.sleeps.push(ms);
    const target = state.now + ms;
    await Promise.resolve();
    state.now = Math.max(state.now, target);
  };
  return { state, now: () => state.now, sleep };
}

describe('nextSendDelay', () => {
  const limits = { perMinute: 2, perHour: 100 };

  it('sends at once while the windows have room', () => {
    expect(nextSendDelay([], 0, limits)).toBe(0);
    expect(nextSendDelay([0], 10, limits)).toBe(0);
  });

  it('waits until the oldest send in a full minute leaves the window', () => {
    expect(nextSendDelay([0, 1000], 1500, limits)).toBe(MINUTE - 1500);
    expect(nextSendDelay([0, 1000], MINUTE, limits)).toBe(0);
    expect(nextSendDelay([0, 1000, MINUTE], MINUTE + 1, limits)).toBe(1000 + MINUTE - (MINUTE + 1));
  });

  it('also keeps under the hourly limit', () => {
    expect(nextSendDelay([0, 10_000, 20_000], 30_000, { perMinute: 100, perHour: 3 })).toBe(HOUR - 30_000);
  });

  it('obeys a server hold even with empty windows', () => {
    expect(nextSendDelay([], 1000, limits, 5000)).toBe(4000);
    expect(nextSendDelay([], 6000, limits, 5000)).toBe(0);
  });

  it('lets a greedy sender keep under both limits at full speed', () => {
    const l = { perMinute: 5, perHour: 12 };
    const sent: number[] = [];
    let now = 0;
    for (let i = 0; i < 40; i++) {
      now += nextSendDelay(sent, now, l);
      sent.push(now);
    }
    expect(busiestWindow(sent, MINUTE)).toBe(5);
    expect(busiestWindow(sent, HOUR)).toBe(12);
    // No needless waiting: the first five go at once, the sixth a minute later.
    expect(sent.slice(0, 6)).toEqual([0, 0, 0, 0, 0, MINUTE]);
  });
});

describe('serverWaitMs', () => {
  it('waits x-ratelimit-reset SECONDS when nothing remains', () => {
    expect(serverWaitMs(200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '42' }, 0)).toBe(42_000);
    expect(serverWaitMs(429, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '7' }, 0)).toBe(7_000);
  });

  it('does not wait while requests remain', () => {
    expect(serverWaitMs(200, { 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '42' }, 0)).toBeUndefined();
    expect(serverWaitMs(200, {}, 0)).toBeUndefined();
    expect(serverWaitMs(429, {}, 0)).toBeUndefined();
  });

  it('waits at least a second on a reset of 0, and at most an hour', () => {
    expect(serverWaitMs(429, { 'x-ratelimit-reset': '0' }, 0)).toBe(1000);
    expect(serverWaitMs(429, { 'x-ratelimit-reset': '1767225600' }, 0)).toBe(HOUR);
  });

  it('honours retry-after in seconds or as a date on 429 and 503', () => {
    expect(serverWaitMs(429, { 'retry-after': '3' }, 0)).toBe(3000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(serverWaitMs(503, { 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, now)).toBe(30_000);
    expect(serverWaitMs(500, { 'retry-after': '3' }, 0)).toBeUndefined();
    expect(serverWaitMs(429, { 'retry-after': '3', 'x-ratelimit-reset': '9' }, 0)).toBe(9000);
  });
});

describe('RateLimiter', () => {
  it('spaces concurrent callers so that together they keep under the limit', async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ perMinute: 2, perHour: 100 }, t.now, t.sleep);
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, async () => {
        await limiter.acquire();
        sent.push(t.now());
      }),
    );
    expect(sent).toHaveLength(7);
    expect(busiestWindow(sent, MINUTE)).toBe(2);
    expect(Math.max(...sent)).toBe(3 * MINUTE);
  });

  it('holds every caller back for a server hint, and reports the wait', async () => {
    const t = fakeTime();
    const limiter = new RateLimiter({ perMinute: 60, perHour: 2000 }, t.now, t.sleep);
    expect(await limiter.acquire()).toBe(0);
    limiter.holdFor(5000);
    limiter.holdFor(1000); // a shorter hint never shortens the hold
    expect(await limiter.acquire()).toBe(5000);
    expect(t.state.now).toBe(5000);
  });

  it('stops waiting when the signal aborts', async () => {
    const limiter = new RateLimiter({ perMinute: 1, perHour: 10 }, Date.now, abortableSleep);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('rejects limits below 1', () => {
    expect(() => new RateLimiter({ perMinute: 0, perHour: 10 }, Date.now, abortableSleep)).toThrow(
      /perMinute/,
    );
  });
});
