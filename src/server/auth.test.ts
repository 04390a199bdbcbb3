import { describe, expect, it } from 'vitest';
import { bearerToken, isLoopbackHost, tokensMatch } from './auth.js';
import { checkBinding } from './server.js';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.org', '128.0.0.1'])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('checkBinding', () => {
  it('refuses a non-loopback host without a token, naming the flag', () => {
    expect(() => checkBinding('0.0.0.0', undefined)).toThrow(/--token/);
    expect(() => checkBinding('0.0.0.0', 'a-long-enough-token')).not.toThrow();
    expect(() => checkBinding('127.0.0.1', undefined)).not.toThrow();
  });

  it('refuses a token too short to be a secret', () => {
    expect(() => checkBinding('0.0.0.0', 'abc')).toThrow(/at least 8/);
  });
});

describe('tokens', () => {
  it('reads the bearer token from the Authorization header', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('matches only the exact token, whatever the lengths', () => {
    expect(tokensMatch('s3cret-token', 's3cret-token')).toBe(true);
    expect(tokensMatch('s3cret-toke', 's3cret-token')).toBe(false);
    expect(tokensMatch('s3cret-token-and-more', 's3cret-token')).toBe(false);
    expect(tokensMatch('', 's3cret-token')).toBe(false);
  });
});
