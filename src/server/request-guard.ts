// What a browser did not mean: requests for another host name (DNS rebinding), cross-site writes (a page's form or
// text/plain fetch needs no CORS preflight) and oversized bodies are refused before any handler runs.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';

/**
 * The Host values a server bound to `host:port` answers: its own address, the loopback names with the port, and the
 * configured names (a name without a port matches it on this port). Compared in lower case.
 */
export function allowedHostValues(
  host: string,
  port: number,
  configured: readonly string[] = [],
): Set<string> {
  const bound = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const names = [bound, '127.0.0.1', 'localhost', '[::1]'];
  const out = new Set<string>();
  for (const name of names) out.add(`${name}:${port}`.toLowerCase());
  for (const name of configured)
    out.add((name.includes(':') && !name.endsWith(']') ? name : `${name}:${port}`).toLowerCase());
  // Port 80 is left out of Host by browsers.
  if (port === 80) for (const name of [...names, ...configured]) out.add(name.toLowerCase());
  return out;
}

/**
 * Refuses a request whose Host is not one of `allowed()` (evaluated per request: the port is known once the socket
 * listens). A page on evil.example whose name now resolves to 127.0.0.1 sends `Host: evil.example:PORT`.
 */
export function requireHost(allowed: () => ReadonlySet<string> | undefined): MiddlewareHandler {
  return async (c, next) => {
    const hosts = allowed();
    if (hosts) {
      const host = c.req.header('host')?.toLowerCase();
      if (!host || !hosts.has(host))
        throw new HTTPException(421, {
          message: `this server does not answer for host ${JSON.stringify(host ?? '')}; add it to server.allowedHosts if it is yours`,
        });
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every request that changes state or runs a query (any method but GET/HEAD) must be JSON from this origin: a
 * foreign Origin, `Sec-Fetch-Site: cross-site|same-site`, or a body that is not `application/json` is refused.
 */
export function requireSameOriginJson(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site')?.toLowerCase();
    if (site && site !== 'same-origin' && site !== 'none')
      throw new HTTPException(403, {
        message: `refused a ${site} request: use the page or a client of your own`,
      });
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      const host = c.req.header('host') ?? new URL(c.req.url).host;
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (originHost === undefined || originHost.toLowerCase() !== host.toLowerCase())
        throw new HTTPException(403, { message: `refused a request from origin ${origin}` });
    }
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json')
      throw new HTTPException(415, { message: 'expected Content-Type: application/json' });
    await next();
  };
}

/** A body larger than `maxBytes` is refused (413) without being read in full. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HTTPException(413, { message: `request body larger than ${maxBytes} bytes` });
    },
  });
}
