import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import {
  estimateSources,
  isPastArchiveLag,
  parseSourceMode,
  rateLimitedSeconds,
  sourceToday,
  splitBySource,
} from './source-choice.js';

describe('splitBySource', () => {
  const range = { from: '2024-05-01', to: '2024-06-10' };
  const today = '2024-06-10';

  it('auto: days older than the lag from the archive, the rest from the API', () => {
    // 06-05 is 5 days old: past a 4-day lag; 06-06 is exactly 4 days old: not yet.
    expect(splitBySource(range, { mode: 'auto', lagDays: 4, today })).toEqual({
      archive: { from: '2024-05-01', to: '2024-06-05' },
      api: { from: '2024-06-06', to: '2024-06-10' },
    });
    expect(isPastArchiveLag('2024-06-05', today, 4)).toBe(true);
    expect(isPastArchiveLag('2024-06-06', today, 4)).toBe(false);
  });

  it('auto: a range entirely on one side gets one source', () => {
    expect(
      splitBySource({ from: '2024-01-01', to: '2024-01-31' }, { mode: 'auto', lagDays: 4, today }),
    ).toEqual({
      archive: { from: '2024-01-01', to: '2024-01-31' },
      api: null,
    });
    expect(
      splitBySource({ from: '2024-06-08', to: '2024-06-09' }, { mode: 'auto', lagDays: 4, today }),
    ).toEqual({
      archive: null,
      api: { from: '2024-06-08', to: '2024-06-09' },
    });
    expect(splitBySource(range, { mode: 'auto', lagDays: 0, today }).archive?.to).toBe('2024-06-09');
  });

  it('--source api|archive overrides the lag', () => {
    expect(splitBySource(range, { mode: 'api', lagDays: 4, today })).toEqual({ api: range, archive: null });
    expect(splitBySource(range, { mode: 'archive', lagDays: 4, today })).toEqual({
      api: null,
      archive: range,
    });
  });

  it('parses --source and rejects anything else with a usage error', () => {
    expect(parseSourceMode(undefined)).toBe('auto');
    expect(parseSourceMode('archive')).toBe('archive');
    expect(() => parseSourceMode('s3')).toThrow(UsageError);
  });

  it('takes today in UTC−12, where a day ends last', () => {
    expect(sourceToday(new Date('2024-06-10T11:59:00Z'))).toBe('2024-06-09');
    expect(sourceToday(new Date('2024-06-10T12:00:00Z'))).toBe('2024-06-10');
  });
});

describe('estimateSources', () => {
  const limits = { perMinute: 60, perHour: 2000 };

  it('a country-year through the API takes hours; through the archive it is not rate-limited', () => {
    const [archive] = estimateSources({
      split: { archive: { from: '2023-01-01', to: '2023-12-31' }, api: null },
      locations: 100,
      sensors: 400,
      rateLimit: limits,
    });
    expect(archive).toMatchObject({ source: 'archive', days: 365, requests: 36_500, rateLimited: false });
    expect(archive!.seconds).toBeCloseTo((36_500 / 8) * 0.25, 0);
    const [api] = estimateSources({
      split: { api: { from: '2023-01-01', to: '2023-12-31' }, archive: null },
      locations: 100,
      sensors: 400,
      rateLimit: limits,
    });
    // 365 × 24 = 8,760 rows per sensor: 9 pages each.
    expect(api).toMatchObject({ source: 'api', days: 365, requests: 3600, rateLimited: true });
    expect(api!.seconds).toBe(3600 + Math.floor(1599 / 60) * 60);
  });

  it('counts one page per sensor and day when days are fetched one by one, and skipped archive days', () => {
    const estimates = estimateSources({
      split: {
        archive: { from: '2024-06-01', to: '2024-06-05' },
        api: { from: '2024-06-06', to: '2024-06-10' },
      },
      locations: 2,
      sensors: 5,
      rateLimit: limits,
      wideWindows: false,
      archive: { skippedDays: 3 },
    });
    expect(estimates.map((e) => [e.source, e.days, e.requests])).toEqual([
      ['api', 5, 25],
      ['archive', 5, 7],
    ]);
  });

  it('rate-limited time: perMinute a minute, and an hour for every full hour budget', () => {
    expect(rateLimitedSeconds(0, limits)).toBe(0);
    expect(rateLimitedSeconds(60, limits)).toBe(0);
    expect(rateLimitedSeconds(61, limits)).toBe(60);
    expect(rateLimitedSeconds(2001, limits)).toBe(3600);
  });
});
