import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  type ArchiveCsvRow,
  checkArchiveObject,
  formatArchiveCsv,
  parseArchiveCsv,
  parseCsv,
  pythonFloat,
} from './archive-csv.js';

const FIXTURES = new URL('../../test/fixtures/openaq/archive-csv/', import.meta.url);
const QUOTED = readFileSync(new URL('quoted_format_rows_mixed_sources.csv', FIXTURES), 'utf8');
const DOCS = readFileSync(new URL('docs_example_location-2178-20230222_partial.csv', FIXTURES), 'utf8');

describe('archive CSV', () => {
  it('reads the real quoted rows: CRLF, quoted floats, UTF-8 units, local period end with offset', () => {
    const rows = parseArchiveCsv(QUOTED);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({
      locationId: 2178,
      sensorsId: 3919,
      location: 'Del Norte-2178',
      datetime: '2026-02-10T01:00:00-07:00',
      lat: 35.1353,
      lon: -106.584702,
      parameter: 'pm10',
      units: 'µg/m³',
      value: 21,
    });
    expect(rows.find((r) => r.parameter === 'no2')).toMatchObject({
      sensorsId: 23535,
      units: 'ppb',
      value: 21.5,
    });
  });

  it('reads the unquoted docs rendering of the same format', () => {
    const rows = parseArchiveCsv(DOCS);
    expect(rows).toHaveLength(14);
    expect(rows.map((r) => r.value).slice(10, 13)).toEqual([127, 318, 241]);
  });

  it('writes the exporter bytes: the real rows come back byte for byte', () => {
    expect(formatArchiveCsv(parseArchiveCsv(QUOTED))).toBe(QUOTED);
  });

  it('keeps commas and quotes inside quoted fields', () => {
    const row: ArchiveCsvRow = {
      locationId: 1,
      sensorsId: 2,
      location: 'Station "A", North-9',
      datetime: '2024-01-01T01:00:00Z',
      lat: 1.5,
      lon: -2,
      parameter: 'pm25',
      units: 'µg/m³',
      value: -999,
    };
    const text = formatArchiveCsv([row]);
    expect(text).toContain('"Station ""A"", North-9"');
    expect(parseArchiveCsv(text)).toEqual([row]);
    expect(parseCsv('a,"b\r\nc"\r\n')).toEqual([['a', 'b\r\nc']]);
  });

  it("prints floats as Python's str() does", () => {
    expect([21, 7.23, -4.9, 1e-5, 1e16, 0.0001, -0].map(pythonFloat)).toEqual([
      '21.0',
      '7.23',
      '-4.9',
      '1e-05',
      '1e+16',
      '0.0001',
      '-0.0',
    ]);
  });

  it('checks a landed object: gzip, header, field count; counts its rows', () => {
    expect(checkArchiveObject(gzipSync(Buffer.from(QUOTED)))).toEqual({ ok: true, rows: 5 });
    expect(checkArchiveObject(Buffer.from(QUOTED))).toMatchObject({ ok: false });
    expect(checkArchiveObject(gzipSync(Buffer.from('a,b\r\n1,2\r\n')))).toMatchObject({
      ok: false,
      error: expect.stringContaining('unexpected header'),
    });
    const short = `${QUOTED}1,2,"x"\r\n`;
    expect(checkArchiveObject(gzipSync(Buffer.from(short)))).toMatchObject({ ok: false, rows: 6 });
  });
});
