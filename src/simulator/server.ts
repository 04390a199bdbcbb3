// The simulator's HTTP shell: WAF-style auth and retirement answers, per-key minute rate limit, injected faults,
// request statistics; the endpoints themselves live in routes.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveArchive } from './archive.js';
import type { SimSensor, SimulatedDataset } from './dataset.js';
import { uniform } from './hash.js';
import { ApiError, QueryReader } from './query.js';
import type { SensorLife } from './records.js';
import { type ApiContext, matchRoute, sensorLife } from './routes.js';
import type { MeasurementView } from './values.js';

export interface ServerOptions {
  port: number;
  host: string;
  seed: number;
  now: () => Date;
  requireApiKey?: string;
  rateLimitPerMinute?: number;
  faults: { errorRate: number; latencyMs: number; truncateRate: number };
  lateData?: { delayMs: number; share: number };
}

export interface SimulatorStats {
  requests: number;
  byRoute: Record<string, number>;
  statusCounts: Record<string, number>;
}

export interface HttpShell {
  url: string;
  close(): Promise<void>;
  stats(): SimulatorStats;
}

// Bodies as sent by AWS WAF (cdk/stacks/waf_rules.py) and the app (exceptions.py, dependencies.py).
const WAF_NO_KEY = { message: 'Unauthorized. A valid API key must be provided in the X-API-Key header.' };
const WAF_GONE = {
  message:
    'Gone. Version 1 and Version 2 API endpoints are retired and no longer available. Please migrate to Version 3 endpoints.',
};
const FAULT_CHANNEL = { error: 1, truncate: 2, cut: 3 } as const;

interface Reply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export async function startHttpShell(dataset: SimulatedDataset, options: ServerOptions): Promise<HttpShell> {
  const startedAt = options.now();
  const stats: SimulatorStats = { requests: 0, byRoute: {}, statusCounts: {} };
  const minuteUsage = new Map<string, { minute: number; used: number }>();
  const lifeCache = new Map<string, SensorLife | null>();
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;

  const view = (): MeasurementView & { now: Date } => ({
    now: options.now(),
    ...(options.lateData ? { late: { ...options.lateData, startedAt } } : {}),
  });

  const ctx: ApiContext = {
    dataset,
    view,
    lifeOf(sensor: SimSensor, v: MeasurementView & { now: Date }) {
      // lifetime stats change only when a new measurement becomes visible: key on the minute and the sensor
      const key = `${sensor.id}:${Math.floor(v.now.getTime() / 60_000)}`;
      if (!lifeCache.has(key)) {
        if (lifeCache.size > 256) lifeCache.clear();
        lifeCache.set(key, sensorLife(sensor, v));
      }
      return lifeCache.get(key) ?? null;
    },
  };

  function rateHeaders(apiKey: string): { headers: Record<string, string>; limited: boolean } {
    const limit = options.rateLimitPerMinute;
    if (limit === undefined) return { headers: {}, limited: false };
    const nowMs = options.now().getTime();
    const minute = Math.floor(nowMs / 60_000);
    let usage = minuteUsage.get(apiKey);
    if (!usage || usage.minute !== minute) {
      usage = { minute, used: 0 };
      minuteUsage.set(apiKey, usage);
    }
    usage.used += 1;
    const limited = usage.used > limit;
    const reset = Math.max(1, Math.ceil(((minute + 1) * 60_000 - nowMs) / 1000));
    return {
      limited,
      headers: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-used': String(Math.min(usage.used, limit)),
        'x-ratelimit-remaining': String(Math.max(0, limit - usage.used)),
        'x-ratelimit-reset': String(reset),
      },
    };
  }

  function answer(req: IncomingMessage, seq: number): { routeName: string; reply: Reply } {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    if (/\/v[12](\/|$)/.test(path)) return { routeName: 'retired', reply: json(410, WAF_GONE) };
    const apiKey = headerValue(req, 'x-api-key');
    const isV3 = path === '/v3' || path.startsWith('/v3/');
    if (isV3 && options.requireApiKey !== undefined && apiKey === undefined)
      return { routeName: 'unauthorized', reply: json(401, WAF_NO_KEY) };
    const match = matchRoute(path);
    if (!match) return { routeName: 'unmatched', reply: json(404, { detail: 'Not Found' }) };
    const routeName = match.route.name;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { routeName, reply: json(405, { detail: 'Method Not Allowed' }) };
    if (options.requireApiKey !== undefined && apiKey !== options.requireApiKey)
      return { routeName, reply: json(401, { detail: 'Invalid credentials' }) };
    const rate = rateHeaders(apiKey ?? '');
    if (rate.limited) return { routeName, reply: json(429, { detail: 'Too many requests' }, rate.headers) };
    if (uniform(options.seed, seq, FAULT_CHANNEL.error, 0) < options.faults.errorRate)
      return {
        routeName,
        reply: json(
          500,
          { detail: 'canceling statement due to statement timeout (simulated fault)' },
          rate.headers,
        ),
      };
    try {
      const body = match.route.handle(ctx, match.ids, new QueryReader(url.searchParams));
      return { routeName, reply: json(200, body, rate.headers) };
    } catch (err) {
      if (err instanceof ApiError) return { routeName, reply: json(err.status, err.body, rate.headers) };
      return {
        routeName,
        reply: json(500, { detail: err instanceof Error ? err.message : String(err) }, rate.headers),
      };
    }
  }

  function send(res: ServerResponse, reply: Reply, seq: number, head: boolean): void {
    if (res.destroyed) return;
    const bytes = Buffer.from(JSON.stringify(reply.body), 'utf8');
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': String(bytes.length),
      'cache-control': 'public, max-age=900',
      ...reply.headers,
    });
    if (head) {
      res.end();
      return;
    }
    const truncate =
      reply.status === 200 &&
      uniform(options.seed, seq, FAULT_CHANNEL.truncate, 0) < options.faults.truncateRate;
    if (!truncate) {
      res.end(bytes);
      return;
    }
    // declare the whole length, send part of it, then drop the connection
    const cut = Math.floor(bytes.length * (0.2 + 0.6 * uniform(options.seed, seq, FAULT_CHANNEL.cut, 0)));
    res.write(bytes.subarray(0, cut), () => res.socket?.destroy());
  }

  const server = createServer((req, res) => {
    if (serveArchive(req, res, { dataset, view, stats })) return;
    sequence += 1;
    const seq = sequence;
    const { routeName, reply } = answer(req, seq);
    stats.requests += 1;
    stats.byRoute[routeName] = (stats.byRoute[routeName] ?? 0) + 1;
    stats.statusCounts[String(reply.status)] = (stats.statusCounts[String(reply.status)] ?? 0) + 1;
    const head = req.method === 'HEAD';
    if (options.faults.latencyMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(res, reply, seq, head);
      }, options.faults.latencyMs);
      timers.add(timer);
    } else send(res, reply, seq, head);
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/v3`,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body, headers };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}
