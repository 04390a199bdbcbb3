// The archive's CSV dialect: its columns, a reader that checks a .csv.gz and counts its rows, and the exact writer
// (pandas QUOTE_NONNUMERIC with CRLF) for servers that imitate the archive.
import { gunzipSync } from 'node:zlib';

/** The header the exporter writes (openaq-open-data main.py), in order. */
const ARCHIVE_CSV_COLUMNS = [
  'location_id',
  'sensors_id',
  'location',
  'datetime',
  'lat',
  'lon',
  'parameter',
  'units',
  'value',
] as const;

export interface ArchiveCsvRow {
  locationId: number;
  sensorsId: number;
  /** `site_name-sensor_systems_id`, not a clean name. */
  location: string;
  /** Local period END with offset, e.g. 2026-04-15T01:00:00+05:30. */
  datetime: string;
  lat: number;
  lon: number;
  parameter: string;
  units: string;
  value: number;
}

export type ArchiveObjectCheck =
  | { ok: true; rows: number }
  | { ok: false; rows: number | null; error: string };

/**
 * Checks an archive object as landed: gzip, the expected header, nine fields on every line. `rows` counts data
 * lines. Values are not typed here: the transform types them and quarantines what it cannot.
 */
export function checkArchiveObject(bytes: Uint8Array): ArchiveObjectCheck {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(gunzipSync(bytes));
  } catch (err) {
    return { ok: false, rows: null, error: `not a gzipped UTF-8 CSV: ${(err as Error).message}` };
  }
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (err) {
    return { ok: false, rows: null, error: (err as Error).message };
  }
  const [header, ...rows] = records;
  const expected = ARCHIVE_CSV_COLUMNS.join(',');
  if (!header || header.join(',') !== expected)
    return { ok: false, rows: null, error: `unexpected header: ${header?.join(',') ?? '(empty file)'}` };
  const bad = rows.findIndex((r) => r.length !== ARCHIVE_CSV_COLUMNS.length);
  if (bad >= 0)
    return {
      ok: false,
      rows: rows.length,
      error: `line ${bad + 2} has ${rows[bad]!.length} fields, expected ${ARCHIVE_CSV_COLUMNS.length}`,
    };
  return { ok: true, rows: rows.length };
}

/** Typed rows of an archive CSV text (quotes stripped before numbers are read). Throws on a malformed line. */
export function parseArchiveCsv(text: string): ArchiveCsvRow[] {
  const [header, ...rows] = parseCsv(text);
  if (!header || header.join(',') !== ARCHIVE_CSV_COLUMNS.join(','))
    throw new Error(`unexpected archive CSV header: ${header?.join(',') ?? '(empty)'}`);
  return rows.map((r, i) => {
    if (r.length !== ARCHIVE_CSV_COLUMNS.length) throw new Error(`line ${i + 2}: ${r.length} fields`);
    const [locationId, sensorsId, location, datetime, lat, lon, parameter, units, value] = r as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      locationId: toNumber(locationId, i),
      sensorsId: toNumber(sensorsId, i),
      location,
      datetime,
      lat: toNumber(lat, i),
      lon: toNumber(lon, i),
      parameter,
      units,
      value: toNumber(value, i),
    };
  });
}

function toNumber(field: string, index: number): number {
  const n = Number(field);
  if (field.trim() === '' || Number.isNaN(n)) throw new Error(`line ${index + 2}: not a number: ${field}`);
  return n;
}

/**
 * RFC 4180 records: fields separated by commas, optionally quoted with "" as an escaped quote; lines end in CRLF
 * or LF. A trailing line break does not start an empty record.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStarted = false;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new Error('unterminated quoted field at the end of the CSV');
  if (fieldStarted || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/**
 * The exporter's bytes: pandas `to_csv(index=False, quoting=QUOTE_NONNUMERIC, lineterminator="\r\n")` over a frame
 * whose ids are integers and whose lat, lon and value are non-numeric objects — so those three are quoted too.
 */
export function formatArchiveCsv(rows: readonly ArchiveCsvRow[]): string {
  const lines = [ARCHIVE_CSV_COLUMNS.map(quote).join(',')];
  for (const r of rows) {
    lines.push(
      [
        String(r.locationId),
        String(r.sensorsId),
        quote(r.location),
        quote(r.datetime),
        quote(pythonFloat(r.lat)),
        quote(pythonFloat(r.lon)),
        quote(r.parameter),
        quote(r.units),
        quote(pythonFloat(r.value)),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

function quote(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/** Python's str(float): the shortest round-trip digits, `.0` on whole numbers, exponent below 1e-4 or from 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Object.is(x, -0)) return '-0.0';
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}
