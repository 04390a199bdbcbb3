// /api/prod/:view, /api/locations, /api/query, /api/standards: the published data and read-only SQL.
import { Hono } from 'hono';
import { standardsPayload } from '../air-standards.js';
import { toCsv } from '../csv.js';
import { jsonBody, notFound, parseInput } from '../http-errors.js';
import { prodQuery, queryBody } from '../inputs.js';
import type { ProdService, QueryService } from '../services.js';

/** Rows a prod view answer holds unless the caller asks for fewer. */
export const DEFAULT_PROD_LIMIT = 10_000;

export function dataRoutes(prod: ProdService, query: QueryService): Hono {
  const app = new Hono();

  app.get('/prod', (c) => c.json({ views: prod.views() }));

  app.get('/prod/:view', async (c) => {
    const view = c.req.param('view');
    if (!prod.views().includes(view))
      throw notFound(`no view prod.${view} (views: ${prod.views().join(', ')})`);
    const q = parseInput(prodQuery, c.req.query());
    const result = await prod.rows(view, {
      locationId: q.location_id,
      sensorId: q.sensor_id,
      parameter: q.parameter,
      from: q.from,
      to: q.to,
      limit: q.limit ?? DEFAULT_PROD_LIMIT,
    });
    if (q.format === 'csv') {
      return c.body(toCsv(result.columns, result.rows), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${view}.csv"`,
      });
    }
    return c.json({ view, columns: result.columns, rows: result.rows });
  });

  app.get('/locations', async (c) => c.json({ locations: await prod.locations() }));

  app.get('/standards', (c) => c.json(standardsPayload()));

  app.post('/query', async (c) => {
    const { sql } = parseInput(queryBody, await jsonBody(c));
    const result = await query.query(sql);
    return c.json({ columns: result.columns, rows: result.rows, rowCount: result.rows.length });
  });

  return app;
}
