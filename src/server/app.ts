// The Hono application: /api routes over the services, the page's static files, auth and error handling.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../logging.js';
import { requireToken } from './auth.js';
import { csvFormat } from './csv-format.js';
import { errorResponder } from './http-errors.js';
import { limitBody, requireHost, requireSameOriginJson } from './request-guard.js';
import { catalogRoutes } from './routes/catalog.js';
import { dataRoutes } from './routes/data.js';
import { mapRoutes } from './routes/map.js';
import { runsRoutes } from './routes/runs.js';
import type { QueryLimits, Services } from './services.js';
import { staticRoutes } from './static-files.js';

export interface AppOptions {
  /** When set, every /api request must carry `Authorization: Bearer <token>`. */
  token?: string;
  logger?: Logger;
  /** Serve the page's files (default true). */
  page?: boolean;
  /**
   * The Host header values this server answers (startServer fills it once the port is known); undefined answers
   * any Host (app.request in tests has none).
   */
  allowedHosts?: () => ReadonlySet<string> | undefined;
  /** Request bodies larger than this are refused (default 1 MiB). */
  maxBodyBytes?: number;
  /** What one /api/query answer holds at most (default 10,000 rows, 16 MiB). */
  queryLimits?: QueryLimits;
}

const DEFAULT_QUERY_LIMITS: QueryLimits = { maxRows: 10_000, maxBytes: 16 * 1024 * 1024 };

/**
 * @example
 * const app = createApp(services);
 * const res = await app.request('/api/runs?state=failed');
 */
export function createApp(services: Services, options: AppOptions = {}): Hono {
  const app = new Hono();
  app.onError(errorResponder(options.logger));
  if (options.allowedHosts) app.use('*', requireHost(options.allowedHosts));

  const api = new Hono();
  api.onError(errorResponder(options.logger));
  if (options.token) api.use('*', requireToken(options.token));
  api.use('*', requireSameOriginJson());
  api.use('*', limitBody(options.maxBodyBytes ?? 1024 * 1024));
  api.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  api.use('*', csvFormat());
  api.get('/health', (c) => {
    const problems = services.health?.problems() ?? [];
    return problems.length === 0 ? c.json({ ok: true }) : c.json({ ok: false, problems }, 503);
  });
  // A server whose catalog went away must not answer from the stale handle as if nothing happened.
  api.use('*', async (_c, next) => {
    const problems = services.health?.problems() ?? [];
    if (problems.length > 0) throw new HTTPException(503, { message: problems.join('; ') });
    await next();
  });
  api.route('/', runsRoutes(services.runs));
  api.route('/', catalogRoutes(services.catalog, services.checks));
  api.route('/', dataRoutes(services.prod, services.query, options.queryLimits ?? DEFAULT_QUERY_LIMITS));
  api.route('/', mapRoutes(services.query));
  api.all('*', () => {
    throw new HTTPException(404, { message: 'no such API endpoint' });
  });
  app.route('/api', api);

  if (options.page !== false) app.route('/', staticRoutes());
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  return app;
}
