import { describe, expect, it } from 'vitest';
import {
  dailyAggregates,
  hourEndOf,
  hourlyAggregates,
  percentileCont,
  sigDigits,
  summarize,
} from './aggregate.js';

const at = (iso: string) => Date.parse(iso);
const m = (iso: string, value: number, hasFlags = false) => ({ periodEndMs: at(iso), value, hasFlags });

describe('sigDigits', () => {
  it('rounds like sig_digits(x, 3) on real /days values', () => {
    // value and summary.avg pairs from OpenAQ /days for sensor 10017217
    expect(sigDigits(9.956071395533424, 3)).toBe(9.96);
    expect(sigDigits(16.569736844614937, 3)).toBe(16.6);
    expect(sigDigits(8.78454860755139, 3)).toBe(8.78);
    expect(sigDigits(9.905555520620611, 3)).toBe(9.91);
  });

  it('rounds decimal ties away from zero, as numeric round does', () => {
    expect(sigDigits(2.675, 3)).toBe(2.68); // the double is 2.67499999…
    expect(sigDigits(-2.675, 3)).toBe(-2.68);
    expect(sigDigits(0.0001235, 3)).toBe(0.000124);
    expect(sigDigits(999.5, 3)).toBe(1000);
    expect(sigDigits(-999, 3)).toBe(-999);
    expect(sigDigits(0, 3)).toBe(0);
  });

  it('gives the same answer on its fast path as the decimal-string rule', () => {
    const slow = (x: number) => {
      const [mantissa, exp] = Math.abs(x).toExponential(14).split('e') as [string, string];
      const digits = mantissa.replace('.', '');
      let kept = Number(digits.slice(0, 3));
      if (Number(digits[3]) >= 5) kept += 1;
      return Math.sign(x) * Number(`${kept}e${Number(exp) - 2}`);
    };
    let x = 0.000731;
    for (let i = 0; i < 5_000; i++) {
      x = (x * 1.0137 + 0.00731) % 1500;
      const v = i % 3 === 0 ? -x : x;
      expect(sigDigits(v, 3)).toBe(slow(v));
    }
  });
});

describe('percentileCont', () => {
  it('interpolates linearly between ranks like PostgreSQL', () => {
    const sorted = [1, 2, 3, 4, 10];
    expect(percentileCont(sorted, 0.5)).toBe(3);
    expect(percentileCont(sorted, 0.25)).toBe(2);
    expect(percentileCont(sorted, 0.98)).toBeCloseTo(4 + 0.92 * 6, 12);
    expect(percentileCont(sorted, 0.02)).toBeCloseTo(1.08, 12);
    expect(percentileCont([7], 0.75)).toBe(7);
  });

  it('summarizes with a sample standard deviation, null for one value', () => {
    expect(summarize([2, 4, 4, 4, 5, 5, 7, 9]).sd).toBeCloseTo(2.138089935299395, 12);
    expect(summarize([5]).sd).toBeNull();
  });
});

describe('hourEndOf', () => {
  it('puts an hourly value in the hour it ends and 15-minute values in the hour they fall in', () => {
    expect(hourEndOf('America/New_York', at('2024-07-20T14:00:00Z'))).toBe(at('2024-07-20T14:00:00Z'));
    expect(hourEndOf('America/New_York', at('2024-07-20T14:15:00Z'))).toBe(at('2024-07-20T15:00:00Z'));
    expect(hourEndOf('America/New_York', at('2024-07-20T15:00:00Z'))).toBe(at('2024-07-20T15:00:00Z'));
  });

  it('keeps +05:30 on its own hour grid: a value ending at 10:30 local goes to the hour ending 11:00 local', () => {
    expect(hourEndOf('Asia/Kolkata', at('2024-07-20T05:00:00Z'))).toBe(at('2024-07-20T05:30:00Z'));
    expect(hourEndOf('Asia/Kolkata', at('2024-07-20T05:30:00Z'))).toBe(at('2024-07-20T05:30:00Z'));
  });
});

describe('hourly and daily aggregates', () => {
  it('averages hours first, then days by the local date of (hour end − 1 s)', () => {
    const zone = 'Asia/Kolkata';
    const ms = [
      // local 2024-07-20 00:15, 00:30 → hour ending 01:00 local
      m('2024-07-19T18:45:00Z', 10),
      m('2024-07-19T19:00:00Z', 20),
      // local 23:45 and 24:00 → hour ending 24:00, still 2024-07-20
      m('2024-07-20T18:15:00Z', 1, true),
      m('2024-07-20T18:30:00Z', -999),
      // local 2024-07-21 00:15 → next day
      m('2024-07-20T18:45:00Z', 4),
    ];
    const hours = hourlyAggregates(zone, ms);
    expect(hours.map((h) => [new Date(h.hourEndMs).toISOString(), h.count, h.summary.avg])).toEqual([
      ['2024-07-19T19:30:00.000Z', 2, 15],
      ['2024-07-20T18:30:00.000Z', 2, -499],
      ['2024-07-20T19:30:00.000Z', 1, 4],
    ]);
    const days = dailyAggregates(zone, hours);
    expect(days.map((d) => [d.localDate, d.hourCount, d.summary.avg, d.value, d.hasFlags])).toEqual([
      ['2024-07-20', 2, -242, -242, true],
      ['2024-07-21', 1, 4, 4, false],
    ]);
    expect(days[0]!.percentComplete).toBe(8);
  });

  it('counts 23 and 25 hours on New York DST days', () => {
    const zone = 'America/New_York';
    const hourly = (fromIso: string, hours: number) =>
      Array.from({ length: hours + 2 }, (_, i) => ({
        periodEndMs: at(fromIso) + i * 3_600_000,
        value: i,
        hasFlags: false,
      }));
    const spring = dailyAggregates(zone, hourlyAggregates(zone, hourly('2024-03-10T05:00:00Z', 23)));
    expect(spring.find((d) => d.localDate === '2024-03-10')!.hourCount).toBe(23);
    const fall = dailyAggregates(zone, hourlyAggregates(zone, hourly('2024-11-03T04:00:00Z', 25)));
    const day = fall.find((d) => d.localDate === '2024-11-03')!;
    expect(day.hourCount).toBe(25);
    expect(day.percentComplete).toBe(104);
  });
});
