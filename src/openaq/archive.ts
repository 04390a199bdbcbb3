// The OpenAQ public archive over plain HTTP: GET and HEAD of one location-day's .csv.gz, with retries, bytes as stored.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errorMessage, OpenAQError } from '../errors.js';
import { splitIsoDate } from '../lake/keys.js';
import type { Logger } from '../logging.js';
import { unreachableCode } from './client.js';
import { abortableSleep, type Sleep, serverWaitMs } from './rate-limiter.js';
import { backoffDelay, isRetryable, TruncatedBodyError } from './retry-policy.js';

/** The format folder of the bucket; the key layout below it is Hive-style (openaq-archive.md). */
const ARCHIVE_FORMAT_PREFIX = 'records/csv.gz';

/**
 * S3 answers a missing key in a public bucket with 404 (NoSuchKey) when listing is allowed and 403 (AccessDenied)
 * when it is not; both mean "no object", i.e. no data for that location-day.
 */
const ARCHIVE_MISSING_STATUSES: readonly number[] = [403, 404];

const MAX_ERROR_BODY_CHARS = 2000;

/** How long an archive found unreachable is not asked again by its client: its days go to the fallback at once. */
const ARCHIVE_DOWN_MS = 10 * 60_000;

/** `records/csv.gz/locationid={id}/year=YYYY/month=MM/location-{id}-{YYYYMMDD}.csv.gz` (the exporter's own layout). */
export function archiveObjectPath(locationId: number, localDate: string): string {
  if (!Number.isInteger(locationId) || locationId <= 0) throw new RangeError(`bad location id ${locationId}`);
  const { year, month, day } = splitIsoDate(localDate);
  return `${ARCHIVE_FORMAT_PREFIX}/locationid=${locationId}/year=${year}/month=${month}/location-${locationId}-${year}${month}${day}.csv.gz`;
}

