// The bearer token: when one is set, every API request must carry it; compared in constant time, never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Hashing first gives equal-length buffers, so the comparison time says nothing about the token's length. */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const given = bearerToken(c.req.header('authorization'));
    if (given === undefined || !tokensMatch(given, token)) {
      throw new HTTPException(401, {
        message:
          given === undefined ? 'this server needs a token: Authorization: Bearer <token>' : 'wrong token',
      });
    }
    await next();
  };
}
