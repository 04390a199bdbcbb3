// The OpenAQ client against a real HTTP server on 127.0.0.1: retries, rate limits, errors, timeouts, aborts, exact bytes.
import { createHash } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAQError } from '../src/errors.js';
import { createLogger } from '../src/logging.js';
import { OpenAQClient, type OpenAQClientOptions } from '../src/openaq/index.js';
import { closedPort } from './helpers/closed-port.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const KEY = 'test-key-9f8e7d6c5b4a';
const MINUTE = 60_000;

let server: Server;
let base: string;
/** Responses to give, in order; when empty the server answers 200 with a small page. */
let script: Handler[] = [];
let seen: { url: string; headers: IncomingHttpHeaders; at: number }[] = [];
/** Virtual time: moves only when the client sleeps, so nothing here depends on the wall clock. */
let clock = 0;
let sleeps: number[] = [];

const PAGE = Buffer.from(
  JSON.stringify({
    meta: { name: 'openaq-api', page: 1, limit: 100, found: 1 },
    results: [{ units: 'µg/m³' }],
  }),
);

function reply(status: number, body: string | Buffer, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
    res.end(bytes);
  };
}

const hang: Handler = () => {};

async function fakeSleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  sleeps.push(ms);
  const target = clock + ms;
  await Promise.resolve();
  clock = Math.max(clock, target);
}

function client(options: Partial<OpenAQClientOptions> = {}): OpenAQClient {
  return new OpenAQClient({
    baseUrl: `${base}/v3`,
    apiKey: KEY,
    rateLimit: { perMinute: 60, perHour: 2000 },
    timeoutMs: 10_000,
    maxRetries: 3,
    sleep: fakeSleep,
    now: () => clock,
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<OpenAQError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenAQError);
  return err as OpenAQError;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers, at: clock });
    (script.shift() ?? reply(200, PAGE))(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script = [];
  seen = [];
  clock = 1_700_000_000_000;
  sleeps = [];
});

