import { describe, expect, it } from 'vitest';
import { describeErrorBody, errorResponseMessage } from './error-body.js';

describe('describeErrorBody', () => {
  it('reads the WAF `message` and the app `detail` string', () => {
    expect(
      describeErrorBody(
        '{"message": "Unauthorized. A valid API key must be provided in the X-API-Key header."}',
      ),
    ).toBe('Unauthorized. A valid API key must be provided in the X-API-Key header.');
    expect(describeErrorBody('{"detail":"Location not found"}')).toBe('Location not found');
  });

  it('names the query field of each pydantic error', () => {
    const body = JSON.stringify({
      detail: [
        {
          type: 'less_than_equal',
          loc: ['query', 'limit'],
          msg: 'Input should be less than or equal to 1000',
          input: '2000',
          ctx: { le: 1000 },
        },
        { type: 'greater_than', loc: ['query', 'page'], msg: 'Input should be greater than 0', input: '0' },
      ],
    });
    expect(describeErrorBody(body)).toBe(
      'query.limit: Input should be less than or equal to 1000; query.page: Input should be greater than 0',
    );
  });

  it('accepts a body that is itself a JSON string, on one line', () => {
    const body = JSON.stringify(
      "1 validation error:\n  {'type': 'datetime_from_date_parsing', 'loc': ('query', 'datetime_from'), 'msg': 'Input should be a valid datetime'}",
    );
    expect(describeErrorBody(body)).toBe(
      "1 validation error: {'type': 'datetime_from_date_parsing', 'loc': ('query', 'datetime_from'), 'msg': 'Input should be a valid datetime'}",
    );
  });

  it('falls back to the text of non-JSON bodies', () => {
    expect(describeErrorBody('<html><body><h1>403 Forbidden</h1>\n</body></html>')).toBe('403 Forbidden');
    expect(describeErrorBody(new TextEncoder().encode('Internal Server Error'))).toBe(
      'Internal Server Error',
    );
    expect(describeErrorBody('')).toBe('no error detail in the response body');
    expect(describeErrorBody('x'.repeat(1000))).toHaveLength(300);
  });
});

describe('errorResponseMessage', () => {
  it('builds one line with status, path and what to do', () => {
    expect(
      errorResponseMessage(
        401,
        '/v3/locations/1',
        '{"message": "Unauthorized. A valid API key must be provided in the X-API-Key header."}',
      ),
    ).toBe(
      'OpenAQ 401 for /v3/locations/1: Unauthorized. A valid API key must be provided in the X-API-Key header. (check OPENAQ_API_KEY)',
    );
    expect(errorResponseMessage(404, '/v3/sensors/9', '{"detail":"Sensor not found"}')).toBe(
      'OpenAQ 404 for /v3/sensors/9: Sensor not found',
    );
  });
});
