// The Hono application: /api routes over the services, the page's static files, auth and error handling.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../logging.js';
import { requireToken } from './auth.js';
import { csvFormat } from './csv-format.js';
import { errorResponder } from './http-errors.js';
import { catalogRoutes } from './routes/catalog.js';
import { dataRoutes } from './routes/data.js';
import { mapRoutes } from './routes/map.js';
import { runsRoutes } from './routes/runs.js';
import type { Services } from './services.js';
import { staticRoutes } from './static-files.js';

export interface AppOptions {
  /** When set, every /api request must carry `Authorization: Bearer <token>`. */
  token?: string;
  logger?: Logger;
  /** Serve the page's files (default true). */
  page?: boolean;
}

/**
 * @example
 * const app = createApp(services);
 * const res = await app.request('/api/runs?state=failed');
 */
export function createApp(services: Services, options: AppOptions = {}): Hono {
  const app = new Hono();
  app.onError(errorResponder(options.logger));

  const api = new Hono();
  api.onError(errorResponder(options.logger));
  if (options.token) api.use('*', requireToken(options.token));
  api.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  api.use('*', csvFormat());
  api.get('/health', (c) => c.json({ ok: true }));
  api.route('/', runsRoutes(services.runs));
  api.route('/', catalogRoutes(services.catalog, services.checks));
  api.route('/', dataRoutes(services.prod, services.query));
  api.route('/', mapRoutes(services.query));
  api.all('*', () => {
    throw new HTTPException(404, { message: 'no such API endpoint' });
  });
  app.route('/api', api);

  if (options.page !== false) app.route('/', staticRoutes());
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  return app;
}
