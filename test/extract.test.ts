// aqlake extract against an OpenAQ-compatible server whose data we did not write: byte-exact raw, paging, 429s, request count.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRawObjects } from '../src/lake/manifest.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { localDayWindowUtc } from '../src/time/local-day.js';
import { runCli } from './helpers/cli.js';
import { type ForeignServer, startForeignOpenAQ } from './helpers/foreign-openaq.js';
import { tempDir } from './helpers/temp-dir.js';

describe('aqlake extract against a foreign OpenAQ-compatible server', () => {
  let server: ForeignServer;
  let home: string;
  let run: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    server = await startForeignOpenAQ({ tooManyRequestsEvery: 4 });
    home = tempDir('aqlake-extract-');
    // New York crosses the spring DST change on 2023-03-12; Kolkata is +05:30; both log every 30 minutes.
    run = await runCli(
      ['extract', '--from', '2023-03-02', '--to', '2023-03-30', '--locations', '3,6', '--json'],
      {
        env: { AQLAKE_HOME: home, OPENAQ_API_URL: server.url, OPENAQ_API_KEY: 'test-key-not-logged' },
      },
    );
  });
  afterAll(() => server?.close());

  it('exits 0 and reports what it fetched', () => {
    expect(run.stderr).not.toContain('test-key-not-logged');
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { locations: number; sensors: number; rows: number };
    expect(summary).toMatchObject({ locations: 2, sensors: 2 });
    expect(summary.rows).toBe(
      expectedRows(server, 3, 'America/New_York') + expectedRows(server, 6, 'Asia/Kolkata'),
    );
  });

  it('stores every body the server served byte for byte, with a manifest row each', () => {
    const meta = openMetaDb(home);
    const objects = findRawObjects(meta);
    meta.close();
    expect(objects).toHaveLength(server.servedSha256.length);
    const stored = objects.map((o) =>
      createHash('sha256')
        .update(readFileSync(join(home, o.rawKey)))
        .digest('hex'),
    );
    expect(stored.sort()).toEqual([...server.servedSha256].sort());
    expect(objects.map((o) => o.sha256).sort()).toEqual([...server.servedSha256].sort());
    for (const o of objects) {
      expect(o.rawKey).toMatch(
        /^raw\/openaq\/(locations|sensors_measurements)\/year=\d{4}\/month=\d{2}\/day=\d{2}\/.+\.json$/,
      );
      expect(o.requestUrl).not.toContain('test-key-not-logged');
    }
  });

  it('waits out 429s without losing a page, and fetches pages past 1,000 rows', () => {
    expect(server.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    const meta = openMetaDb(home);
    const measurementObjects = findRawObjects(meta, { endpoint: 'sensors_measurements' });
    meta.close();
    for (const sensorId of [3, 6]) {
      const pages = measurementObjects.filter((o) => o.sensorId === sensorId);
      expect(pages.map((p) => p.page)).toEqual(pages.map((_, i) => i + 1));
      expect(pages.reduce((n, p) => n + (p.resultCount ?? 0), 0)).toBe(
        expectedRows(server, sensorId, sensorId === 3 ? 'America/New_York' : 'Asia/Kolkata'),
      );
    }
    expect(measurementObjects.some((o) => o.page === 2)).toBe(true);
  });

  it('uses the fewest requests the data allows: one per location, ceil(rows/1000) per sensor (+1 on an exact multiple)', () => {
    const ok = server.requests.filter((r) => r.status === 200).length;
    const minimum =
      2 +
      [
        [3, 'America/New_York'],
        [6, 'Asia/Kolkata'],
      ].reduce(
        (n, [id, tz]) => n + Math.floor(expectedRows(server, id as number, tz as string) / 1000) + 1,
        0,
      );
    expect(ok).toBe(minimum);
  });
});

function expectedRows(server: ForeignServer, sensorId: number, timezone: string): number {
  return server.rowsIn(
    sensorId,
    localDayWindowUtc('2023-03-02', timezone).fromUtc,
    localDayWindowUtc('2023-03-30', timezone).toUtc,
  );
}

describe('aqlake extract when a response fails validation', () => {
  it('keeps the response in raw/, records it as invalid, and fails naming the object and the problem', async () => {
    const server = await startForeignOpenAQ({ corruptSensor: 6 });
    const home = tempDir('aqlake-extract-bad-');
    try {
      const run = await runCli(
        ['extract', '--from', '2023-03-10', '--to', '2023-03-11', '--locations', '3,6'],
        {
          env: { AQLAKE_HOME: home, OPENAQ_API_URL: server.url },
        },
      );
      expect(run.code).not.toBe(0);
      const message = run.stderr.trim().split('\n').at(-1)!;
      expect(message).toMatch(/^aqlake: extract_measurements: 1 response\(s\) failed validation/);
      expect(message).toMatch(/sensor-6_.*results\[0\]\.value/);
      const meta = openMetaDb(home);
      const bad = findRawObjects(meta, { sensorId: 6 });
      const good = findRawObjects(meta, { sensorId: 3 });
      meta.close();
      expect(bad).toHaveLength(1);
      expect(bad[0]!.valid).toBe(false);
      expect(readFileSync(join(home, bad[0]!.rawKey), 'utf8')).toContain('"value":"n/a"');
      expect(good.every((o) => o.valid)).toBe(true);
      expect(findRawObjectsCount(home)).toBe(server.servedSha256.length);
    } finally {
      await server.close();
    }
  });
});

function findRawObjectsCount(home: string): number {
  const meta = openMetaDb(home);
  const n = findRawObjects(meta).length;
  meta.close();
  return n;
}
