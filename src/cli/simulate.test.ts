import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { simulatorOptionsFromFlags } from './simulate.js';

describe('simulatorOptionsFromFlags', () => {
  it('defaults to a free port on 127.0.0.1 with seed 42 and no limits or faults', () => {
    expect(simulatorOptionsFromFlags({})).toEqual({ port: 0, host: '127.0.0.1', seed: 42 });
  });

  it('maps every flag to the simulator option it names', () => {
    expect(
      simulatorOptionsFromFlags({
        port: '8787',
        seed: '7',
        historyDays: '30',
        rateLimit: '60',
        requireKey: 'k',
        errorRate: '0.1',
        latencyMs: '250',
        truncateRate: '0.05',
        lateDelayMs: '60000',
        lateShare: '0.2',
      }),
    ).toEqual({
      port: 8787,
      host: '127.0.0.1',
      seed: 7,
      historyDays: 30,
      rateLimitPerMinute: 60,
      requireApiKey: 'k',
      faults: { errorRate: 0.1, latencyMs: 250, truncateRate: 0.05 },
      lateData: { delayMs: 60000, share: 0.2 },
    });
  });

  it.each([
    [{ port: '70000' }, /^--port: expected a whole number from 0 to 65535/],
    [{ port: 'http' }, /^--port:/],
    [{ seed: '1.5' }, /^--seed:/],
    [{ rateLimit: '0' }, /^--rate-limit:/],
    [{ errorRate: '1.5' }, /^--error-rate: expected a share from 0 to 1/],
    [{ truncateRate: 'half' }, /^--truncate-rate:/],
    [{ latencyMs: '-1' }, /^--latency-ms:/],
    [{ lateDelayMs: '1000' }, /--late-delay-ms and --late-share go together/],
    [{ lateShare: '0.1' }, /--late-delay-ms and --late-share go together/],
    [{ requireKey: ' ' }, /^--require-key:/],
  ])('rejects %j with a usage error naming the flag', (flags, message) => {
    expect(() => simulatorOptionsFromFlags(flags)).toThrow(UsageError);
    expect(() => simulatorOptionsFromFlags(flags)).toThrow(message);
  });
});
