// /api/prod/:view, /api/locations, /api/query, /api/standards: the published data and read-only SQL.
import { Hono } from 'hono';
import { standardsPayload } from '../air-standards.js';
import { toCsv } from '../csv.js';
import { jsonBody, notFound, parseInput } from '../http-errors.js';
import { prodQuery, queryBody } from '../inputs.js';
import {
  type ProdService,
  type QueryLimits,
  QueryRejectedError,
  type QueryRowStream,
  type QueryService,
  QueryTooLargeError,
} from '../services.js';

/** Rows a prod view answer holds unless the caller asks for fewer. */
const DEFAULT_PROD_LIMIT = 10_000;

export function dataRoutes(prod: ProdService, query: QueryService, limits: QueryLimits): Hono {
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
    const stop = new AbortController();
    const result = await query.query(sql, { signal: stop.signal, maxRowBytes: limits.maxBytes });
    const body = queryJsonStream(result, limits, stop);
    return c.body(body, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  return app;
}

/**
 * The answer of /api/query as it streams: `{"columns":[…],"rows":[…],"rowCount":n}`, plus `"truncated":true` and
 * `"limit":{"rows","bytes"}` when the rows were cut at a limit, and `"error"` when the query failed after its first
 * rows. Rows are serialised batch by batch, so neither the rows nor the text are ever held whole; a slow reader
 * slows the query down (pull), and a reader that goes away stops it.
 */
function queryJsonStream(
  result: QueryRowStream,
  limits: QueryLimits,
  stop: AbortController,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = result.batches[Symbol.asyncIterator]();
  let rowCount = 0;
  let bytes = 0;
  let state: 'head' | 'rows' | 'done' = 'head';
  const finish = async (tail: Record<string, unknown>): Promise<string> => {
    state = 'done';
    await iterator.return?.();
    const extra = Object.entries(tail)
      .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
      .join('');
    return `],"rowCount":${rowCount}${extra}}`;
  };
  const cut = () => ({ truncated: true, limit: { rows: limits.maxRows, bytes: limits.maxBytes } });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (state === 'head') {
        state = 'rows';
        controller.enqueue(encoder.encode(`{"columns":${JSON.stringify(result.columns)},"rows":[`));
        return;
      }
      if (state === 'done') return;
      let text = '';
      try {
        const next = await iterator.next();
        if (next.done) {
          text = await finish({});
        } else {
          for (const row of next.value) {
            if (rowCount >= limits.maxRows) {
              text += await finish(cut());
              break;
            }
            const json = JSON.stringify(row);
            const size = Buffer.byteLength(json) + 1;
            if (bytes + size > limits.maxBytes) {
              text += await finish(cut());
              break;
            }
            text += rowCount === 0 ? json : `,${json}`;
            bytes += size;
            rowCount++;
          }
        }
      } catch (err) {
        // The status line is sent: the answer ends here and says why.
        const told = err instanceof QueryRejectedError || err instanceof QueryTooLargeError;
        const message = told ? err.message : 'internal error (see the server log)';
        text += await finish({
          ...(err instanceof QueryTooLargeError ? cut() : { truncated: true }),
          error: message,
        });
      }
      controller.enqueue(encoder.encode(text));
      if ((state as string) === 'done') controller.close();
    },
    async cancel() {
      state = 'done';
      stop.abort();
      await iterator.return?.();
    },
  });
}
