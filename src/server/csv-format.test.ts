// ?format=csv on JSON list answers: the same rows as the JSON, in order, through the real app over fake services.
import { describe, expect, it } from 'vitest';
import { fakeServices } from '../../test/helpers/fake-services.js';
import { createApp } from './app.js';
import { columnsOf, rowsOf } from './csv-format.js';

function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\r\n')
    .map((line) => line.split(','));
}

describe('?format=csv', () => {
  it('answers a JSON list route with the same rows as CSV', async () => {
    const app = createApp(fakeServices());
    const json = (await (await app.request('/api/catalog/tables')).json()) as {
      tables: Record<string, unknown>[];
    };
    expect(json.tables.length).toBeGreaterThan(0);
    const res = await app.request('/api/catalog/tables?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="tables.csv"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [header, ...rows] = parseCsv(await res.text());
    expect(header).toEqual(columnsOf(json.tables));
    expect(rows.map((r) => r[0])).toEqual(json.tables.map((t) => String(t[header![0]!])));
  });

  it('leaves errors and non-list answers as JSON', async () => {
    const app = createApp(fakeServices());
    const missing = await app.request('/api/catalog/tables/nope/partitions?format=csv');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/json/);
    const health = await app.request('/api/health?format=csv');
    expect(await health.json()).toEqual({ ok: true });
  });

  it('takes the first list of objects as the rows', () => {
    expect(rowsOf({ failed: 1, results: [{ a: 1 }] })).toEqual({ name: 'results', rows: [{ a: 1 }] });
    expect(rowsOf({ ok: true })).toBeUndefined();
    expect(columnsOf([{ a: 1 }, { b: 2, a: 3 }])).toEqual(['a', 'b']);
  });
});
