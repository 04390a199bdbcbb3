// Turns every error a handler throws into one JSON answer {error}; input validation with zod lands here as 400.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { AqlakeError, UsageError } from '../errors.js';
import type { Logger } from '../logging.js';
import { QueryRejectedError } from './services.js';

export function badRequest(message: string): HTTPException {
  return new HTTPException(400, { message });
}

export function notFound(message: string): HTTPException {
  return new HTTPException(404, { message });
}

/** Parses `value` with `schema` or throws a 400 whose message names the field and the problem. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw badRequest(`${where}${issue.message}`);
}

export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw badRequest('expected a JSON body');
  }
}

export function errorResponder(logger?: Logger): (err: Error, c: Context) => Response {
  return (err, c) => {
    if (err instanceof HTTPException) {
      if (err.status === 401) c.header('WWW-Authenticate', 'Bearer');
      return c.json({ error: err.message }, err.status as ContentfulStatusCode);
    }
    if (err instanceof QueryRejectedError || err instanceof UsageError)
      return c.json({ error: err.message }, 400);
    logger?.error({ err, path: c.req.path }, 'request failed');
    // An AqlakeError's message is written for users; anything else may expose internals.
    const message = err instanceof AqlakeError ? err.message : 'internal error (see the server log)';
    return c.json({ error: message }, 500);
  };
}
