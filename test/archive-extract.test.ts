// extract_archive against an S3-like server whose files are written here: byte-exact raw/, manifest rows, missing
// days recorded, and a re-exported day (new ETag) fetched again while the others get only a HEAD.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../src/errors.js';
import { listArchiveDays } from '../src/lake/archive-days.js';
import { parseRawArchiveObjectKey, RAW_ARCHIVE_ENDPOINT } from '../src/lake/keys.js';
import { findRawObjects } from '../src/lake/manifest.js';
import { archiveObjectPath } from '../src/openaq/archive.js';
import { extractArchive } from '../src/pipeline/extract-archive.js';
import { addDays, todayIn } from '../src/time/local-day.js';
import { type ArchiveLake, fixtureLocations, openArchiveLake } from './helpers/archive-lake.js';
import { type ArchiveTestRow, type ArchiveTestServer, startArchiveServer } from './helpers/archive-server.js';

const NEW_YORK = 3;

/** Hourly rows of one New York local day: period ends (D 00:00, D+1 00:00] local, so a DST day has 23 of them. */
function dayRows(localDate: string, value = 1): ArchiveTestRow[] {
  const start = DateTime.fromISO(localDate, { zone: 'America/New_York' });
  const rows: ArchiveTestRow[] = [];
  for (let end = start.plus({ hours: 1 }); end <= start.plus({ days: 1 }); end = end.plus({ hours: 1 })) {
    rows.push({
      locationId: NEW_YORK,
      sensorsId: 3,
      location: 'testing site 3-3',
      datetime: end.toISO({ suppressMilliseconds: true })!,
      lat: '42.315',
      lon: '-71.104',
      parameter: 'pm25',
      units: 'µg/m³',
      value: `${value + rows.length / 100}`,
    });
  }
  return rows;
}

let server: ArchiveTestServer;
let lake: ArchiveLake;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  server = await startArchiveServer();
});
afterAll(() => server?.close());
beforeEach(() => {
  server.objects.clear();
  server.requests.length = 0;
  lake = openArchiveLake(server.url);
});
afterEach(() => lake.close());

const snapshot = fixtureLocations();

