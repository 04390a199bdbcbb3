import { describe, expect, it } from 'vitest';
import { MAX_WINDOW_DAYS, measurementWindows } from './measurement-windows.js';

describe('measurementWindows', () => {
  it('covers the period ends of local days as (local midnight, next local midnight], in UTC', () => {
    const [w] = measurementWindows('2024-07-20', '2024-07-20', 'America/Toronto');
    expect(w!.fromUtc.toISOString()).toBe('2024-07-20T04:00:00.000Z');
    expect(w!.toUtc.toISOString()).toBe('2024-07-21T04:00:00.000Z');
  });

  it('spans a DST change with the right offsets at each end', () => {
    const [w] = measurementWindows('2024-03-09', '2024-03-11', 'America/New_York');
    expect(w!.fromUtc.toISOString()).toBe('2024-03-09T05:00:00.000Z');
    expect(w!.toUtc.toISOString()).toBe('2024-03-12T04:00:00.000Z');
  });

  it('handles a +05:30 zone', () => {
    const [w] = measurementWindows('2024-01-15', '2024-01-15', 'Asia/Kolkata');
    expect(w!.fromUtc.toISOString()).toBe('2024-01-14T18:30:00.000Z');
  });

  it('asks for nothing before a location first reported', () => {
    const [w] = measurementWindows('2024-01-01', '2024-01-31', 'UTC', {
      datetimeFirstUtc: '2024-01-10T01:00:00Z',
    });
    // exclusive lower bound one second before the first period end keeps that value in
    expect(w!.fromUtc.toISOString()).toBe('2024-01-10T00:59:59.000Z');
  });

  it('asks for nothing when the location stopped reporting long before the range', () => {
    expect(
      measurementWindows('2024-06-01', '2024-06-30', 'UTC', { datetimeLastUtc: '2023-01-01T00:00:00Z' }),
    ).toEqual([]);
  });

  it('keeps a margin after datetimeLast, because upstream metadata lags late data', () => {
    const [w] = measurementWindows('2024-06-01', '2024-06-30', 'UTC', {
      datetimeLastUtc: '2024-06-10T00:00:00Z',
    });
    expect(w!.toUtc.toISOString()).toBe('2024-06-12T00:00:00.000Z');
  });

  it('splits ranges longer than the widest safe request into contiguous chunks', () => {
    const windows = measurementWindows('2022-01-01', '2024-12-31', 'UTC');
    expect(windows.length).toBe(Math.ceil((365 + 365 + 366) / MAX_WINDOW_DAYS));
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.fromUtc).toEqual(windows[i - 1]!.toUtc);
    expect(windows.at(-1)!.toUtc.toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });
});
