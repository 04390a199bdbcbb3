// The server refuses what a browser did not mean: cross-site writes, foreign Host names (DNS rebinding), oversized
// bodies; /api/query answers are capped and say so; task logs carry no absolute paths, pid or hostname.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createApp } from '../src/server/app.js';
import { redactTaskLog } from '../src/server/log-redaction.js';
import { allowedHostValues } from '../src/server/request-guard.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { fakeServices } from './helpers/fake-services.js';

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('cross-site requests (app.request)', () => {
  it.each([
    ['/api/trigger', { date: '2024-03-05' }],
    ['/api/backfill', { from: '2024-03-01', to: '2024-03-02' }],
    ['/api/clear', { runId: 'manual__2024-03-05' }],
    ['/api/query', { sql: 'SELECT 1' }],
  ])('refuses a text/plain POST to %s and starts nothing', async (path, body) => {
    const services = fakeServices();
    const app = createApp(services, { page: false });
    const res = await app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toMatch(/application\/json/);
    expect(services.calls).toEqual({ trigger: [], clear: [], backfill: [], query: [], prod: [] });
  });

  it('refuses a foreign Origin and Sec-Fetch-Site: cross-site, accepts the same origin', async () => {
    const services = fakeServices();
    const app = createApp(services, { page: false });
    const foreign = await app.request(
      'http://localhost/api/trigger',
      json({ date: '2024-03-05' }, { Origin: 'https://evil.example' }),
    );
    expect(foreign.status).toBe(403);
    const crossSite = await app.request(
      'http://localhost/api/trigger',
      json({ date: '2024-03-05' }, { 'Sec-Fetch-Site': 'cross-site' }),
    );
    expect(crossSite.status).toBe(403);
    expect(services.calls.trigger).toEqual([]);
    const same = await app.request(
      'http://localhost/api/trigger',
      json({ date: '2024-03-05' }, { Origin: 'http://localhost', 'Sec-Fetch-Site': 'same-origin' }),
    );
    expect(same.status).toBe(201);
    expect(services.calls.trigger).toHaveLength(1);
  });

  it('refuses a body over the cap before parsing it', async () => {
    const services = fakeServices();
    const app = createApp(services, { page: false, maxBodyBytes: 1000 });
    const res = await app.request('/api/query', json({ sql: `SELECT '${'x'.repeat(2000)}'` }));
    expect(res.status).toBe(413);
    expect(services.calls.query).toEqual([]);
  });
});

describe('/api/query limits', () => {
  it('cuts at the row limit and says truncated with the limit', async () => {
    const app = createApp(fakeServices(), { page: false, queryLimits: { maxRows: 2500, maxBytes: 1e9 } });
    const body = (await (await app.request('/api/query', json({ sql: 'SELECT 5000 rows' }))).json()) as {
      rows: { i: number }[];
      rowCount: number;
      truncated?: boolean;
      limit?: { rows: number; bytes: number };
    };
    expect(body.rows).toHaveLength(2500);
    expect(body.rowCount).toBe(2500);
    expect(body.truncated).toBe(true);
    expect(body.limit).toEqual({ rows: 2500, bytes: 1e9 });
  });

  it('cuts at the byte limit', async () => {
    const app = createApp(fakeServices(), { page: false, queryLimits: { maxRows: 1e6, maxBytes: 10_000 } });
    const res = await app.request('/api/query', json({ sql: 'SELECT 5000 rows' }));
    const text = await res.text();
    const body = JSON.parse(text) as { rows: unknown[]; truncated?: boolean; limit?: { bytes: number } };
    expect(body.truncated).toBe(true);
    expect(body.limit?.bytes).toBe(10_000);
    expect(body.rows.length).toBeGreaterThan(0);
    // The rows without the enclosing brackets.
    expect(JSON.stringify(body.rows).length - 2).toBeLessThanOrEqual(10_000);
  });

  it('has no truncated flag when everything fits', async () => {
    const app = createApp(fakeServices(), { page: false });
    const body = (await (
      await app.request('/api/query', json({ sql: 'SELECT 3000 rows' }))
    ).json()) as object;
    expect(body).not.toHaveProperty('truncated');
    expect(body).toMatchObject({ rowCount: 3000 });
  });
});