describe('extractArchive', () => {
  it('lands every object byte for byte with a manifest row: window = the local day in UTC, ETag, rows', async () => {
    const served = {
      '2023-03-11': server.putCsv(archiveObjectPath(NEW_YORK, '2023-03-11'), dayRows('2023-03-11')),
      '2023-03-12': server.putCsv(archiveObjectPath(NEW_YORK, '2023-03-12'), dayRows('2023-03-12')),
    };
    const result = await extractArchive(lake.ctx, { from: '2023-03-11', to: '2023-03-13', snapshot });
    expect(result).toMatchObject({
      days: 3,
      requests: 3,
      gets: 3,
      heads: 0,
      landed: 2,
      missing: 1,
      rows: 47,
    });

    const objects = findRawObjects(lake.meta, { endpoint: RAW_ARCHIVE_ENDPOINT });
    expect(objects).toHaveLength(2);
    for (const o of objects) {
      const parsed = parseRawArchiveObjectKey(o.rawKey)!;
      expect(o.rawKey).toMatch(
        /^raw\/openaq-archive\/locationid=3\/year=2023\/month=03\/location-3-202303(11|12)\.[0-9a-f]{16}\.csv\.gz$/,
      );
      const bytes = readFileSync(join(lake.home, o.rawKey));
      expect(sha(bytes)).toBe(served[parsed.localDate as keyof typeof served]);
      expect(o).toMatchObject({
        source: 'archive',
        locationId: NEW_YORK,
        sensorId: null,
        httpStatus: 200,
        sha256: sha(bytes),
        bytes: bytes.length,
        valid: true,
        etag: server.objects.get(archiveObjectPath(NEW_YORK, parsed.localDate))!.etag,
      });
      expect(o.lastModified).not.toBeNull();
    }
    const [mar11, mar12] = objects.sort((a, b) => (a.rawKey < b.rawKey ? -1 : 1));
    expect([mar11!.windowFromUtc, mar11!.windowToUtc, mar11!.resultCount]).toEqual([
      '2023-03-11T05:00:00.000Z',
      '2023-03-12T05:00:00.000Z',
      24,
    ]);
    // The spring-forward day is 23 hours long.
    expect([mar12!.windowFromUtc, mar12!.windowToUtc, mar12!.resultCount]).toEqual([
      '2023-03-12T05:00:00.000Z',
      '2023-03-13T04:00:00.000Z',
      23,
    ]);
    expect(listArchiveDays(lake.meta, { from: '2023-03-11', to: '2023-03-13' }).map((d) => d.status)).toEqual(
      ['present', 'present', 'absent'],
    );
  });

  it('asks a known day with HEAD only, and fetches again exactly the day whose ETag changed', async () => {
    const days = ['2023-03-01', '2023-03-02', '2023-03-03'];
    for (const d of days) server.putCsv(archiveObjectPath(NEW_YORK, d), dayRows(d));
    await extractArchive(lake.ctx, { from: days[0]!, to: days[2]!, snapshot });
    const firstKeys = findRawObjects(lake.meta, { endpoint: RAW_ARCHIVE_ENDPOINT }).map((o) => o.rawKey);

    // Late data: OpenAQ re-exports 03-02 in place with one more value.
    const reexported = server.putCsv(archiveObjectPath(NEW_YORK, '2023-03-02'), [
      ...dayRows('2023-03-02'),
      { ...dayRows('2023-03-02')[0]!, sensorsId: 33, value: '9.5' },
    ]);
    server.requests.length = 0;
    const second = await extractArchive(lake.ctx, { from: days[0]!, to: days[2]!, snapshot });
    expect(second).toMatchObject({ heads: 3, gets: 1, requests: 4, landed: 1, reexported: 1, unchanged: 2 });
    expect(server.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual([
      archiveObjectPath(NEW_YORK, '2023-03-02'),
    ]);

    const objects = findRawObjects(lake.meta, { endpoint: RAW_ARCHIVE_ENDPOINT });
    expect(objects).toHaveLength(4);
    // raw/ is immutable: the first version of 03-02 is still there, the new one has its own key.
    for (const key of firstKeys) expect(readFileSync(join(lake.home, key)).length).toBeGreaterThan(0);
    const newKey = objects.map((o) => o.rawKey).find((k) => !firstKeys.includes(k))!;
    expect(parseRawArchiveObjectKey(newKey)?.localDate).toBe('2023-03-02');
    expect(sha(readFileSync(join(lake.home, newKey)))).toBe(reexported);
    const day = listArchiveDays(lake.meta, { from: '2023-03-02', to: '2023-03-02' })[0]!;
    expect(day).toMatchObject({
      rawKey: newKey,
      etag: server.objects.get(archiveObjectPath(NEW_YORK, '2023-03-02'))!.etag,
    });

    // Nothing changed since: HEADs only.
    const third = await extractArchive(lake.ctx, { from: days[0]!, to: days[2]!, snapshot });
    expect(third).toMatchObject({ heads: 3, gets: 0, landed: 0, unchanged: 3 });
    // Within one backfill, days checked since its start are not asked again.
    const since = new Date(Date.now() - 60_000).toISOString();
    const fourth = await extractArchive(lake.ctx, {
      from: days[0]!,
      to: days[2]!,
      snapshot,
      checkedSince: since,
    });
    expect(fourth).toMatchObject({ requests: 0, skipped: 3 });
  });

  it('does not ask again about a missing day checked after the lag, but does for a recent one', async () => {
    const today = todayIn('America/New_York');
    const recent = addDays(today, -1);
    await extractArchive(lake.ctx, { from: '2023-01-10', to: '2023-01-10', snapshot });
    await extractArchive(lake.ctx, { from: recent, to: recent, snapshot });
    server.requests.length = 0;
    const again = await extractArchive(lake.ctx, { from: '2023-01-10', to: '2023-01-10', snapshot });
    expect(again).toMatchObject({ requests: 0, skipped: 1 });
    server.putCsv(archiveObjectPath(NEW_YORK, recent), dayRows(recent));
    const later = await extractArchive(lake.ctx, { from: recent, to: recent, snapshot });
    expect(later).toMatchObject({ gets: 1, landed: 1, missing: 0 });
    const forced = await extractArchive(lake.ctx, {
      from: '2023-01-10',
      to: '2023-01-10',
      snapshot,
      recheckAbsent: true,
    });
    expect(forced).toMatchObject({ gets: 1, missing: 1 });
  });

  it('lands an object that is not a valid archive CSV, records it invalid, and fails the run', async () => {
    const served = server.put(
      archiveObjectPath(NEW_YORK, '2023-02-01'),
      gzipSync(Buffer.from('<html>oops</html>')),
    );
    const err = await extractArchive(lake.ctx, { from: '2023-02-01', to: '2023-02-01', snapshot }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PipelineError);
    const [o] = findRawObjects(lake.meta, { endpoint: RAW_ARCHIVE_ENDPOINT });
    expect(o).toMatchObject({ valid: false, sha256: served });
    expect(o!.validationError).toContain('unexpected header');
  });

  it('refuses to run without a time zone for any location, and skips the ones without a snapshot', async () => {
    await expect(
      extractArchive(lake.ctx, { locations: [999], from: '2023-02-01', to: '2023-02-01', snapshot }),
    ).rejects.toThrow(/no location snapshot .* 999/);
    expect(server.requests).toHaveLength(0);
    // One unknown among known ones (gone upstream) is skipped, the others are extracted.
    const mixed = await extractArchive(lake.ctx, {
      locations: [999, NEW_YORK],
      from: '2023-02-01',
      to: '2023-02-01',
      snapshot,
    });
    expect(mixed).toMatchObject({ locations: 1, days: 1, requests: 1, missing: 1 });
    expect(server.requests.map((r) => r.path)).toEqual([archiveObjectPath(NEW_YORK, '2023-02-01')]);
  });
});
