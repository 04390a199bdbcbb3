import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { cliClock, systemClock } from './clock.js';

describe('the CLI clock', () => {
  it('is the system clock unless AQLAKE_NOW fixes it', () => {
    expect(cliClock({})).toBe(systemClock);
    const fixed = cliClock({ AQLAKE_NOW: '2024-05-03T12:00:00Z' });
    expect(fixed().toISOString()).toBe('2024-05-03T12:00:00.000Z');
    expect(fixed().toISOString()).toBe('2024-05-03T12:00:00.000Z');
  });

  it('refuses an AQLAKE_NOW that is not an ISO instant, naming the variable', () => {
    for (const bad of ['yesterday', '2024-05-03', '2024-13-40T00:00:00Z']) {
      expect(() => cliClock({ AQLAKE_NOW: bad })).toThrow(UsageError);
      expect(() => cliClock({ AQLAKE_NOW: bad })).toThrow(`AQLAKE_NOW: expected an ISO instant`);
    }
  });
});
