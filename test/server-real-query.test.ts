// /api/query and /api/prod over the real read-only DuckDB session of a (fresh, empty) lake: the guard's refusals are 400s.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import type { Engine } from '../src/engines/engine.js';
import { createEngine } from '../src/engines/index.js';
import { type MetaDb, openMetaDb } from '../src/lake/meta/meta-db.js';
import { LocalObjectStore } from '../src/lake/store/index.js';
import { createApp } from '../src/server/app.js';
import { type LakeQueries, lakeQueries } from '../src/server/real/lake-queries.js';
import { startServer } from '../src/server/server.js';
import { fakeServices } from './helpers/fake-services.js';

let home: string;
let meta: MetaDb;
let engine: Engine;
let lake: LakeQueries;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-server-query-'));
  const config = parseConfig({ home });
  meta = openMetaDb(home);
  engine = await createEngine(config);
  lake = lakeQueries({ config, meta, store: new LocalObjectStore(home), engine });
  app = createApp({ ...fakeServices(), query: lake.query, prod: lake.prod }, { page: false });
});

afterAll(async () => {
  lake.close();
  await engine.close();
  meta.close();
  rmSync(home, { recursive: true, force: true });
});

const query = (sql: string) =>
  app.request('/api/query', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql }),
  });

describe('read-only SQL over the lake', () => {
  it('answers a query with its columns and JSON-safe rows', async () => {
    const res = await query("SELECT 42::BIGINT AS answer, DATE '2024-03-05' AS day");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      columns: ['answer', 'day'],
      rows: [{ answer: 42, day: '2024-03-05' }],
      rowCount: 1,
    });
  });

  it.each([
    ["COPY (SELECT 1) TO '/tmp/aqlake-server-query-escape.csv'", /read-only/],
    ['CREATE TABLE t AS SELECT 1', /read-only/],
    ["ATTACH '/tmp/aqlake-other.duckdb' AS other", /read-only/],
    ["SELECT * FROM read_csv('/etc/passwd')", /Permission|read-only|not allowed/i],
    ['SELECT 1; SELECT 2', /one statement/],
    ['SELEC 1', /Parser Error/],
  ])('refuses %s with 400 and the guard’s message', async (sql, message) => {
    const res = await query(sql);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
  });

  it('reads the prod views of an empty lake as no rows, with filters bound', async () => {
    const res = await app.request(
      '/api/prod/daily_averages?location_id=8118&parameter=pm25&from=2024-03-01&to=2024-03-31',
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { columns: string[]; rows: unknown[] };
    expect(body.rows).toEqual([]);
    expect(body.columns).toEqual(
      expect.arrayContaining(['location_id', 'local_date', 'value_avg', 'coverage_pct']),
    );
  });

  it('cuts a result whose one row is larger than the byte cap without building it', async () => {
    const small = createApp(
      { ...fakeServices(), query: lake.query, prod: lake.prod },
      { page: false, queryLimits: { maxRows: 10_000, maxBytes: 1024 * 1024 } },
    );
    const res = await small.request('/api/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        sql: "SELECT list(i::VARCHAR || 'abcdefghijabcdefghij') AS l FROM range(10000000) t(i)",
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: unknown[]; truncated: boolean; limit: object; error: string };
    expect(body.rows).toEqual([]);
    expect(body.truncated).toBe(true);
    expect(body.limit).toEqual({ rows: 10_000, bytes: 1024 * 1024 });
    expect(body.error).toMatch(/larger than 1048576 bytes/);
  });

  it('streams a long result: /api/health answers while the query still runs, and its timeout applies', async () => {
    const server = await startServer({
      config: parseConfig({ home, server: { maxQueryRows: 1e9, maxQueryBytes: 1e12 } }),
      port: 0,
      services: { ...fakeServices(), query: lake.query, prod: lake.prod },
    });
    try {
      const res = await fetch(new URL('/api/query', server.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ sql: 'SELECT i, md5(i::VARCHAR) AS h FROM range(50000000) t(i)' }),
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(first).toMatch(/^\{"columns":\["i","h"\],"rows":\[/);
      // The query is still streaming (its answer is not complete), and the server answers other requests.
      const health = await fetch(new URL('/api/health', server.url));
      expect(await health.json()).toEqual({ ok: true });
      await reader.cancel();
    } finally {
      await server.close();
    }
  });

  it('caps DuckDB spill at the configured size', async () => {
    const res = await query("SELECT current_setting('max_temp_directory_size') AS cap");
    const cap = ((await res.json()) as { rows: { cap: string }[] }).rows[0]!.cap;
    expect(cap).toMatch(/^4(\.0)? ?GiB$/);
  });

  it('lists no locations before the first run', async () => {
    expect(await (await app.request('/api/locations')).json()).toEqual({ locations: [] });
  });
});
