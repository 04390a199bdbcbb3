import { describe, expect, it } from 'vitest';
import { ApiError, dateOfParam, parseTimeParam, QueryReader, resolveTime } from './query.js';

describe('parseTimeParam / resolveTime', () => {
  it('reads an offset or Z as an instant', () => {
    const z = parseTimeParam('2024-07-20T14:00:00Z')!;
    expect(resolveTime(z, 'Asia/Kolkata')).toBe(Date.parse('2024-07-20T14:00:00Z'));
    const offset = parseTimeParam('2024-07-20T10:00:00-04:00')!;
    expect(resolveTime(offset, 'Asia/Kolkata')).toBe(Date.parse('2024-07-20T14:00:00Z'));
    expect(resolveTime(parseTimeParam('2024-07-20T19:30+0530')!, 'UTC')).toBe(
      Date.parse('2024-07-20T14:00:00Z'),
    );
  });

  it("reads a naive datetime or a plain date in the location's zone", () => {
    expect(resolveTime(parseTimeParam('2024-07-20')!, 'Asia/Kolkata')).toBe(
      Date.parse('2024-07-19T18:30:00Z'),
    );
    expect(resolveTime(parseTimeParam('2024-07-20T10:00:00')!, 'America/New_York')).toBe(
      Date.parse('2024-07-20T14:00:00Z'),
    );
    expect(resolveTime(parseTimeParam('2024-01-20 10:00')!, 'America/New_York')).toBe(
      Date.parse('2024-01-20T15:00:00Z'),
    );
  });

  it('rejects what pydantic rejects, including an offset whose + became a space in the query string', () => {
    expect(parseTimeParam('yesterday')).toBeNull();
    expect(parseTimeParam('2024-13-01')).toBeNull();
    expect(parseTimeParam('2024-07-20T10:00:00 05:30')).toBeNull();
  });

  it('takes a /days date from the wall date, or the UTC date of an instant', () => {
    expect(dateOfParam(parseTimeParam('2024-07-20')!)).toBe('2024-07-20');
    expect(dateOfParam(parseTimeParam('2024-07-20T23:00:00-04:00')!)).toBe('2024-07-21');
  });
});

describe('QueryReader', () => {
  const read = (qs: string, f: (q: QueryReader) => void) => {
    const q = new QueryReader(new URLSearchParams(qs));
    f(q);
    try {
      q.finish();
      return null;
    } catch (err) {
      return err as ApiError;
    }
  };

  it('reports a type error as a 422 whose body is a JSON string', () => {
    const err = read('limit=ten', (q) => q.int('limit', { gt: 0, le: 1000 }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err!.status).toBe(422);
    expect(typeof err!.body).toBe('string');
    expect(err!.body).toContain("'loc': ('query', 'limit')");
  });

  it('reports a violated bound as 422 {"detail": [...]} with loc, msg, input and ctx', () => {
    const err = read('limit=1001', (q) => q.int('limit', { gt: 0, le: 1000 }));
    expect(err!.body).toEqual({
      detail: [
        {
          type: 'less_than_equal',
          loc: ['query', 'limit'],
          msg: 'Input should be less than or equal to 1000',
          input: 1001,
          ctx: { le: 1000 },
          url: 'https://errors.pydantic.dev/2.10/v/less_than_equal',
        },
      ],
    });
  });

  it('keeps the last of repeated keys and treats empty values as absent', () => {
    expect(read('limit=5&limit=7', (q) => expect(q.int('limit')).toBe(7))).toBeNull();
    expect(read('limit=', (q) => expect(q.int('limit')).toBeUndefined())).toBeNull();
  });
});
