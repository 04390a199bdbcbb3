// The shape of aqlake.config.json, its defaults, and the rules a value must pass.
import { z } from 'zod';
import { isValidTimeZone } from '../time/local-day.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

const scopeSchema = z
  .strictObject({
    /** Location ids to extract. When set, discovery filters below are ignored. */
    locations: z.array(z.number().int().positive()).min(1).optional(),
    /** ISO 3166-1 alpha-2 country codes to discover locations in. */
    countries: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'expected a two-letter ISO country code like "US"'))
      .optional(),
    /** Bounding box [minLon, minLat, maxLon, maxLat] to discover locations in. */
    bbox: z
      .tuple([
        z.number().min(-180).max(180),
        z.number().min(-90).max(90),
        z.number().min(-180).max(180),
        z.number().min(-90).max(90),
      ])
      .refine(
        ([minLon, minLat, maxLon, maxLat]) => minLon < maxLon && minLat < maxLat,
        'expected minLon < maxLon and minLat < maxLat',
      )
      .optional(),
    /** A point and a radius in metres (at most 25,000, as OpenAQ allows) to discover locations around. */
    coordinates: z
      .strictObject({
        latitude: z.number().min(-90).max(90),
        longitude: z.number().min(-180).max(180),
        radiusMeters: z.number().int().min(1).max(25_000),
      })
      .optional(),
    /** Parameter ids (a parameter is name and unit: pm25 µg/m³ is 2) that discovered locations must measure; also limits which sensors are extracted. */
    parameters: z.array(z.number().int().positive()).optional(),
    /** Upper bound on discovered locations, so a country-wide scope cannot run away. */
    maxLocations: z.number().int().positive().default(100),
  })
  .refine((s) => !(s.bbox && s.coordinates), {
    message: 'use either bbox or coordinates, not both',
    path: ['bbox'],
  })
  .refine((s) => s.locations || s.countries || s.bbox || s.coordinates || s.parameters, {
    message: 'name locations, or countries / bbox / coordinates / parameters to discover them',
  });

export const configSchema = z.strictObject({
  /** Lake root; AQLAKE_HOME overrides. */
  home: z.string().min(1).default('./lake'),
  engine: z.enum(['local', 'aws']).default('local'),
  scope: scopeSchema.default({ locations: [2178], maxLocations: 100 }),
  schedule: z
    .strictObject({
      cron: z.string().min(1).default('30 3 * * *'),
      timezone: z
        .string()
        .min(1)
        .refine(isValidTimeZone, { error: (issue) => `unknown IANA time zone "${String(issue.input)}"` })
        .default('UTC'),
      startDate: isoDate.optional(),
      catchup: z.boolean().default(false),
      maxActiveRuns: z.number().int().positive().default(1),
    })
    .default({ cron: '30 3 * * *', timezone: 'UTC', catchup: false, maxActiveRuns: 1 }),
  /** Days before the logical date that a scheduled run re-reads, because OpenAQ data arrives late. */
  lookbackDays: z.number().int().min(0).max(30).default(3),
  api: z
    .strictObject({
      url: z.url().default('https://api.openaq.org/v3'),
      key: z.string().min(1).optional(),
      rateLimit: z
        .strictObject({
          perMinute: z.number().int().positive().default(60),
          perHour: z.number().int().positive().default(2000),
        })
        .default({ perMinute: 60, perHour: 2000 }),
      timeoutMs: z.number().int().positive().default(30_000),
      maxRetries: z.number().int().min(0).default(6),
    })
    .default({
      url: 'https://api.openaq.org/v3',
      rateLimit: { perMinute: 60, perHour: 2000 },
      timeoutMs: 30_000,
      maxRetries: 6,
    }),
  archive: z
    .strictObject({
      url: z.url().default('https://openaq-data-archive.s3.amazonaws.com'),
      lagDays: z.number().int().min(0).default(4),
    })
    .default({ url: 'https://openaq-data-archive.s3.amazonaws.com', lagDays: 4 }),
  duckdb: z
    .strictObject({
      memoryLimit: z
        .string()
        .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'expected a size like "1GB"')
        .default('1GB'),
      threads: z.number().int().positive().default(2),
      tempDirectory: z.string().optional(),
      /** DuckDB's spill files may use at most this much disk (DuckDB's own default is 90 % of the free space). */
      maxTempDirectorySize: z
        .string()
        .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'expected a size like "4GiB"')
        .default('4GiB'),
    })
    .default({ memoryLimit: '1GB', threads: 2, maxTempDirectorySize: '4GiB' }),
  server: z
    .strictObject({
      /** Host names (with or without :port) the server answers besides its bound address and localhost. */
      allowedHosts: z.array(z.string().min(1).max(253)).default([]),
      /** /api/query answers are cut at this many rows … */
      maxQueryRows: z.number().int().positive().default(10_000),
      /** … or at this many bytes of rows, whichever comes first. */
      maxQueryBytes: z
        .number()
        .int()
        .positive()
        .default(16 * 1024 * 1024),
      /** A request body larger than this is refused before it is read. */
      maxBodyBytes: z
        .number()
        .int()
        .positive()
        .default(1024 * 1024),
    })
    .default({
      allowedHosts: [],
      maxQueryRows: 10_000,
      maxQueryBytes: 16 * 1024 * 1024,
      maxBodyBytes: 1024 * 1024,
    }),
  checks: z
    .strictObject({
      /** A day whose sensors report fewer hours than this share fails the coverage check (warn). */
      minCoveragePct: z.number().min(0).max(100).default(50),
      /** The newest measurement of a scheduled run may be at most this old (warn). */
      maxStalenessHours: z.number().positive().default(72),
    })
    .default({ minCoveragePct: 50, maxStalenessHours: 72 }),
  lake: z
    .strictObject({
      /** Days a replaced version's object stays under `_versions/` (history, rollback) before vacuum removes it. */
      retentionDays: z.number().int().min(0).default(7),
    })
    .default({ retentionDays: 7 }),
  orchestrator: z
    .strictObject({
      parallelism: z.number().int().positive().default(2),
      retries: z.number().int().min(0).default(2),
      retryDelaySeconds: z.number().min(0).default(30),
      taskTimeoutSeconds: z.number().positive().default(3600),
    })
    .default({ parallelism: 2, retries: 2, retryDelaySeconds: 30, taskTimeoutSeconds: 3600 }),
});

export type AqlakeConfig = z.infer<typeof configSchema>;
export type Scope = z.infer<typeof scopeSchema>;
