// An S3-like HTTP server for archive tests: serves .csv.gz objects a test puts in (written here, not by our simulator),
// answers HEAD with ETag/Last-Modified, 404 (or 403) for absent keys, and can be told to fail a request first.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface ArchiveTestRow {
  locationId: number;
  sensorsId: number;
  location: string;
  /** Local period end with offset. */
  datetime: string;
  /** Written verbatim inside quotes, as the exporter writes these non-numeric columns. */
  lat: string;
  lon: string;
  parameter: string;
  units: string;
  value: string;
}

/** The exporter's byte format, written out by hand: quoted header and strings, unquoted ints, quoted floats, CRLF. */
function archiveCsvText(rows: readonly ArchiveTestRow[]): string {
  const head = '"location_id","sensors_id","location","datetime","lat","lon","parameter","units","value"';
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const body = rows.map(
    (r) =>
      `${r.locationId},${r.sensorsId},${q(r.location)},${q(r.datetime)},${q(r.lat)},${q(r.lon)},${q(r.parameter)},${q(r.units)},${q(r.value)}`,
  );
  return [head, ...body].map((l) => `${l}\r\n`).join('');
}

interface StoredObject {
  bytes: Buffer;
  etag: string;
  lastModified: string;
  /** Send `content-encoding: gzip` as S3 does for an object uploaded with that metadata. */
  contentEncodingGzip: boolean;
}

type Misbehaviour = 'status-500' | 'status-503' | 'drop-connection' | 'truncate-body';

export interface ArchiveTestServer {
  /** The bucket root, for OPENAQ_ARCHIVE_URL. */
  url: string;
  /** Every request, in order. */
  requests: { method: string; path: string; status: number }[];
  /** Puts (or re-exports) an object; returns its sha256. The ETag is the MD5 of the bytes, as S3's single-part ETag. */
  put(key: string, bytes: Buffer, options?: { lastModified?: Date; contentEncodingGzip?: boolean }): string;
  putCsv(key: string, rows: readonly ArchiveTestRow[], options?: { lastModified?: Date }): string;
  remove(key: string): void;
  /** The next requests for `key` misbehave, one entry per request. */
  failNext(key: string, ...how: Misbehaviour[]): void;
  /** Answer absent keys with 403 (a bucket without ListBucket) instead of 404. */
  missingStatus: 403 | 404;
  objects: Map<string, StoredObject>;
  close(): Promise<void>;
}

export async function startArchiveServer(): Promise<ArchiveTestServer> {
  const objects = new Map<string, StoredObject>();
  const failures = new Map<string, Misbehaviour[]>();
  const requests: ArchiveTestServer['requests'] = [];

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.replace(/^\//, ''));
    const method = req.method ?? 'GET';
    const record = (status: number) => requests.push({ method, path: key, status });
    const fail = failures.get(key)?.shift();
    if (fail === 'status-500' || fail === 'status-503') {
      const status = fail === 'status-500' ? 500 : 503;
      record(status);
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(method === 'HEAD' ? undefined : '<Error><Code>SlowDown</Code></Error>');
      return;
    }
    if (fail === 'drop-connection') {
      record(0);
      req.socket.destroy();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      record(405);
      res.writeHead(405).end();
      return;
    }
    const object = objects.get(key);
    if (!object) {
      const status = server.missingStatus;
      record(status);
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${status === 404 ? 'NoSuchKey' : 'AccessDenied'}</Code><Key>${key}</Key></Error>`;
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    record(200);
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-length': object.bytes.length,
      etag: object.etag,
      'last-modified': object.lastModified,
      ...(object.contentEncodingGzip ? { 'content-encoding': 'gzip' } : {}),
    });
    if (method === 'HEAD') {
      res.end();
    } else if (fail === 'truncate-body') {
      res.write(object.bytes.subarray(0, Math.floor(object.bytes.length / 2)));
      setTimeout(() => res.socket?.destroy(), 10);
    } else {
      res.end(object.bytes);
    }
  };

  const http: Server = createServer(handler);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  const server: ArchiveTestServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    missingStatus: 404,
    put(key, bytes, options = {}) {
      objects.set(key, {
        bytes,
        etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
        lastModified: (options.lastModified ?? new Date()).toUTCString(),
        contentEncodingGzip: options.contentEncodingGzip ?? false,
      });
      return createHash('sha256').update(bytes).digest('hex');
    },
    putCsv(key, rows, options) {
      return server.put(key, gzipSync(Buffer.from(archiveCsvText(rows), 'utf8')), options);
    },
    remove(key) {
      objects.delete(key);
    },
    failNext(key, ...how) {
      failures.set(key, [...(failures.get(key) ?? []), ...how]);
    },
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return server;
}
