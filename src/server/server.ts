// startServer: binds the app to a socket (loopback unless a token guards it) and closes it cleanly.
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { AqlakeConfig } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../logging.js';
import { createApp } from './app.js';
import { isLoopbackHost } from './auth.js';
import { allowedHostValues } from './request-guard.js';
import type { Services } from './services.js';

export interface StartServerOptions {
  config: AqlakeConfig;
  host?: string;
  port?: number;
  /** Required when `host` is not a loopback address. */
  token?: string;
  services: Services;
  logger?: Logger;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080/ — never holds the token. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Throws UsageError when a non-loopback host has no token, or the token is too short to be one. */
export function checkBinding(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < 8) throw new UsageError('--token: use at least 8 characters');
  if (!isLoopbackHost(host) && !token)
    throw new UsageError(
      `--host ${host} is reachable from other machines: pass --token <secret> so that every request must carry it`,
    );
}

/**
 * @example
 * const server = await startServer({ config, services, port: 0 });
 * console.log(server.url);
 * await server.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  checkBinding(host, options.token);
  // Filled once the socket listens (the port may be 0 until then); no request is answered before.
  let hosts: Set<string> | undefined;
  const wildcard = host === '0.0.0.0' || host === '::';
  const app = createApp(options.services, {
    token: options.token,
    logger: options.logger,
    // Bound to every interface (only with a token), any name may reach it unless names are configured.
    allowedHosts: () => (wildcard && options.config.server.allowedHosts.length === 0 ? undefined : hosts),
    maxBodyBytes: options.config.server.maxBodyBytes,
    queryLimits: {
      maxRows: options.config.server.maxQueryRows,
      maxBytes: options.config.server.maxQueryBytes,
    },
  });
  const server = createAdaptorServer({ fetch: app.fetch, hostname: host });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHostValues(host, port, options.config.server.allowedHosts);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