describe('OpenAQClient over real HTTP', () => {
  it('sends the key as X-API-Key and returns the body bytes exactly as served', async () => {
    script = [reply(200, PAGE, { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' })];
    const c = client();
    const res = await c.get('/sensors/3/measurements', {
      datetime_from: '2023-03-07T05:00:00Z',
      limit: 1000,
      page: undefined,
    });
    expect(sha256(res.body)).toBe(sha256(PAGE));
    expect(res).toMatchObject({
      url: `${base}/v3/sensors/3/measurements?datetime_from=2023-03-07T05%3A00%3A00Z&limit=1000`,
      path: '/sensors/3/measurements',
      params: { datetime_from: '2023-03-07T05:00:00Z', limit: '1000' },
      status: 200,
      headers: { 'x-ratelimit-remaining': '59', 'content-type': 'application/json' },
    });
    expect(res.fetchedAt.getTime()).toBe(clock);
    expect(seen[0]!.headers['x-api-key']).toBe(KEY);
    expect(res.url).not.toContain(KEY);
    expect(c.stats).toEqual({ requests: 1, retries: 0, waitedMs: 0 });
  });

  it('returns the decoded bytes of a gzipped answer, and sends no key when none is set', async () => {
    script = [reply(200, gzipSync(PAGE), { 'content-encoding': 'gzip' })];
    const res = await client({ apiKey: undefined }).get('/locations/1');
    expect(sha256(res.body)).toBe(sha256(PAGE));
    expect(seen[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('waits out a 429 for x-ratelimit-reset seconds, then gets the page: nothing lost', async () => {
    const limited = { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '30' };
    script = [reply(429, '{"detail":"Too many requests"}', limited), reply(200, PAGE)];
    const c = client();
    const res = await c.get('/sensors/3/measurements', { limit: 1000, page: 2 });
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(sha256(PAGE));
    expect(sleeps).toEqual([30_000]);
    expect(seen.map((s) => s.url)).toEqual([
      '/v3/sensors/3/measurements?limit=1000&page=2',
      '/v3/sensors/3/measurements?limit=1000&page=2',
    ]);
    expect(seen[1]!.at - seen[0]!.at).toBe(30_000);
    expect(c.stats).toEqual({ requests: 2, retries: 1, waitedMs: 30_000 });
  });

  it('does not spend the retry budget on 429s that say how long to wait', async () => {
    const limited = reply(429, '{"detail":"Too many requests"}', {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '20',
    });
    script = [limited, limited, limited, reply(200, PAGE)];
    const c = client({ maxRetries: 1 });
    const res = await c.get('/sensors/3/measurements');
    expect(res.status).toBe(200);
    expect(sleeps).toEqual([20_000, 20_000, 20_000]);
    expect(c.stats.requests).toBe(4);
  });

  it('holds the next request when a 200 says nothing remains', async () => {
    script = [reply(200, PAGE, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '12' })];
    const c = client();
    await c.get('/locations', { page: 1 });
    await c.get('/locations', { page: 2 });
    expect(seen[1]!.at - seen[0]!.at).toBe(12_000);
    expect(c.stats.retries).toBe(0);
  });

  it('backs off with jitter on a 429 without hints', async () => {
    script = [reply(429, '{"detail":"Too many requests"}'), reply(200, PAGE)];
    const res = await client().get('/locations');
    expect(res.status).toBe(200);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(sleeps[0]).toBeLessThan(1000);
  });

  it('retries a 500 and a 408, then succeeds', async () => {
    script = [
      reply(500, '{"detail":"could not serialize access"}'),
      reply(
        408,
        '{"detail":"Connection timed out: Try to provide more specific query parameters or a smaller time frame."}',
      ),
      reply(200, PAGE),
    ];
    const c = client();
    const res = await c.get('/sensors/3/hours');
    expect(res.status).toBe(200);
    expect(c.stats).toMatchObject({ requests: 3, retries: 2 });
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeLessThan(2000);
  });

  it('gives up after maxRetries with the last answer in one line', async () => {
    script = [0, 1, 2].map(() => reply(503, '{"detail":"Service Unavailable"}'));
    const c = client({ maxRetries: 2 });
    const err = await failure(c.get('/locations/7'));
    expect(err.status).toBe(503);
    expect(err.message).toBe('OpenAQ 503 for /v3/locations/7: Service Unavailable (gave up after 2 retries)');
    expect(c.stats.requests).toBe(3);
  });

  it.each([
    [
      401,
      '{"message": "Unauthorized. A valid API key must be provided in the X-API-Key header."}',
      '/locations/1',
      {},
      'OpenAQ 401 for /v3/locations/1: Unauthorized. A valid API key must be provided in the X-API-Key header. (check OPENAQ_API_KEY)',
    ],
    [
      401,
      '{"detail":"Invalid credentials"}',
      '/locations/1',
      {},
      'OpenAQ 401 for /v3/locations/1: Invalid credentials (check OPENAQ_API_KEY)',
    ],
    [
      404,
      '{"detail":"Location not found"}',
      '/locations/99999999',
      {},
      'OpenAQ 404 for /v3/locations/99999999: Location not found',
    ],
    [
      422,
      JSON.stringify({
        detail: [
          {
            type: 'less_than_equal',
            loc: ['query', 'limit'],
            msg: 'Input should be less than or equal to 1000',
            input: '2000',
          },
        ],
      }),
      '/locations',
      { limit: 2000 },
      'OpenAQ 422 for /v3/locations?limit=2000: query.limit: Input should be less than or equal to 1000',
    ],
    [
      410,
      '{"message": "Gone. Version 1 and Version 2 API endpoints are retired and no longer available. Please migrate to Version 3 endpoints."}',
      '/v2/locations',
      {},
      'OpenAQ 410 for /v3/v2/locations: Gone. Version 1 and Version 2 API endpoints are retired and no longer available. Please migrate to Version 3 endpoints.',
    ],
  ])('does not retry %i and says why in one line', async (status, body, path, params, message) => {
    script = [reply(status, body), reply(200, PAGE)];
    const c = client();
    const err = await failure(c.get(path, params));
    expect(err.message).toBe(message);
    expect(err.status).toBe(status);
    expect(err.body).toBe(body);
    expect(c.stats).toEqual({ requests: 1, retries: 0, waitedMs: 0 });
  });

  it('keeps concurrent callers under the per-minute limit (virtual clock)', async () => {
    // Send times are taken where the client hands the request to fetch: arrival at the server lags behind virtual time.
    const sentAt: number[] = [];
    const c = client({
      rateLimit: { perMinute: 2, perHour: 100 },
      fetch: (input, init) => {
        sentAt.push(clock);
        return fetch(input, init);
      },
    });
    const pages = await Promise.all([1, 2, 3, 4, 5].map((page) => c.get('/locations', { page })));
    expect(pages.every((p) => p.status === 200)).toBe(true);
    expect(sentAt.map((t) => t - sentAt[0]!)).toEqual([0, 0, MINUTE, MINUTE, 2 * MINUTE]);
    expect(seen).toHaveLength(5);
    expect(c.stats.requests).toBe(5);
    expect(c.stats.waitedMs).toBeGreaterThanOrEqual(2 * MINUTE);
  });

  it('retries an attempt that times out', async () => {
    script = [hang, reply(200, PAGE)];
    const c = client({ timeoutMs: 200 });
    const res = await c.get('/sensors/3/days');
    expect(sha256(res.body)).toBe(sha256(PAGE));
    expect(c.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it('retries a body cut short of its content-length', async () => {
    const truncated: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': PAGE.length });
      res.write(PAGE.subarray(0, 20), () => res.destroy());
    };
    script = [truncated, reply(200, PAGE)];
    const c = client();
    const res = await c.get('/sensors/3/measurements');
    expect(sha256(res.body)).toBe(sha256(PAGE));
    expect(c.stats).toMatchObject({ requests: 2, retries: 1 });
  });

  it('retries network errors, then fails with a clear line', async () => {
    const port = await closedPort();
    const c = client({ baseUrl: `http://127.0.0.1:${port}/v3`, maxRetries: 1 });
    const err = await failure(c.get('/locations/1'));
    expect(err.status).toBeNull();
    // Connection refused: the host is unreachable, so the whole command stops with the host and OPENAQ_API_URL.
    expect(err.message).toMatch(
      new RegExp(
        `^cannot reach the OpenAQ API at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\) \\(gave up after 1 retry\\): check the network, or OPENAQ_API_URL \\(now http://127\\.0\\.0\\.1:${port}/v3\\)$`,
      ),
    );
    expect(err.stopsCommand).toBe(true);
    expect(c.stats.requests).toBe(2);
  });

  it("cancels an in-flight request at once on the caller's signal, without retrying", async () => {
    script = [hang];
    const c = client();
    const controller = new AbortController();
    const pending = c.get('/sensors/3/measurements', {}, controller.signal);
    while (seen.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('run cancelled'));
    await expect(pending).rejects.toThrow('run cancelled');
    expect(c.stats).toEqual({ requests: 1, retries: 0, waitedMs: 0 });
  });

  it("cancels a rate-limit wait on the caller's signal, and sends nothing for an aborted signal", async () => {
    const waiting: number[] = [];
    const blockingSleep = (ms: number, signal?: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        waiting.push(ms);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const c = client({ rateLimit: { perMinute: 1, perHour: 10 }, sleep: blockingSleep });
    await c.get('/locations', { page: 1 });
    const controller = new AbortController();
    const pending = c.get('/locations', { page: 2 }, controller.signal);
    while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
    expect(waiting).toEqual([MINUTE]);

    await expect(c.get('/locations', { page: 3 }, AbortSignal.abort(new Error('already')))).rejects.toThrow(
      'already',
    );
    expect(seen).toHaveLength(1);
  });

  it('never writes the key into logs or errors', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (line: string) => lines.push(line) },
    });
    script = [
      reply(500, '{"detail":"boom"}'),
      reply(429, '{"detail":"Too many requests"}', { 'x-ratelimit-reset': '5' }),
    ];
    script.push(reply(401, '{"detail":"Invalid credentials"}'));
    const c = client({ logger });
    const err = await failure(c.get('/locations/1', { iso: 'US' }));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const everything = [...lines, err.message, err.url, err.body ?? '', JSON.stringify(err)].join('\n');
    expect(everything).not.toContain(KEY);
    expect(everything).toContain('OpenAQ request failed; retrying');
  });
});
