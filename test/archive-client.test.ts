// The archive client against a real S3-like server on 127.0.0.1: exact bytes, missing days, retries, HEAD.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAQError } from '../src/errors.js';
import { ArchiveClient, ArchiveUnreachableError, archiveObjectPath } from '../src/openaq/archive.js';
import { type ArchiveTestServer, startArchiveServer } from './helpers/archive-server.js';

let server: ArchiveTestServer;
const sleeps: number[] = [];

function client(maxRetries = 3): ArchiveClient {
  return new ArchiveClient({
    baseUrl: server.url,
    timeoutMs: 5000,
    maxRetries,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

const ROW = {
  locationId: 2178,
  sensorsId: 3919,
  location: 'Del Norte-2178',
  datetime: '2026-02-10T01:00:00-07:00',
  lat: '35.1353',
  lon: '-106.584702',
  parameter: 'pm10',
  units: 'µg/m³',
  value: '21.0',
};

beforeAll(async () => {
  server = await startArchiveServer();
});
afterAll(() => server?.close());
beforeEach(() => {
  server.requests.length = 0;
  server.objects.clear();
  server.missingStatus = 404;
  sleeps.length = 0;
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('ArchiveClient', () => {
  it('asks for the exporter key layout, zero-padded, and returns the gzip bytes exactly as stored', async () => {
    const key = 'records/csv.gz/locationid=2178/year=2026/month=02/location-2178-20260210.csv.gz';
    expect(archiveObjectPath(2178, '2026-02-10')).toBe(key);
    const served = server.putCsv(key, [ROW]);
    const res = await client().get(2178, '2026-02-10');
    expect(res.found).toBe(true);
    expect(sha(res.body)).toBe(served);
    expect(res.etag).toBe(server.objects.get(key)!.etag);
    expect(res.lastModified).toBe(server.objects.get(key)!.lastModified);
    expect(gunzipSync(res.body).toString('utf8')).toContain('"Del Norte-2178","2026-02-10T01:00:00-07:00"');
  });

  it('does not decode an object served with content-encoding: gzip (its bytes are the .csv.gz)', async () => {
    const key = archiveObjectPath(2178, '2026-02-11');
    const bytes = gzipSync(Buffer.from('"location_id"\r\n'));
    const served = server.put(key, bytes, { contentEncodingGzip: true });
    const res = await client().get(2178, '2026-02-11');
    expect(sha(res.body)).toBe(served);
    expect([res.body[0], res.body[1]]).toEqual([0x1f, 0x8b]);
  });

  it('treats 404 and 403 as a day without data, without retrying', async () => {
    const a = await client().get(2178, '2026-02-12');
    server.missingStatus = 403;
    const b = await client().head(2178, '2026-02-12');
    expect([a.found, a.status, b.found, b.status]).toEqual([false, 404, false, 403]);
    expect(a.body.byteLength).toBe(0);
    expect(server.requests).toHaveLength(2);
  });

  it('HEAD returns ETag, Last-Modified and size without the body', async () => {
    const key = archiveObjectPath(42, '2024-01-31');
    server.putCsv(key, [ROW]);
    const c = client();
    const res = await c.head(42, '2024-01-31');
    expect(res.found).toBe(true);
    expect(res.body.byteLength).toBe(0);
    expect(res.size).toBe(server.objects.get(key)!.bytes.length);
    expect(res.etag).toBe(server.objects.get(key)!.etag);
    expect(c.stats).toMatchObject({ requests: 1, heads: 1, gets: 0, bytes: 0 });
  });

  it('retries 5xx, dropped connections and cut-off bodies with backoff, then lands the whole object', async () => {
    const key = archiveObjectPath(7, '2023-03-12');
    const served = server.putCsv(
      key,
      Array.from({ length: 500 }, () => ROW),
    );
    server.failNext(key, 'status-503', 'drop-connection', 'truncate-body', 'status-500');
    const c = client(5);
    const res = await c.get(7, '2023-03-12');
    expect(sha(res.body)).toBe(served);
    expect(c.stats).toMatchObject({ requests: 5, retries: 4, gets: 1 });
    expect(sleeps).toHaveLength(4);
  });

  it('gives up after maxRetries with an OpenAQError that names the URL', async () => {
    const key = archiveObjectPath(7, '2023-03-13');
    server.putCsv(key, [ROW]);
    server.failNext(key, 'status-500', 'status-500', 'status-500');
    const err = await client(2)
      .get(7, '2023-03-13')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAQError);
    expect((err as OpenAQError).status).toBe(500);
    expect((err as OpenAQError).message).toContain(key);
    expect((err as OpenAQError).message).toContain('gave up after 2 retries');
  });

  it('answers at once after giving up: the other days of the range go to the fallback without their own retries', async () => {
    const key = archiveObjectPath(7, '2023-03-15');
    server.putCsv(key, [ROW]);
    server.failNext(key, 'status-500', 'status-500');
    const c = client(1);
    const first = await c.get(7, '2023-03-15').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ArchiveUnreachableError);
    const asked = server.requests.length;
    await expect(c.head(7, '2023-03-16')).rejects.toBe(first);
    expect(server.requests).toHaveLength(asked);
    // Another client (another command, another DAG) asks again.
    expect((await client(1).get(7, '2023-03-15')).found).toBe(true);
  });

  it('stops at once when the caller aborts', async () => {
    const key = archiveObjectPath(7, '2023-03-14');
    server.putCsv(key, [ROW]);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(client().get(7, '2023-03-14', controller.signal)).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(0);
  });
});
