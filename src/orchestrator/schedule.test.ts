import { describe, expect, it } from 'vitest';
import { dayEndUtc, defaultTriggerDate, dueLogicalDates, dueTime, latestDueDate } from './schedule.js';

const ny = { cron: '30 3 * * *', timezone: 'America/New_York' };

describe('due times', () => {
  it('a day ends at local midnight, 23 hours after it began on the spring-forward day', () => {
    expect(dayEndUtc('2024-03-09', 'America/New_York').toISOString()).toBe('2024-03-10T05:00:00.000Z');
    expect(dayEndUtc('2024-03-10', 'America/New_York').toISOString()).toBe('2024-03-11T04:00:00.000Z');
    expect(dayEndUtc('2024-11-03', 'America/New_York').toISOString()).toBe('2024-11-04T05:00:00.000Z');
  });

  it('the run for D is due at the first fire after D ends, in the schedule’s zone across DST', () => {
    // 03:30 New York: EST (−5) before 2024-03-10, EDT (−4) from it.
    expect(dueTime(ny, '2024-03-08').toISOString()).toBe('2024-03-09T08:30:00.000Z');
    expect(dueTime(ny, '2024-03-09').toISOString()).toBe('2024-03-10T07:30:00.000Z');
    expect(dueTime(ny, '2024-03-10').toISOString()).toBe('2024-03-11T07:30:00.000Z');
  });

  it('a fire exactly at the end of the day counts for that day', () => {
    const midnight = { cron: '0 0 * * *', timezone: 'Europe/Berlin' };
    expect(dueTime(midnight, '2024-03-30').toISOString()).toBe('2024-03-30T23:00:00.000Z');
    expect(dueTime(midnight, '2024-03-31').toISOString()).toBe('2024-03-31T22:00:00.000Z');
  });

  it('a weekly cron makes every day of the week due at the next fire', () => {
    const mondays = { cron: '0 6 * * 1', timezone: 'UTC' };
    expect(dueTime(mondays, '2024-05-01').toISOString()).toBe('2024-05-06T06:00:00.000Z');
    expect(dueTime(mondays, '2024-05-05').toISOString()).toBe('2024-05-06T06:00:00.000Z');
  });

  it('the latest due day flips at the fire time, not at midnight', () => {
    expect(latestDueDate(ny, new Date('2024-03-10T07:29:59Z'))).toBe('2024-03-08');
    expect(latestDueDate(ny, new Date('2024-03-10T07:30:00Z'))).toBe('2024-03-09');
    expect(latestDueDate(ny, new Date('2024-03-11T03:59:00Z'))).toBe('2024-03-09');
  });
});

describe('dueLogicalDates', () => {
  const base = {
    schedule: ny,
    startDate: '2024-03-01',
    maxActiveRuns: 10,
    now: new Date('2024-03-10T12:00:00Z'),
    existingDates: new Set<string>(),
    activeRuns: 0,
  };

  it('without catchup only the latest due day', () => {
    expect(dueLogicalDates({ ...base, catchup: false })).toEqual(['2024-03-09']);
    expect(dueLogicalDates({ ...base, catchup: false, existingDates: new Set(['2024-03-09']) })).toEqual([]);
  });

  it('with catchup every missing day since the start, oldest first, within free slots', () => {
    const existing = new Set(['2024-03-01', '2024-03-03']);
    expect(dueLogicalDates({ ...base, catchup: true, existingDates: existing })).toEqual([
      '2024-03-02',
      '2024-03-04',
      '2024-03-05',
      '2024-03-06',
      '2024-03-07',
      '2024-03-08',
      '2024-03-09',
    ]);
    expect(dueLogicalDates({ ...base, catchup: true, maxActiveRuns: 3, activeRuns: 1 })).toEqual([
      '2024-03-01',
      '2024-03-02',
    ]);
    expect(dueLogicalDates({ ...base, catchup: true, maxActiveRuns: 1, activeRuns: 1 })).toEqual([]);
  });

  it('nothing before the start date, nothing for an unscheduled DAG', () => {
    expect(dueLogicalDates({ ...base, catchup: true, startDate: '2024-03-10' })).toEqual([]);
    expect(dueLogicalDates({ ...base, catchup: true, schedule: null })).toEqual([]);
  });

  it('a manual trigger defaults to yesterday in the zone', () => {
    expect(defaultTriggerDate('Asia/Kolkata', new Date('2024-03-10T20:00:00Z'))).toBe('2024-03-10');
    expect(defaultTriggerDate('America/Los_Angeles', new Date('2024-03-10T20:00:00Z'))).toBe('2024-03-09');
  });
});
