// The OpenAQ v3 HTTP client: API key, rate limiting, retries with backoff, per-attempt timeouts, exact response bytes.
import pRetry, { AbortError } from 'p-retry';
import { errorMessage, OpenAQError } from '../errors.js';
import type { Logger } from '../logging.js';
import { errorResponseMessage } from './error-body.js';
import { abortableSleep, RateLimiter, type Sleep, serverWaitMs } from './rate-limiter.js';
import { backoffDelay, isRetryable, TruncatedBodyError } from './retry-policy.js';

export interface OpenAQClientOptions {
  /** Includes /v3, e.g. https://api.openaq.org/v3 or http://127.0.0.1:PORT/v3. */
  baseUrl: string;
  /** Sent as X-API-Key; omitted when undefined. */
  apiKey?: string;
  rateLimit: { perMinute: number; perHour: number };
  /** Per request attempt, body included. */
  timeoutMs: number;
  maxRetries: number;
  fetch?: typeof fetch;
  logger?: Logger;
  sleep?: Sleep;
  /** ms epoch. */
  now?: () => number;
}

export interface RawResponse {
  /** Full request URL; the key travels in a header, never in the URL. */
  url: string;
  /** As passed to get(), e.g. /sensors/123/measurements. */
  path: string;
  params: Record<string, string>;
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Exactly the bytes received (after HTTP content decoding). */
  body: Uint8Array;
  fetchedAt: Date;
}

export interface ClientStats {
  /** HTTP requests actually sent. */
  requests: number;
  retries: number;
  /** Time spent waiting for the rate limiter and for backoff. */
  waitedMs: number;
}

/** A 429 after which so many waits for the server's reset do not use up the retry budget. */
const MAX_RATE_LIMIT_WAITS = 10;
const MAX_ERROR_BODY_CHARS = 2000;

/** A non-2xx answer, kept whole so the final error can explain itself. */
class StatusFailure extends Error {
  constructor(
    readonly response: RawResponse,
    readonly serverWaitMs: number | undefined,
  ) {
    super(`HTTP ${response.status}`);
  }
}

/** A transient transport failure (network, timeout, truncated body), as an Error p-retry will retry. */
class TransportFailure extends Error {
  constructor(cause: unknown) {
    super(
      cause instanceof Error && cause.name === 'TimeoutError'
        ? 'the request timed out'
        : describeCause(cause),
      { cause },
    );
  }
}

export class OpenAQClient {
  readonly stats: ClientStats = { requests: 0, retries: 0, waitedMs: 0 };
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly limiter: RateLimiter;

  constructor(private readonly options: OpenAQClientOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
    if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0) {
      throw new RangeError('maxRetries must be an integer ≥ 0');
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? Date.now;
    this.limiter = new RateLimiter(options.rateLimit, this.now, this.sleep);
  }

