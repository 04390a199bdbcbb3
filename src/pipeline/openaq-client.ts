// One OpenAQ client per API endpoint and key in this process, so every task shares the same rate-limit budget.
import type { AqlakeConfig } from '../config/index.js';
import type { Logger } from '../logging.js';
import { OpenAQClient } from '../openaq/index.js';

const clients = new Map<string, OpenAQClient>();

export function openaqClientFor(
  config: AqlakeConfig,
  logger: Logger,
  fetchImpl: typeof fetch = fetch,
): OpenAQClient {
  const id = `${config.api.url}\u0000${config.api.key ?? ''}`;
  let client = clients.get(id);
  if (!client) {
    client = new OpenAQClient({
      baseUrl: config.api.url,
      apiKey: config.api.key,
      rateLimit: config.api.rateLimit,
      timeoutMs: config.api.timeoutMs,
      maxRetries: config.api.maxRetries,
      fetch: fetchImpl,
      logger,
    });
    clients.set(id, client);
  }
  return client;
}
