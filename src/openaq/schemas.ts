// zod schemas of the OpenAQ v3 response shapes: strict on the fields the pipeline uses, lenient on the rest.
import { z } from 'zod';
import { isValidTimeZone } from '../time/local-day.js';

const id = z.number().int();
/** A UTC instant as OpenAQ writes it: "…Z" now, "…+00:00" in older answers. */
const instant = z.iso.datetime({ offset: true });
const text = z.string().nullable().optional();
const num = z.number().nullable().optional();

/** `{utc, local}` where the pipeline reads `utc`. */
const datetimeSchema = z.object({ utc: instant, local: z.string() });
/** `{utc, local}` the pipeline does not rely on. */
const looseDatetime = z
  .object({ utc: z.string().optional(), local: z.string().optional() })
  .nullable()
  .optional();

const coordinatesSchema = z.object({ latitude: z.number(), longitude: z.number() });
const namedRef = z.object({ id: id.optional(), name: text }).nullable().optional();

const metaSchema = z.object({
  name: z.string().optional(),
  website: z.string().optional(),
  page: z.number().int(),
  limit: z.number().int(),
  /** An exact count, the page length, or a string like ">1000": never use it to page. */
  found: z.union([z.number(), z.string()]).optional(),
});

/** A parameter as embedded in locations, sensors and measurements. A parameter is name AND units. */
const parameterRefSchema = z.object({
  id,
  name: z.string(),
  units: z.string(),
  displayName: text,
});

/** `/v3/parameters` records. */
export const parameterSchema = parameterRefSchema.extend({ description: text });

const summarySchema = z
  .object({ min: num, q02: num, q25: num, median: num, q75: num, q98: num, max: num, avg: num, sd: num })
  .nullable()
  .optional();

const coverageSchema = z
  .object({
    expectedCount: num,
    expectedInterval: text,
    observedCount: num,
    observedInterval: text,
    percentComplete: num,
    percentCoverage: num,
    datetimeFrom: looseDatetime,
    datetimeTo: looseDatetime,
  })
  .nullable()
  .optional();

/** `/v3/locations` and `/v3/locations/{id}` records; `sensors` lists the location's sensors. */
export const locationSchema = z.object({
  id,
  name: text,
  locality: text,
  timezone: z.string().refine(isValidTimeZone, 'expected an IANA time zone'),
  country: z.object({ id: id.nullable().optional(), code: text, name: text }).nullable().optional(),
  owner: namedRef,
  provider: namedRef,
  isMobile: z.boolean().optional(),
  isMonitor: z.boolean().optional(),
  instruments: z
    .array(z.object({ id: id.optional(), name: text }))
    .nullable()
    .optional(),
  sensors: z.array(z.object({ id, name: text, parameter: parameterRefSchema })),
  coordinates: coordinatesSchema.nullable().optional(),
  licenses: z
    .array(z.object({ id: id.optional(), name: text }).loose())
    .nullable()
    .optional(),
  bounds: z.array(z.number()).nullable().optional(),
  distance: num,
  datetimeFirst: looseDatetime,
  datetimeLast: looseDatetime,
});

/** `/v3/sensors/{id}` and `/v3/locations/{id}/sensors` records. */
export const sensorSchema = z.object({
  id,
  name: text,
  parameter: parameterRefSchema,
  datetimeFirst: looseDatetime,
  datetimeLast: looseDatetime,
  coverage: coverageSchema,
  latest: z
    .object({ datetime: looseDatetime, value: num, coordinates: coordinatesSchema.nullable().optional() })
    .nullable()
    .optional(),
  summary: summarySchema,
});

const periodSchema = z.object({
  label: z.string(),
  /** The sensor's logging period, e.g. "01:00:00", "00:30:00"; "24:00:00" for a day. */
  interval: z.string(),
  datetimeFrom: datetimeSchema,
  datetimeTo: datetimeSchema,
});

/**
 * Raw `/v3/sensors/{id}/measurements` records. They carry no sensor or location id: keep the
 * request context next to them. `/hours`, `/days` and their rollups have the same shape: there `value` is
 * rounded to 3 significant digits, `summary.avg` is the full-precision mean, `coverage.observedCount` the number
 * of periods with data.
 */
export const measurementSchema = z.object({
  value: z.number(),
  flagInfo: z.object({ hasFlags: z.boolean() }).nullable().optional(),
  parameter: parameterRefSchema,
  period: periodSchema,
  coordinates: coordinatesSchema.nullable().optional(),
  summary: summarySchema,
  coverage: coverageSchema,
});

/** `/v3/locations/{id}/latest` and `/v3/parameters/{id}/latest` records. */
export const latestSchema = z.object({
  datetime: datetimeSchema,
  value: z.number(),
  coordinates: coordinatesSchema.nullable().optional(),
  sensorsId: id,
  locationsId: id,
});

/** `/v3/countries` records; here `datetimeFirst`/`datetimeLast` are plain strings. */
export const countrySchema = z.object({
  id,
  code: z.string(),
  name: z.string(),
  datetimeFirst: text,
  datetimeLast: text,
  parameters: z.array(parameterRefSchema).nullable().optional(),
});

type Meta = z.infer<typeof metaSchema>;
export type Parameter = z.infer<typeof parameterSchema>;
export type Location = z.infer<typeof locationSchema>;

export type ParsedEnvelope<T> = { ok: true; meta: Meta; results: T[] } | { ok: false; error: string };

/**
 * Decodes and validates a response body. On failure, `error` is one line naming the JSON path and the
 * problem of the first issue, e.g. "results[3].period.datetimeTo.utc: Invalid input: expected string, received undefined".
 */
export function parseEnvelope<T>(body: Uint8Array | string, item: z.ZodType<T>): ParsedEnvelope<T> {
  let json: unknown;
  try {
    const source = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
    json = JSON.parse(source);
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const parsed = z.object({ meta: metaSchema, results: z.array(item) }).safeParse(json);
  if (parsed.success) return { ok: true, meta: parsed.data.meta, results: parsed.data.results };
  const [first, ...rest] = parsed.error.issues;
  const where = first ? jsonPath(first.path) : '';
  const more = rest.length ? ` (and ${rest.length} more issue${rest.length > 1 ? 's' : ''})` : '';
  return { ok: false, error: `${where || '(root)'}: ${first?.message ?? 'invalid'}${more}` };
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${String(key)}`))
    .join('');
}