  /** GET with rate limiting and retries; resolves only with a 2xx; throws OpenAQError otherwise. */
  async get(
    path: string,
    params: Record<string, string | number | undefined> = {},
    signal?: AbortSignal,
  ): Promise<RawResponse> {
    const query: Record<string, string> = {};
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query[name] = String(value);
    const search = new URLSearchParams(query).toString();
    const url = `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}${search ? `?${search}` : ''}`;
    const parsedUrl = new URL(url);
    const target = parsedUrl.pathname + parsedUrl.search;
    let retries = 0;
    let rateLimitWaits = 0;

    const attempt = async (): Promise<RawResponse> => {
      try {
        return await this.send(url, path, query, signal);
      } catch (err) {
        if (signal?.aborted) throw new AbortError(asError(signal.reason));
        if (err instanceof StatusFailure) {
          if (isRetryable(err.response.status)) throw err;
          throw new AbortError(statusError(err.response, target));
        }
        // No route to the host: nothing this command asks the API will get through, so it stops after one request.
        if (isRetryable(err)) throw new TransportFailure(err);
        throw new AbortError(
          new OpenAQError(`OpenAQ request for ${target} failed: ${describeCause(err)}`, null, url),
        );
      }
    };

    try {
      return await pRetry(attempt, {
        retries: this.options.maxRetries,
        // Delays are taken in shouldRetry with the injectable sleep, so p-retry itself must not wait.
        minTimeout: 0,
        signal,
        shouldConsumeRetry: ({ error }) =>
          !(waitsForServer(error) && ++rateLimitWaits <= MAX_RATE_LIMIT_WAITS),
        shouldRetry: async ({ error, retriesConsumed }) => {
          // A 429 with a reset hint is waited out by the limiter before the next send, for every caller.
          const delayMs = waitsForServer(error) ? 0 : backoffDelay(retriesConsumed + 1);
          retries++;
          this.stats.retries++;
          this.options.logger?.warn(
            {
              path,
              status: error instanceof StatusFailure ? error.response.status : null,
              reason: error.message,
              retry: retries,
              delayMs,
              serverWaitMs: error instanceof StatusFailure ? error.serverWaitMs : undefined,
            },
            'OpenAQ request failed; retrying',
          );
          if (delayMs > 0) {
            await this.sleep(delayMs, signal);
            this.stats.waitedMs += delayMs;
          }
          return true;
        },
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (err instanceof OpenAQError) throw err;
      const gaveUp = ` (gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'})`;
      if (err instanceof StatusFailure) {
        const e = statusError(err.response, target);
        throw new OpenAQError(e.message + gaveUp, e.status, e.url, e.body);
      }
      const unreachable = unreachableCode(err);
      if (unreachable)
        throw new OpenAQError(
          `cannot reach the OpenAQ API at ${parsedUrl.host} (${unreachable})${gaveUp}: check the network, or OPENAQ_API_URL (now ${this.baseUrl})`,
          null,
          url,
          undefined,
          { stopsCommand: true },
        );
      throw new OpenAQError(`OpenAQ request for ${target} failed: ${describeCause(err)}${gaveUp}`, null, url);
    }
  }

  /** One attempt: wait for the limiter, send, read the whole body, note the server's rate-limit hint. */
  private async send(
    url: string,
    path: string,
    params: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<RawResponse> {
    this.stats.waitedMs += await this.limiter.acquire(signal, (ms) => this.logWait(ms, path));
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'aqlake' };
    if (this.options.apiKey !== undefined) headers['x-api-key'] = this.options.apiKey;
    this.stats.requests++;
    const res = await this.fetchImpl(url, {
      headers,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    const body = await readBody(res);
    const wait = serverWaitMs(res.status, responseHeaders, this.now());
    if (wait !== undefined) this.limiter.holdFor(wait);
    const response: RawResponse = {
      url,
      path,
      params,
      status: res.status,
      headers: responseHeaders,
      body,
      fetchedAt: new Date(this.now()),
    };
    if (res.status < 200 || res.status > 299) throw new StatusFailure(response, wait);
    return response;
  }

  private logWait(ms: number, path: string): void {
    const level = ms >= 5000 ? 'info' : 'debug';
    this.options.logger?.[level]({ path, waitMs: ms }, 'rate limit: waiting before the next OpenAQ request');
  }
}

/** Reads the whole body; a body shorter than its content-length, or a read that fails, is a truncation. */
async function readBody(res: Response): Promise<Uint8Array> {
  let body: Uint8Array;
  try {
    body = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) throw err;
    throw new TruncatedBodyError(`the response body was cut off: ${describeCause(err)}`, { cause: err });
  }
  const declared = res.headers.get('content-length');
  const encoding = res.headers.get('content-encoding');
  // content-length counts encoded bytes, so it can only be compared when the body was not decoded.
  if (declared !== null && (!encoding || encoding === 'identity') && body.byteLength < Number(declared)) {
    throw new TruncatedBodyError(`the response body has ${body.byteLength} of ${declared} bytes`);
  }
  return body;
}

function statusError(response: RawResponse, target: string): OpenAQError {
  const text = new TextDecoder().decode(response.body);
  return new OpenAQError(
    errorResponseMessage(response.status, target, text),
    response.status,
    response.url,
    text.slice(0, MAX_ERROR_BODY_CHARS),
    // The key was refused: every other request of the command would be refused too.
    { stopsCommand: response.status === 401 || response.status === 403 },
  );
}

/** Codes that mean the host cannot be reached at all (as opposed to a dropped connection or a slow answer). */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** e.g. `getaddrinfo ENOTFOUND api.openaq.org`, from undici's cause chain; undefined for other failures. */
export function unreachableCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 6; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return e.message || code;
    // AggregateError (IPv4 and IPv6 both refused) keeps its parts in `errors`.
    const parts = (e as { errors?: unknown }).errors;
    if (Array.isArray(parts)) {
      const inner = parts.map(unreachableCode).find((c) => c !== undefined);
      if (inner) return inner;
    }
    e = e.cause;
  }
  return undefined;
}

function waitsForServer(error: unknown): boolean {
  return error instanceof StatusFailure && error.response.status === 429 && error.serverWaitMs !== undefined;
}

/** undici hides the useful part ("ECONNREFUSED", "other side closed") in `cause`. */
function describeCause(err: unknown): string {
  const message = errorMessage(err);
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof Error && cause.message && !message.includes(cause.message)
    ? `${message} (${cause.message})`
    : message;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
