// zod schemas for every request input the API accepts: query strings and JSON bodies.
import { z } from 'zod';
import { isIsoDate, latestToday } from '../time/local-day.js';
import { RUN_STATES } from './services.js';

/** Longest date range one backfill request may span, so a typo cannot queue decades of runs. */
const MAX_BACKFILL_DAYS = 366;

const isoDate = z.string().refine(isIsoDate, 'expected a date YYYY-MM-DD');
const positiveIdText = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'expected a positive whole number')
  .transform(Number);
const limitText = (max: number) =>
  z
    .string()
    .regex(/^[1-9]\d*$/, 'expected a positive whole number')
    .transform(Number)
    .refine((n) => n <= max, `at most ${max}`);
const locationIds = z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(1000);
/** A day of data to fetch: not one that has not begun anywhere yet. */
const dataDate = isoDate.refine((d) => d <= latestToday(), {
  error: (issue) => `${String(issue.input)} is in the future (today is ${latestToday()} at the latest)`,
});

function dateOrder<T extends { from?: string; to?: string }>(v: T): boolean {
  return v.from === undefined || v.to === undefined || v.from <= v.to;
}

export const runsQuery = z
  .object({
    dag: z.string().min(1).max(200).optional(),
    state: z.enum(RUN_STATES).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: limitText(1000).optional(),
  })
  .refine(dateOrder, { message: 'to is before from', path: ['to'] });

export const logQuery = z.object({ try: positiveIdText.optional() });

export const triggerBody = z.strictObject({ date: dataDate, locations: locationIds.optional() });

export const clearBody = z.strictObject({
  runId: z.string().min(1).max(500),
  task: z.string().min(1).max(200).optional(),
  downstream: z.boolean().optional(),
});

export const backfillBody = z
  .strictObject({ from: dataDate, to: dataDate, locations: locationIds.optional() })
  .refine(dateOrder, { message: 'to is before from', path: ['to'] })
  .refine((v) => daysBetween(v.from, v.to) < MAX_BACKFILL_DAYS, {
    message: `a backfill may span at most ${MAX_BACKFILL_DAYS} days`,
    path: ['to'],
  });

export const checksQuery = z.object({
  date: isoDate.optional(),
  status: z.enum(['pass', 'fail', 'skip']).optional(),
});

export const prodQuery = z
  .object({
    location_id: positiveIdText.optional(),
    sensor_id: positiveIdText.optional(),
    parameter: z
      .string()
      .regex(/^[A-Za-z0-9_.]{1,40}$/, 'expected a parameter name like pm25')
      .optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: limitText(100_000).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine(dateOrder, { message: 'to is before from', path: ['to'] });

export const queryBody = z.strictObject({ sql: z.string().trim().min(1, 'sql is empty').max(100_000) });

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
