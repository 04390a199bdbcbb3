import { describe, expect, it } from 'vitest';
import { localDayWindowUtc } from '../time/local-day.js';
import { dayRangeParams, measurementWindowParams } from './time-params.js';

describe('measurementWindowParams', () => {
  it('sends UTC instants with Z, never naive local times', () => {
    expect(
      measurementWindowParams({
        fromUtc: new Date('2024-07-20T04:00:00Z'),
        toUtc: new Date('2024-07-21T04:00:00Z'),
      }),
    ).toEqual({ datetime_from: '2024-07-20T04:00:00Z', datetime_to: '2024-07-21T04:00:00Z' });
  });

  it('keeps milliseconds when they matter', () => {
    const p = measurementWindowParams({
      fromUtc: new Date('2024-07-20T04:00:00.250Z'),
      toUtc: new Date('2024-07-20T05:00:00Z'),
    });
    expect(p.datetime_from).toBe('2024-07-20T04:00:00.250Z');
  });

  it('covers a local day as (00:00, 24:00] local, including a 23-hour DST day', () => {
    // America/Toronto springs forward on 2024-03-10.
    const p = measurementWindowParams(localDayWindowUtc('2024-03-10', 'America/Toronto'));
    expect(p).toEqual({ datetime_from: '2024-03-10T05:00:00Z', datetime_to: '2024-03-11T04:00:00Z' });
    const kolkata = measurementWindowParams(localDayWindowUtc('2024-03-10', 'Asia/Kolkata'));
    expect(kolkata).toEqual({ datetime_from: '2024-03-09T18:30:00Z', datetime_to: '2024-03-10T18:30:00Z' });
  });

  it('rejects an empty or reversed window, which the API answers with 422', () => {
    const t = new Date('2024-07-20T04:00:00Z');
    expect(() => measurementWindowParams({ fromUtc: t, toUtc: t })).toThrow(/empty/);
    expect(() => measurementWindowParams({ fromUtc: new Date('x'), toUtc: t })).toThrow(/invalid/);
  });
});

describe('dayRangeParams', () => {
  it('uses date_from/date_to, which /days reads as inclusive local dates', () => {
    expect(dayRangeParams('2024-07-20', '2024-07-26')).toEqual({
      date_from: '2024-07-20',
      date_to: '2024-07-26',
    });
    expect(dayRangeParams('2024-07-20', '2024-07-20')).toEqual({
      date_from: '2024-07-20',
      date_to: '2024-07-20',
    });
  });

  it('rejects reversed ranges and non-dates', () => {
    expect(() => dayRangeParams('2024-07-21', '2024-07-20')).toThrow(/reversed/);
    expect(() => dayRangeParams('2024-02-30', '2024-03-01')).toThrow(/YYYY-MM-DD/);
    expect(() => dayRangeParams('2024-07-20T00:00:00Z', '2024-07-21')).toThrow(/YYYY-MM-DD/);
  });
});
