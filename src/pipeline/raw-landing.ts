// Lands one API response in raw/: the body byte for byte under its key, then its manifest row.
import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { PipelineError } from '../errors.js';
import { compactTimestamp, rawApiKey } from '../lake/keys.js';
import { recordRawObject } from '../lake/manifest.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import type { ObjectStore } from '../lake/store/index.js';
import {
  hasNextPage,
  type OpenAQClient,
  PAGE_LIMIT,
  type ParsedEnvelope,
  parseEnvelope,
  type RawResponse,
} from '../openaq/index.js';

export interface LandingContext {
  store: ObjectStore;
  meta: MetaDb;
  runId: string | null;
}

export interface LandedObject {
  rawKey: string;
  sha256: string;
  bytes: number;
}

export interface ResponseLineage {
  endpoint: string;
  /** Readable stem of the object name, e.g. `sensor-123` or `location-7`. */
  subject: string;
  locationId: number | null;
  sensorId: number | null;
  window: { fromUtc: string; toUtc: string } | null;
  page: number | null;
  resultCount: number | null;
  validationError: string | null;
  batchId: string;
}

async function landRawResponse(
  ctx: LandingContext,
  response: RawResponse,
  lineage: ResponseLineage,
): Promise<LandedObject> {
  const sha256 = createHash('sha256').update(response.body).digest('hex');
  const rawKey = rawApiKey(lineage.endpoint, response.fetchedAt, objectName(response, lineage));
  await ctx.store.put(rawKey, response.body, { contentType: 'application/json', ifAbsent: true });
  recordRawObject(ctx.meta, {
    rawKey,
    source: 'api',
    endpoint: lineage.endpoint,
    requestUrl: response.url,
    params: response.params,
    locationId: lineage.locationId,
    sensorId: lineage.sensorId,
    windowFromUtc: lineage.window?.fromUtc ?? null,
    windowToUtc: lineage.window?.toUtc ?? null,
    page: lineage.page,
    httpStatus: response.status,
    sha256,
    bytes: response.body.byteLength,
    resultCount: lineage.resultCount,
    valid: lineage.validationError === null,
    validationError: lineage.validationError,
    etag: response.headers.etag ?? null,
    lastModified: response.headers['last-modified'] ?? null,
    fetchedAt: response.fetchedAt.toISOString(),
    runId: ctx.runId,
    batchId: lineage.batchId,
  });
  return { rawKey, sha256, bytes: response.body.byteLength };
}

function objectName(response: RawResponse, lineage: ResponseLineage): string {
  const parts = [lineage.subject];
  if (lineage.window)
    parts.push(compactInstant(lineage.window.fromUtc), compactInstant(lineage.window.toUtc));
  if (lineage.page !== null) parts.push(`p${lineage.page}`);
  // The fetch time and a random suffix keep every fetch its own immutable object.
  parts.push(compactTimestamp(response.fetchedAt), randomBytes(3).toString('hex'));
  return parts.join('_');
}

function compactInstant(iso: string): string {
  return compactTimestamp(new Date(iso)).replace(/000Z$/, 'Z');
}

export interface PageRequest {
  path: string;
  params: Record<string, string | number | undefined>;
}

/**
 * GET one page, land its body in raw/ whatever it holds, and validate it: the landed object is recorded valid or
 * invalid, so nothing fetched is lost and the caller decides what an invalid page means.
 */
export async function fetchAndLand<T>(
  ctx: LandingContext & { openaq: OpenAQClient; signal: AbortSignal },
  request: PageRequest,
  item: z.ZodType<T>,
  lineage: Omit<ResponseLineage, 'resultCount' | 'validationError'>,
): Promise<{ landed: LandedObject; parsed: ParsedEnvelope<T> }> {
  const response = await ctx.openaq.get(request.path, request.params, ctx.signal);
  const parsed = parseEnvelope(response.body, item);
  const landed = await landRawResponse(ctx, response, {
    ...lineage,
    resultCount: parsed.ok ? parsed.results.length : null,
    validationError: parsed.ok ? null : parsed.error,
  });
  return { landed, parsed };
}

export interface LandedPages<T> {
  results: T[];
  requests: number;
  rawKeys: string[];
}

/**
 * Every page of a paged endpoint (limit=1000 until a short page, or until `enough` says so), each landed in raw/.
 * A page that fails validation is kept, recorded invalid, and fails `task`: without its rows the paging cannot go on.
 */
export async function fetchAndLandPages<T>(
  ctx: LandingContext & { openaq: OpenAQClient; signal: AbortSignal },
  task: string,
  request: PageRequest,
  item: z.ZodType<T>,
  lineage: Omit<ResponseLineage, 'resultCount' | 'validationError' | 'page'>,
  enough: (results: readonly T[]) => boolean = () => false,
): Promise<LandedPages<T>> {
  const pages: LandedPages<T> = { results: [], requests: 0, rawKeys: [] };
  for (let page = 1; !enough(pages.results); page++) {
    const { landed, parsed } = await fetchAndLand(
      ctx,
      { path: request.path, params: { ...request.params, limit: PAGE_LIMIT, page } },
      item,
      { ...lineage, page },
    );
    pages.requests++;
    pages.rawKeys.push(landed.rawKey);
    if (!parsed.ok) throw invalidResponses(task, [`${landed.rawKey}: ${parsed.error}`]);
    pages.results.push(...parsed.results);
    if (!hasNextPage(parsed.results.length, PAGE_LIMIT)) break;
  }
  return pages;
}

/** One line for responses that failed validation: they are in raw/, recorded invalid, and the task fails. */
function invalidResponses(task: string, invalid: readonly string[]): PipelineError {
  const more = invalid.length > 1 ? ` (and ${invalid.length - 1} more)` : '';
  return new PipelineError(
    `${task}: ${invalid.length} response(s) failed validation; stored in raw/ and recorded as invalid — first: ${invalid[0]}${more}`,
    task,
  );
}

export function failOnInvalid(task: string, invalid: readonly string[]): void {
  if (invalid.length > 0) throw invalidResponses(task, invalid);
}

export function newBatchId(): string {
  return randomBytes(8).toString('hex');
}
