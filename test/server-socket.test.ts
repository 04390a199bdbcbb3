// startServer over a real socket on 127.0.0.1: the page, uPlot from node_modules, the API, the token, close().
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { type RunningServer, startServer } from '../src/server/server.js';
import { fakeServices } from './helpers/fake-services.js';

const config = parseConfig({ home: '/tmp/aqlake-server-socket-test' });
let servers: RunningServer[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(token?: string): Promise<RunningServer> {
  const server = await startServer({
    config,
    port: 0,
    services: fakeServices(),
    ...(token ? { token } : {}),
  });
  servers.push(server);
  return server;
}

describe('startServer', () => {
  it('serves the page, its modules and uPlot without any other origin', async () => {
    const { url } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(
      expect.arrayContaining(['/vendor/uPlot.iife.min.js', '/vendor/uPlot.min.css', '/assets/app.js']),
    );
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const asset of assets) {
      const res = await fetch(new URL(asset, url));
      expect(res.status, asset).toBe(200);
    }
    const uplot = await fetch(new URL('/vendor/uPlot.iife.min.js', url));
    expect(uplot.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await uplot.text()).length).toBeGreaterThan(40_000);
  });

  it('answers the API as JSON and 404 for a file that is not part of the page', async () => {
    const { url } = await start();
    const runs = (await (await fetch(new URL('/api/runs', url))).json()) as { runs: unknown[] };
    expect(runs.runs).toHaveLength(3);
    expect((await fetch(new URL('/../package.json', url))).status).toBe(404);
    expect((await fetch(new URL('/assets/../../package.json', url))).status).toBe(404);
  });

  it('with a token, checks it on every API request over the socket', async () => {
    const { url } = await start('a-long-secret-token');
    expect((await fetch(new URL('/api/runs', url))).status).toBe(401);
    const ok = await fetch(new URL('/api/runs', url), {
      headers: { Authorization: 'Bearer a-long-secret-token' },
    });
    expect(ok.status).toBe(200);
  });

  it('refuses a non-loopback host without a token before opening a socket', async () => {
    await expect(startServer({ config, host: '0.0.0.0', port: 0, services: fakeServices() })).rejects.toThrow(
      /--token/,
    );
  });

  it('reports a port in use, and close() frees the port', async () => {
    const first = await start();
    await expect(startServer({ config, port: first.port, services: fakeServices() })).rejects.toThrow(
      /EADDRINUSE/,
    );
    await first.close();
    servers = [];
    const again = await startServer({ config, port: first.port, services: fakeServices() });
    servers.push(again);
    expect(again.port).toBe(first.port);
  });
});
