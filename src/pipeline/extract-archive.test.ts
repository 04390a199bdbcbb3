import { describe, expect, it } from 'vitest';
import type { ArchiveDayState } from '../lake/archive-days.js';
import { parseRawArchiveObjectKey, rawArchiveObjectKey } from '../lake/keys.js';
import { archiveDayAction, archiveObjectChanged } from './extract-archive.js';

const SHA = '3f9a0c1b2d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd';

function state(s: Partial<ArchiveDayState>): ArchiveDayState {
  return {
    locationId: 2178,
    localDate: '2024-03-01',
    status: 'present',
    rawKey: 'raw/x',
    etag: '"a"',
    lastModified: 'Mon, 04 Mar 2024 10:00:00 GMT',
    size: 100,
    checkedAt: '2024-03-10T00:00:00.000Z',
    ...s,
  };
}

describe('raw archive keys', () => {
  it("keep OpenAQ's key and add a content version before .csv.gz", () => {
    const key = rawArchiveObjectKey(2178, '2022-05-03', SHA);
    expect(key).toBe(
      'raw/openaq-archive/locationid=2178/year=2022/month=05/location-2178-20220503.3f9a0c1b2d4e5f60.csv.gz',
    );
    expect(parseRawArchiveObjectKey(key)).toEqual({
      locationId: 2178,
      localDate: '2022-05-03',
      version: '3f9a0c1b2d4e5f60',
    });
    expect(parseRawArchiveObjectKey(key.replace('locationid=2178', 'locationid=2179'))).toBeNull();
    expect(() => rawArchiveObjectKey(2178, '2022-05-03', 'xyz')).toThrow();
  });
});

describe('archiveDayAction', () => {
  const rules = { lagDays: 4 };
  it('GETs an unknown day and HEADs a known one', () => {
    expect(archiveDayAction(undefined, 'UTC', rules)).toBe('get');
    expect(archiveDayAction(state({}), 'UTC', rules)).toBe('head');
  });

  it('trusts a missing day only when it was checked after the lag, in the location zone', () => {
    const absent = (checkedAt: string) => state({ status: 'absent', rawKey: null, checkedAt });
    // 2024-03-01 + 4 days of lag: checked on local 03-06 the file should exist.
    expect(archiveDayAction(absent('2024-03-06T12:00:00Z'), 'UTC', rules)).toBe('skip');
    expect(archiveDayAction(absent('2024-03-05T12:00:00Z'), 'UTC', rules)).toBe('get');
    // 03-06 02:00 UTC is still 03-05 in Los Angeles.
    expect(archiveDayAction(absent('2024-03-06T02:00:00Z'), 'America/Los_Angeles', rules)).toBe('get');
    expect(archiveDayAction(absent('2024-03-06T12:00:00Z'), 'UTC', { ...rules, recheckAbsent: true })).toBe(
      'get',
    );
  });

  it('skips days checked since the given instant', () => {
    expect(archiveDayAction(state({}), 'UTC', { ...rules, checkedSince: '2024-03-09T00:00:00Z' })).toBe(
      'skip',
    );
    expect(archiveDayAction(state({}), 'UTC', { ...rules, checkedSince: '2024-03-11T00:00:00Z' })).toBe(
      'head',
    );
  });
});

describe('archiveObjectChanged', () => {
  const known = { etag: '"a"', lastModified: 'Mon, 04 Mar 2024 10:00:00 GMT', size: 100 };
  it('compares ETags when both have one', () => {
    expect(archiveObjectChanged(known, { ...known })).toBe(false);
    expect(archiveObjectChanged(known, { ...known, etag: '"b"' })).toBe(true);
  });
  it('falls back to Last-Modified and size, and fetches when there is nothing to compare', () => {
    const noTag = { ...known, etag: null };
    expect(archiveObjectChanged(noTag, noTag)).toBe(false);
    expect(archiveObjectChanged(noTag, { ...noTag, size: 101 })).toBe(true);
    expect(archiveObjectChanged(noTag, { ...noTag, lastModified: 'Tue, 05 Mar 2024 10:00:00 GMT' })).toBe(
      true,
    );
    expect(archiveObjectChanged({ etag: null, lastModified: null, size: null }, noTag)).toBe(true);
  });
});
