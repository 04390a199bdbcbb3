import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { intervalText, localDateOf, localIso, localMidnight, offsetMinutes, utcIso } from './zone-time.js';

describe('offsetMinutes', () => {
  it('agrees with luxon through a year in each zone', () => {
    const zones = [
      'America/New_York',
      'America/Denver',
      'Australia/Adelaide',
      'Europe/London',
      'Asia/Kolkata',
    ];
    const start = Date.parse('2024-01-01T00:00:00Z');
    for (const zone of zones) {
      // a step of 2 h 13 min walks through every quarter-hour phase of the day over the year
      for (let ms = start; ms < start + 366 * 86_400_000; ms += 133 * 60_000) {
        const expected = DateTime.fromMillis(ms, { zone }).offset;
        if (offsetMinutes(zone, ms) !== expected) {
          throw new Error(`${zone} ${new Date(ms).toISOString()}: ${offsetMinutes(zone, ms)} != ${expected}`);
        }
      }
    }
  });

  it('switches New York to EDT at 07:00Z on 2024-03-10 and Adelaide to +10:30 at 16:30Z on 2024-10-05', () => {
    expect(offsetMinutes('America/New_York', Date.parse('2024-03-10T06:59:00Z'))).toBe(-300);
    expect(offsetMinutes('America/New_York', Date.parse('2024-03-10T07:00:00Z'))).toBe(-240);
    expect(offsetMinutes('Australia/Adelaide', Date.parse('2024-10-05T16:29:00Z'))).toBe(570);
    expect(offsetMinutes('Australia/Adelaide', Date.parse('2024-10-05T16:30:00Z'))).toBe(630);
  });
});

describe('datetime strings', () => {
  it('formats UTC with Z and local time with the offset of that instant', () => {
    const ms = Date.parse('2024-07-20T14:00:00Z');
    expect(utcIso(ms)).toBe('2024-07-20T14:00:00Z');
    expect(localIso('America/New_York', ms)).toBe('2024-07-20T10:00:00-04:00');
    expect(localIso('Asia/Kolkata', ms)).toBe('2024-07-20T19:30:00+05:30');
    expect(localIso('Europe/London', Date.parse('2024-01-20T14:00:00Z'))).toBe('2024-01-20T14:00:00+00:00');
  });

  it('finds local dates and midnights', () => {
    expect(localDateOf('Asia/Kolkata', Date.parse('2024-07-20T18:29:59Z'))).toBe('2024-07-20');
    expect(localDateOf('Asia/Kolkata', Date.parse('2024-07-20T18:30:00Z'))).toBe('2024-07-21');
    expect(new Date(localMidnight('America/New_York', '2024-11-03')).toISOString()).toBe(
      '2024-11-03T04:00:00.000Z',
    );
    expect(new Date(localMidnight('America/New_York', '2024-11-04')).toISOString()).toBe(
      '2024-11-04T05:00:00.000Z',
    );
  });

  it('writes intervals as PostgreSQL does, hours unbounded', () => {
    expect(intervalText(3600)).toBe('01:00:00');
    expect(intervalText(900)).toBe('00:15:00');
    expect(intervalText(24 * 3600)).toBe('24:00:00');
    expect(intervalText(744.5 * 3600)).toBe('744:30:00');
  });
});