function archiveObjectUrl(baseUrl: string, locationId: number, localDate: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${archiveObjectPath(locationId, localDate)}`;
}

export interface ArchiveClientOptions {
  /** The bucket's HTTP root, e.g. https://openaq-data-archive.s3.amazonaws.com (config.archive.url). */
  baseUrl: string;
  /** Per attempt, body included. */
  timeoutMs: number;
  maxRetries: number;
  logger?: Logger;
  sleep?: Sleep;
  /** ms epoch. */
  now?: () => number;
  random?: () => number;
}

export interface ArchiveResponse {
  url: string;
  locationId: number;
  localDate: string;
  method: 'GET' | 'HEAD';
  /** 200, or one of ARCHIVE_MISSING_STATUSES when `found` is false. */
  status: number;
  found: boolean;
  /** Lower-case names. */
  headers: Record<string, string>;
  etag: string | null;
  lastModified: string | null;
  /** Size of the object: the body length for GET, content-length for HEAD; null when missing. */
  size: number | null;
  /** Exactly the bytes the server sent (no content decoding): the object's own .csv.gz. Empty for HEAD and missing. */
  body: Uint8Array;
  fetchedAt: Date;
  /** HTTP requests this answer took, retries included. */
  attempts: number;
}

export interface ArchiveStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  gets: number;
  heads: number;
  retries: number;
  /** Answers that were 403/404: days without an object. */
  missing: number;
  /** Object bytes received by GET. */
  bytes: number;
  waitedMs: number;
}

/**
 * The archive could not be asked (network errors, timeouts or 5xx, retries used up) — unlike a 403/404, which is an
 * answer: the day has no file. `--source auto` then takes the day from the API.
 */
export class ArchiveUnreachableError extends OpenAQError {
  readonly archiveUnreachable = true;
}

/** A failed attempt worth retrying: a retryable status, a dropped connection, a timeout or a cut-off body. */
class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly serverWaitMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Plain HTTP without credentials and without OpenAQ's rate limit. It uses node:http rather than fetch because
 * fetch decodes a `content-encoding: gzip` answer, and an object stored with that header would then land
 * un-gzipped: raw/ must hold the object's own bytes.
 */
export class ArchiveClient {
  readonly stats: ArchiveStats = {
    requests: 0,
    gets: 0,
    heads: 0,
    retries: 0,
    missing: 0,
    bytes: 0,
    waitedMs: 0,
  };
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly random: () => number;
  /** The last ArchiveUnreachableError and until when (ms epoch) it answers every request without asking. */
  private down: { until: number; error: ArchiveUnreachableError } | null = null;

  constructor(private readonly options: ArchiveClientOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
    if (!Number.isInteger(options.maxRetries) || options.maxRetries < 0)
      throw new RangeError('maxRetries must be an integer ≥ 0');
    const protocol = new URL(options.baseUrl).protocol;
    if (protocol !== 'http:' && protocol !== 'https:')
      throw new RangeError(`the archive URL must be http(s): ${options.baseUrl}`);
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** The object's bytes, or `found: false` for a day without data. */
  get(locationId: number, localDate: string, signal?: AbortSignal): Promise<ArchiveResponse> {
    return this.request('GET', locationId, localDate, signal);
  }

  /** ETag, Last-Modified and size without the body, or `found: false`. */
  head(locationId: number, localDate: string, signal?: AbortSignal): Promise<ArchiveResponse> {
    return this.request('HEAD', locationId, localDate, signal);
  }

  private async request(
    method: 'GET' | 'HEAD',
    locationId: number,
    localDate: string,
    signal: AbortSignal | undefined,
  ): Promise<ArchiveResponse> {
    const url = archiveObjectUrl(this.options.baseUrl, locationId, localDate);
    // Once the archive could not be reached, the other days do not wait for their own retries.
    if (this.down && this.now() < this.down.until) throw this.down.error;
    for (let retry = 0; ; retry++) {
      signal?.throwIfAborted();
      try {
        const response = await this.attempt(method, url, locationId, localDate, signal, retry + 1);
        if (method === 'GET') this.stats.gets++;
        else this.stats.heads++;
        if (!response.found) this.stats.missing++;
        else this.stats.bytes += response.body.byteLength;
        return response;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (!(err instanceof RetryableFailure)) throw err;
        // A host that refuses connections or has no address is not coming back within a few seconds: one retry.
        const unreachable = unreachableCode(err.cause) !== undefined;
        if (retry >= this.options.maxRetries || (unreachable && retry >= 1)) {
          const times = `${retry} ${retry === 1 ? 'retry' : 'retries'}`;
          const error = new ArchiveUnreachableError(
            `OpenAQ archive ${method} ${url} failed: ${err.message} (gave up after ${times})`,
            err.status,
            url,
          );
          this.down = { until: this.now() + ARCHIVE_DOWN_MS, error };
          throw error;
        }
        const delayMs = Math.max(backoffDelay(retry + 1, this.random), err.serverWaitMs ?? 0);
        this.stats.retries++;
        this.options.logger?.warn(
          { url, method, status: err.status, reason: err.message, retry: retry + 1, delayMs },
          'OpenAQ archive request failed; retrying',
        );
        if (delayMs > 0) {
          await this.sleep(delayMs, signal);
          this.stats.waitedMs += delayMs;
        }
      }
    }
  }

  /** One attempt. Resolves with a 200 or a missing-object answer; throws RetryableFailure or a final OpenAQError. */
  private async attempt(
    method: 'GET' | 'HEAD',
    url: string,
    locationId: number,
    localDate: string,
    signal: AbortSignal | undefined,
    attempts: number,
  ): Promise<ArchiveResponse> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    this.stats.requests++;
    let res: { status: number; headers: Record<string, string>; body: Uint8Array };
    try {
      res = await send(method, url, signal ? AbortSignal.any([signal, timeout]) : timeout);
    } catch (err) {
      if (signal?.aborted) throw err;
      if (timeout.aborted)
        throw new RetryableFailure('the request timed out', null, undefined, { cause: err });
      // Every transport failure (refused, reset, DNS hiccup, cut-off body) is worth another attempt.
      throw new RetryableFailure(describeTransportError(err), null, undefined, { cause: err });
    }
    const fetchedAt = new Date(this.now());
    const common = {
      url,
      locationId,
      localDate,
      method,
      status: res.status,
      headers: res.headers,
      fetchedAt,
      attempts,
    };
    if (ARCHIVE_MISSING_STATUSES.includes(res.status)) {
      return { ...common, found: false, etag: null, lastModified: null, size: null, body: new Uint8Array() };
    }
    if (res.status >= 200 && res.status <= 299) {
      const declared = res.headers['content-length'];
      const size = method === 'GET' ? res.body.byteLength : declared !== undefined ? Number(declared) : null;
      return {
        ...common,
        found: true,
        etag: res.headers.etag ?? null,
        lastModified: res.headers['last-modified'] ?? null,
        size,
        body: res.body,
      };
    }
    if (isRetryable(res.status)) {
      throw new RetryableFailure(
        `HTTP ${res.status}`,
        res.status,
        serverWaitMs(res.status, res.headers, this.now()),
      );
    }
    const text = new TextDecoder().decode(res.body).slice(0, MAX_ERROR_BODY_CHARS);
    throw new OpenAQError(
      `OpenAQ archive ${method} ${url} failed: HTTP ${res.status}${text ? ` — ${oneLine(text)}` : ''}`,
      res.status,
      url,
      text,
    );
  }
}

/** One HTTP exchange with node:http(s); the body is collected as raw bytes, never decoded. */
function send(
  method: 'GET' | 'HEAD',
  url: string,
  signal: AbortSignal,
): Promise<{ status: number; headers: Record<string, string>; body: Uint8Array }> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      // identity: a well-behaved server then sends the object as stored, with no transfer compression on top.
      { method, signal, headers: { 'user-agent': 'aqlake', 'accept-encoding': 'identity' } },
      (res: IncomingMessage) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) =>
          reject(
            new TruncatedBodyError(`the response body was cut off: ${errorMessage(err)}`, { cause: err }),
          ),
        );
        res.on('end', () => {
          if (!res.complete) {
            reject(new TruncatedBodyError('the connection closed before the response body ended'));
            return;
          }
          const body = new Uint8Array(Buffer.concat(chunks));
          const declared = headers['content-length'];
          if (method === 'GET' && declared !== undefined && body.byteLength !== Number(declared)) {
            reject(new TruncatedBodyError(`the response body has ${body.byteLength} of ${declared} bytes`));
            return;
          }
          resolve({ status: res.statusCode ?? 0, headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function describeTransportError(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const message = errorMessage(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
