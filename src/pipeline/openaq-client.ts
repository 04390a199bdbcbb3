// The OpenAQ clients (API and archive) of a configuration. Its holder (a DAG, a command) makes one and shares it, so every task of it
// draws on one rate-limit budget; no process-wide cache.
import type { AqlakeConfig } from '../config/index.js';
import type { Logger } from '../logging.js';
import { ArchiveClient } from '../openaq/archive.js';
import { OpenAQClient } from '../openaq/index.js';

export function createOpenaqClient(
  config: AqlakeConfig,
  logger: Logger,
  fetchImpl: typeof fetch = fetch,
): OpenAQClient {
  return new OpenAQClient({
    baseUrl: config.api.url,
    apiKey: config.api.key,
    rateLimit: config.api.rateLimit,
    timeoutMs: config.api.timeoutMs,
    maxRetries: config.api.maxRetries,
    fetch: fetchImpl,
    logger,
  });
}

/** The archive client of a configuration; its holder (a DAG, a refresher) makes one and shares it. */
export function createArchiveClient(config: AqlakeConfig, logger: Logger): ArchiveClient {
  return new ArchiveClient({
    baseUrl: config.archive.url,
    timeoutMs: config.api.timeoutMs,
    maxRetries: config.api.maxRetries,
    logger,
  });
}
