// An OpenAQ-compatible server built from OpenAQ's own test fixtures and its mock-database rule, not from our simulator:
// locations are the recorded /v3/locations bodies; a measurement's value is day + hour/100 of its local period start
// (openaq-db mock.sql). It gzips like the real API, throws in 429s, and records the sha256 of every body it serves.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { DateTime } from 'luxon';

interface FixtureLocation {
  id: number;
  timezone: string;
  sensors: {
    id: number;
    parameter: { id: number; name: string; units: string; displayName: string | null };
  }[];
  datetimeFirst: { utc: string };
  datetimeLast: { utc: string };
}

export interface ForeignServer {
  url: string;
  servedSha256: string[];
  requests: { path: string; status: number }[];
  locations: FixtureLocation[];
  /** Measurements the server holds for a sensor with period end in (fromUtc, toUtc]. */
  rowsIn(sensorId: number, fromUtc: Date, toUtc: Date): number;
  close(): Promise<void>;
}

const FIXTURE = new URL('../fixtures/openaq/api-v3/openaq-r-vcr/list_locations.json', import.meta.url);

export async function startForeignOpenAQ(
  options: { tooManyRequestsEvery?: number; corruptSensor?: number } = {},
): Promise<ForeignServer> {
  const locations = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { body: { results: FixtureLocation[] } })
    .body.results;
  const sensorHome = new Map(locations.flatMap((l) => l.sensors.map((s) => [s.id, l] as const)));
  const intervalMinutes = (locationId: number) => (locationId === 7 ? 60 : 30);

  function periodEnds(sensorId: number, fromUtc: Date, toUtc: Date): DateTime[] {
    const location = sensorHome.get(sensorId);
    if (!location) return [];
    const step = intervalMinutes(location.id);
    const first = DateTime.fromISO(location.datetimeFirst.utc, { zone: 'utc' });
    const last = DateTime.fromISO(location.datetimeLast.utc, { zone: 'utc' });
    const ends: DateTime[] = [];
    for (let t = first; t <= last; t = t.plus({ minutes: step })) {
      if (t.toMillis() > fromUtc.getTime() && t.toMillis() <= toUtc.getTime()) ends.push(t);
    }
    return ends;
  }

  function record(sensorId: number, end: DateTime) {
    const location = sensorHome.get(sensorId)!;
    const sensor = location.sensors.find((s) => s.id === sensorId)!;
    const step = intervalMinutes(location.id);
    const start = end.minus({ minutes: step });
    const localStart = start.setZone(location.timezone);
    const stamp = (t: DateTime) => ({
      utc: t.toUTC().toISO({ suppressMilliseconds: true })!.replace('+00:00', 'Z'),
      local: t.setZone(location.timezone).toISO({ suppressMilliseconds: true })!,
    });
    const interval = step === 60 ? '01:00:00' : '00:30:00';
    return {
      value: localStart.day + localStart.hour / 100,
      flagInfo: { hasFlags: false },
      parameter: sensor.parameter,
      period: { label: 'raw', interval, datetimeFrom: stamp(start), datetimeTo: stamp(end) },
      coordinates: null,
      summary: null,
      coverage: {
        expectedCount: 1,
        expectedInterval: interval,
        observedCount: 1,
        observedInterval: interval,
        percentComplete: 100.0,
        percentCoverage: 100.0,
        datetimeFrom: stamp(start),
        datetimeTo: stamp(end),
      },
    };
  }

  const servedSha256: string[] = [];
  const requests: { path: string; status: number }[] = [];
  let count = 0;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    count++;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = Buffer.from(JSON.stringify(body));
      requests.push({ path: url.pathname, status });
      if (status === 200) servedSha256.push(createHash('sha256').update(text).digest('hex'));
      const gzip = text.length > 1000 && /gzip/.test(String(req.headers['accept-encoding'] ?? ''));
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        ...headers,
      });
      res.end(gzip ? gzipSync(text) : text);
    };
    const every = options.tooManyRequestsEvery;
    if (every && count % every === 0) {
      send(
        429,
        { detail: 'Too many requests' },
        {
          'x-ratelimit-limit': '60',
          'x-ratelimit-used': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '1',
        },
      );
      return;
    }
    const meta = (page: number, limit: number, n: number) => ({
      name: 'openaq-api',
      website: '/',
      page,
      limit,
      found: n === limit ? `>${limit}` : n,
    });
    let m = /^\/v3\/locations\/(\d+)$/.exec(url.pathname);
    if (m) {
      const location = locations.find((l) => l.id === Number(m![1]));
      if (!location) return send(404, { detail: 'Location not found' });
      return send(200, {
        meta: { name: 'openaq-api', website: '/', page: 1, limit: 100, found: 1 },
        results: [location],
      });
    }
    m = /^\/v3\/sensors\/(\d+)\/measurements$/.exec(url.pathname);
    if (m) {
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      if (limit > 1000 || page < 1)
        return send(422, {
          detail: [
            {
              type: 'less_than_equal',
              loc: ['query', 'limit'],
              msg: 'Input should be less than or equal to 1000',
            },
          ],
        });
      const from = new Date(url.searchParams.get('datetime_from') ?? '1970-01-01T00:00:00Z');
      const to = new Date(url.searchParams.get('datetime_to') ?? '2100-01-01T00:00:00Z');
      const sensorId = Number(m[1]);
      const rows: unknown[] = periodEnds(sensorId, from, to)
        .slice((page - 1) * limit, page * limit)
        .map((end) => record(sensorId, end));
      if (sensorId === options.corruptSensor && rows.length > 0)
        rows[0] = { ...(rows[0] as object), value: 'n/a' };
      return send(200, { meta: meta(page, limit, rows.length), results: rows });
    }
    send(404, { detail: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v3`,
    servedSha256,
    requests,
    locations,
    rowsIn: (sensorId, fromUtc, toUtc) => periodEnds(sensorId, fromUtc, toUtc).length,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
