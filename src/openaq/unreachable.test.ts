// Which transport failures mean the OpenAQ host cannot be reached at all (the command stops) and which are passing.
import { describe, expect, it } from 'vitest';
import { stopsCommand, storageFailure } from '../errors.js';
import { unreachableCode } from './client.js';

const undiciFailure = (cause: Error) => new TypeError('fetch failed', { cause });
const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('unreachableCode', () => {
  it('finds DNS failures and refused connections in undici’s cause chain', () => {
    expect(unreachableCode(undiciFailure(coded('getaddrinfo ENOTFOUND api.openaq.org', 'ENOTFOUND')))).toBe(
      'getaddrinfo ENOTFOUND api.openaq.org',
    );
    expect(
      unreachableCode(undiciFailure(coded('getaddrinfo EAI_AGAIN api.openaq.org', 'EAI_AGAIN'))),
    ).toMatch(/EAI_AGAIN/);
    const both = Object.assign(new AggregateError([coded('connect ECONNREFUSED ::1:443', 'ECONNREFUSED')]), {
      code: 'ECONNREFUSED',
    });
    expect(unreachableCode(undiciFailure(both))).toBeDefined();
  });

  it('leaves a dropped connection or a timeout to the retries', () => {
    expect(unreachableCode(undiciFailure(coded('other side closed', 'UND_ERR_SOCKET')))).toBeUndefined();
    expect(unreachableCode(new DOMException('timed out', 'TimeoutError'))).toBeUndefined();
  });
});

describe('storage failures stop the command', () => {
  it('recognises a full disk and an I/O error by code or message', () => {
    expect(storageFailure(coded('ENOSPC: no space left on device, write', 'ENOSPC'))).toBe('disk full');
    expect(storageFailure(coded('database or disk is full', 'SQLITE_FULL'))).toBe('disk full');
    expect(
      storageFailure(new Error('DuckDB IO Error: Could not write file "x": No space left on device')),
    ).toBe('disk full');
    expect(storageFailure(coded('disk I/O error', 'SQLITE_IOERR_WRITE'))).toBe('I/O error');
    expect(stopsCommand(coded('ENOSPC', 'ENOSPC'))).toBe(true);
    expect(stopsCommand(new Error('Catalog Error: no such table'))).toBe(false);
  });
});
