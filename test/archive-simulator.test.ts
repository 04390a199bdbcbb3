// The simulator's archive over 127.0.0.1: exporter byte format, the API's values for the same location-day, 404 for
// days without an object, and a new ETag when late data re-exports a day — picked up by extract_archive alone.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveClient } from '../src/openaq/archive.js';
import { parseArchiveCsv } from '../src/openaq/archive-csv.js';
import { locationSchema, OpenAQClient, parseEnvelope } from '../src/openaq/index.js';
import { extractArchive } from '../src/pipeline/extract-archive.js';
import { startSimulator } from '../src/simulator/index.js';
import { localDayWindowUtc } from '../src/time/local-day.js';
import { openArchiveLake } from './helpers/archive-lake.js';

const START = Date.parse('2024-07-15T12:00:00Z');
let clock = START;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let archive: ArchiveClient;
let api: OpenAQClient;
const archiveUrl = () => sim.url.replace(/\/v3$/, '/archive');

beforeAll(async () => {
  sim = await startSimulator({
    seed: 7,
    now: () => new Date(clock),
    historyDays: 60,
    lateData: { delayMs: 6 * 3_600_000, share: 0.3 },
  });
  archive = new ArchiveClient({ baseUrl: archiveUrl(), timeoutMs: 10_000, maxRetries: 0 });
  api = new OpenAQClient({
    baseUrl: sim.url,
    rateLimit: { perMinute: 10_000, perHour: 100_000 },
    timeoutMs: 10_000,
    maxRetries: 0,
  });
});
afterAll(() => sim?.close());

async function apiValues(locationId: number, localDate: string): Promise<string[]> {
  const location = sim.dataset.locations.find((l) => l.id === locationId)!;
  const { fromUtc, toUtc } = localDayWindowUtc(localDate, location.timezone);
  const out: string[] = [];
  for (const sensor of location.sensors) {
    const res = await api.get(`/sensors/${sensor.id}/measurements`, {
      datetime_from: fromUtc.toISOString(),
      datetime_to: toUtc.toISOString(),
      limit: 1000,
    });
    const body = JSON.parse(new TextDecoder().decode(res.body)) as {
      results: { value: number; period: { datetimeTo: { utc: string } } }[];
    };
    for (const m of body.results)
      out.push(`${sensor.id} ${new Date(m.period.datetimeTo.utc).toISOString()} ${m.value}`);
  }
  return out.sort();
}

describe('simulator archive', () => {
  it('serves a location-day in the exporter format with the values the API serves', async () => {
    const res = await archive.get(1001, '2024-07-01');
    expect(res.found).toBe(true);
    expect([res.body[0], res.body[1]]).toEqual([0x1f, 0x8b]);
    const text = gunzipSync(res.body).toString('utf8');
    expect(
      text.startsWith(
        '"location_id","sensors_id","location","datetime","lat","lon","parameter","units","value"\r\n',
      ),
    ).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')[1]).toMatch(
      /^1001,1001\d,"[^"]+-1001","2024-07-0[12]T\d\d:00:00-04:00","40\.6965","-73\.9173","\w+","[^"]+","-?\d+(\.\d+)?(e-\d+)?"$/,
    );
    const rows = parseArchiveCsv(text);
    const fromArchive = rows
      .map((r) => `${r.sensorsId} ${new Date(r.datetime).toISOString()} ${r.value}`)
      .sort();
    expect(fromArchive).toEqual(await apiValues(1001, '2024-07-01'));
    // The row stamped D+1 00:00 local belongs to file D.
    expect(rows.some((r) => r.datetime === '2024-07-02T00:00:00-04:00')).toBe(true);
    expect(rows.some((r) => r.datetime === '2024-07-01T00:00:00-04:00')).toBe(false);
  });

  it('answers 404 for days without an object: before history, not over yet, unknown location', async () => {
    expect((await archive.head(1001, '2023-01-01')).status).toBe(404);
    expect((await archive.head(1001, '2024-07-15')).status).toBe(404);
    expect((await archive.get(999, '2024-07-01')).status).toBe(404);
  });

  it('re-exports a day with late data under a new ETag; extract_archive fetches only that day again', async () => {
    const lake = openArchiveLake(archiveUrl());
    const locationsBody = (await api.get('/locations/1001')).body;
    const parsed = parseEnvelope(locationsBody, locationSchema);
    if (!parsed.ok) throw new Error(parsed.error);
    const snapshot = parsed.results;
    try {
      const first = await extractArchive(lake.ctx, {
        locations: [1001],
        from: '2024-07-10',
        to: '2024-07-14',
        snapshot,
      });
      expect(first).toMatchObject({ gets: 5, landed: 5, missing: 0 });
      const before = await archive.head(1001, '2024-07-14');

      clock = START + 12 * 3_600_000; // the late data has arrived
      const after = await archive.head(1001, '2024-07-14');
      expect(after.etag).not.toBe(before.etag);
      expect(Date.parse(after.lastModified!)).toBeGreaterThan(Date.parse(before.lastModified!));

      const second = await extractArchive(lake.ctx, {
        locations: [1001],
        from: '2024-07-10',
        to: '2024-07-14',
        snapshot,
      });
      // Only days within two days of the server start carry late data; older days keep their ETag.
      expect(second.heads).toBe(5);
      expect(second.reexported).toBeGreaterThanOrEqual(1);
      expect(second.unchanged).toBeGreaterThanOrEqual(2);
      expect(second.gets).toBe(second.reexported);
      expect(second.gets).toBeLessThan(5);
    } finally {
      lake.close();
    }
  });
});
