// ?format=csv on any JSON list answer of the API: the answer's list of rows (e.g. {tables: […]}) as CSV, the same
// rows in the same order, nested values as JSON. Routes that write their own CSV (/api/prod/:view, /api/map) pass.
import type { MiddlewareHandler } from 'hono';
import { toCsv } from './csv.js';

/** The rows of a JSON answer: its first property that is a list of objects. */
export function rowsOf(body: unknown): { name: string; rows: Record<string, unknown>[] } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  for (const [name, value] of Object.entries(body))
    if (Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v)))
      return { name, rows: value as Record<string, unknown>[] };
  return undefined;
}

/** Column order: the keys of the rows in the order they first appear. */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) columns.add(key);
  return [...columns];
}

export function csvFormat(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.req.method !== 'GET' || c.req.query('format') !== 'csv' || c.res.status !== 200) return;
    if (!(c.res.headers.get('content-type') ?? '').includes('application/json')) return;
    const list = rowsOf(await c.res.clone().json());
    if (!list) return;
    const headers = new Headers(c.res.headers);
    headers.set('Content-Type', 'text/csv; charset=utf-8');
    headers.set('Content-Disposition', `attachment; filename="${list.name}.csv"`);
    c.res = new Response(toCsv(columnsOf(list.rows), list.rows), { status: 200, headers });
  };
}