describe('task logs', () => {
  it('drop pid, hostname, stack frames and absolute paths', () => {
    const home = '/srv/someone/lake';
    const line = JSON.stringify({
      level: 50,
      pid: 4242,
      hostname: 'secret-box',
      msg: `cannot read ${home}/dev/measurements/year=2024/month=03/day=05/data.parquet`,
      err: {
        message: 'ENOSPC: no space left on device, write',
        stack:
          'Error: ENOSPC\n    at write (/opt/app/node_modules/x/index.js:10:5)\n    at /opt/app/src/y.ts:3:1',
      },
      where: '/opt/app/src/pipeline/transform.ts',
    });
    const out = redactTaskLog(`${line}\nplain text at /usr/lib/node/x.js:1:1\n`, { home });
    expect(out).not.toMatch(/4242|secret-box|\/opt\/app|\/srv\/someone|\/usr\/lib/);
    expect(out).toContain('$AQLAKE_HOME/dev/measurements/year=2024/month=03/day=05/data.parquet');
    expect(out).toContain('ENOSPC');
    expect(out).toContain('transform.ts');
  });
});

describe('over a socket', () => {
  let servers: RunningServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });

  async function start(allowedHosts: string[] = []) {
    const services = fakeServices();
    const server = await startServer({
      config: parseConfig({ home: '/tmp/aqlake-guard-test', server: { allowedHosts } }),
      port: 0,
      services,
    });
    servers.push(server);
    return { server, services };
  }

  /** fetch() may not set Host; node:http can. */
  function raw(
    port: number,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', headers },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('refuses a foreign Host (DNS rebinding) on every route, answers its own names', async () => {
    const { server, services } = await start(['aq.example']);
    const p = server.port;
    for (const path of ['/api/runs', '/api/health', '/']) {
      const res = await raw(p, path, { Host: `evil.example:${p}` });
      expect(res.status, path).toBe(421);
    }
    const trigger = await raw(
      p,
      '/api/trigger',
      { Host: `rebind.evil.example:${p}`, 'Content-Type': 'application/json' },
      JSON.stringify({ date: '2024-03-05' }),
    );
    expect(trigger.status).toBe(421);
    expect(services.calls.trigger).toEqual([]);
    for (const host of [
      `127.0.0.1:${p}`,
      `localhost:${p}`,
      `[::1]:${p}`,
      `aq.example:${p}`,
      `AQ.example:${p}`,
    ])
      expect((await raw(p, '/api/health', { Host: host })).status, host).toBe(200);
  });

  it('refuses a cross-site text/plain POST to /api/trigger: no run is created', async () => {
    const { server, services } = await start();
    const res = await fetch(new URL('/api/trigger', server.url), {
      method: 'POST',
      headers: {
        'Content-Type': 'text/plain',
        Origin: 'https://evil.example',
        'Sec-Fetch-Site': 'cross-site',
      },
      body: JSON.stringify({ date: '2024-03-05' }),
    });
    expect(res.status).toBe(403);
    expect(services.calls.trigger).toEqual([]);
    const ok = await fetch(new URL('/api/trigger', server.url), json({ date: '2024-03-05' }));
    expect(ok.status).toBe(201);
  });

  it('refuses a large chunked body without reading it all', async () => {
    const { server, services } = await start();
    const res = await raw(
      server.port,
      '/api/query',
      {
        Host: `127.0.0.1:${server.port}`,
        'Content-Type': 'application/json',
        'Transfer-Encoding': 'chunked',
      },
      JSON.stringify({ sql: `SELECT '${'x'.repeat(3 * 1024 * 1024)}'` }),
    );
    expect(res.status).toBe(413);
    expect(services.calls.query).toEqual([]);
  });

  it('lists the bound address and the loopback names with the port', () => {
    expect([...allowedHostValues('127.0.0.1', 8080, ['aq.example', 'x.example:9000'])]).toEqual([
      '127.0.0.1:8080',
      'localhost:8080',
      '[::1]:8080',
      'aq.example:8080',
      'x.example:9000',
    ]);
  });
});
