// sql/dev/archive_measurements.sql on real archive rows (fixtures) and on broken ones, with DuckDB on real .csv.gz files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDuckDbInstance,
  type DuckDbSession,
  withSession,
} from '../src/engines/duckdb/duckdb-instance.js';
import { insertArchiveRows, type RawArchiveObject } from '../src/engines/duckdb/transform-archive.js';
import { sqlStatement } from '../src/engines/sql-files.js';
import { writeArchiveFile } from './helpers/raw-objects.js';
import { tempDir } from './helpers/temp-dir.js';

const FIXTURES = new URL('./fixtures/openaq/archive-csv/', import.meta.url);
const dir = tempDir('aqlake-archive-sql-');
let instance: Awaited<ReturnType<typeof createDuckDbInstance>>;

/** Parameter ids for the test (pm10 and pm25 are OpenAQ's 1 and 2; the others are made up for the test). */
const PARAMETERS = [
  { id: 1, name: 'pm10', units: 'µg/m³' },
  { id: 2, name: 'pm25', units: 'µg/m³' },
  { id: 900, name: 'no2', units: 'ppb' },
];

const LOCATIONS = [
  { id: 2178, timezone: 'America/Denver', latitude: 35.1353, longitude: -106.584702 },
  { id: 8118, timezone: 'Asia/Kolkata', latitude: 28.63576, longitude: 77.22445 },
];

beforeAll(async () => {
  instance = await createDuckDbInstance({
    memoryLimit: '256MB',
    threads: 1,
    tempDirectory: join(dir, 'tmp'),
  });
  writeFileSync(
    join(dir, 'parameters.json'),
    JSON.stringify({ meta: { name: 'openaq-api', page: 1, limit: 1000, found: 3 }, results: PARAMETERS }),
  );
});
afterAll(() => instance?.closeSync());

/** `{name}.csv.gz` holding `text`, of a location and day, as the transform is handed it. */
function archiveFile(name: string, text: string, locationId: number, localDate: string, valid = true) {
  return writeArchiveFile(dir, { name: `${name}.csv.gz`, text, locationId, localDate, valid }).object;
}

/** The transform's own temp tables (dev/measurements.sql), then the archive rows, then what landed in `rows`. */
async function archiveRows(
  objects: RawArchiveObject[],
  from: string,
  to: string,
): Promise<Record<string, unknown>[]> {
  return withSession(instance, async (db: DuckDbSession) => {
    await db.run(sqlStatement('dev/measurements.sql', 'create_empty_location_versions'));
    for (const l of LOCATIONS)
      await db.run(
        "INSERT INTO location_versions VALUES ($id, $tz, $lat, $lon, TIMESTAMP '2020-01-01', true)",
        { id: l.id, tz: l.timezone, lat: l.latitude, lon: l.longitude },
      );
    await db.run(sqlStatement('dev/measurements.sql', 'create_rows'));
    await db.run("ALTER TABLE rows ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT 'api'");
    await insertArchiveRows(db, {
      fromDate: from,
      toDate: to,
      archiveObjects: objects,
      parameterFiles: [join(dir, 'parameters.json')],
    });
    return db.rows(
      `SELECT * REPLACE (strftime(period_start_utc, '%Y-%m-%dT%H:%M:%SZ') AS period_start_utc,
         strftime(period_end_utc, '%Y-%m-%dT%H:%M:%SZ') AS period_end_utc,
         strftime(local_date, '%Y-%m-%d') AS local_date, strftime(partition_date, '%Y-%m-%d') AS partition_date)
       FROM rows ORDER BY sensor_id, period_end_utc, reason`,
    );
  });
}

describe('archive_measurements.sql', () => {
  it('types the real quoted rows: CRLF, quoted floats, local period end with offset → UTC and local day', async () => {
    const text = readFileSync(new URL('quoted_format_rows_mixed_sources.csv', FIXTURES), 'utf8');
    const rows = await archiveRows(
      [archiveFile('quoted', text, 8118, '2026-04-15')],
      '2026-02-01',
      '2026-04-30',
    );
    // The 2178 row is not location 8118's: it is quarantined, not silently attributed.
    const typed = rows.filter((r) => r.reason === null);
    expect(typed.map((r) => [r.sensor_id, r.parameter_id, r.period_end_utc, r.local_date, r.value])).toEqual([
      [23534, 2, '2026-04-14T19:30:00Z', '2026-04-15', 71],
      [23534, 2, '2026-04-14T20:30:00Z', '2026-04-15', 72],
      [23535, 900, '2026-04-14T19:30:00Z', '2026-04-15', 21.5],
      [23536, 1, '2026-04-14T19:30:00Z', '2026-04-15', 140],
    ]);
    expect(typed[0]).toMatchObject({
      location_id: 8118,
      parameter: 'pm25',
      units: 'µg/m³',
      timezone: 'Asia/Kolkata',
      latitude: 28.63576,
      longitude: 77.22445,
      interval_seconds: 3600,
      period_start_utc: '2026-04-14T18:30:00Z',
      has_flags: null,
      source: 'archive',
      partition_date: '2026-04-15',
    });
    expect(rows.filter((r) => r.reason !== null).map((r) => [r.sensor_id, r.reason])).toEqual([
      [3919, "location_id differs from the archive key's"],
    ]);
  });

  it('reads the unquoted docs rendering too, and keeps the hour ending at midnight in the day before', async () => {
    const docs = readFileSync(new URL('docs_example_location-2178-20230222_partial.csv', FIXTURES), 'utf8');
    const midnight =
      '2178,3919,Del Norte-2178,2023-02-23T00:00:00-07:00,35.1353,-106.584702,pm10,µg/m³,3.0\n';
    const rows = await archiveRows(
      [archiveFile('docs', docs + midnight, 2178, '2023-02-22')],
      '2023-02-22',
      '2023-02-22',
    );
    expect(rows).toHaveLength(15);
    expect(rows.every((r) => r.reason === null && r.local_date === '2023-02-22')).toBe(true);
    expect(rows.map((r) => r.value)).toEqual([14, 4, 7, 6, 5, 9, 20, 28, 19, 26, 127, 318, 241, 9, 3]);
    expect(rows[0]).toMatchObject({ period_end_utc: '2023-02-22T08:00:00Z', timezone: 'America/Denver' });
    expect(rows.at(-1)).toMatchObject({ period_end_utc: '2023-02-23T07:00:00Z' });
  });

  it('infers a 15-minute cadence from the period ends', async () => {
    const lines = [
      '"location_id","sensors_id","location","datetime","lat","lon","parameter","units","value"',
    ];
    for (const t of ['00:15', '00:30', '00:45', '01:00', '01:30'])
      lines.push(`2178,5,"X-1","2024-06-01T${t}:00-06:00","35.1","-106.5","pm25","µg/m³","1.0"`);
    const rows = await archiveRows(
      [archiveFile('quarter', `${lines.join('\r\n')}\r\n`, 2178, '2024-06-01')],
      '2024-06-01',
      '2024-06-01',
    );
    expect(rows.map((r) => r.interval_seconds)).toEqual([900, 900, 900, 900, 900]);
    expect(rows[0]!.period_start_utc).toBe('2024-06-01T06:00:00Z');
  });

  it('quarantines what it cannot type, with the reason, and an unreadable object as one row', async () => {
    const text = [
      '"location_id","sensors_id","location","datetime","lat","lon","parameter","units","value"',
      '2178,1,"X-1","2024-06-01T01:00:00","35.1","-106.5","pm25","µg/m³","1.0"',
      '2178,2,"X-1","2024-06-01T01:00:00-06:00","35.1","-106.5","pm25","µg/m³","n/a"',
      '2178,3,"X-1","2024-06-01T01:00:00-06:00","35.1","-106.5","pm25","ug/m3","1.0"',
      '2178,4,"X-1","2024-06-01T01:00:00-06:00","","","pm25","µg/m³","-999.0"',
      '2178,,"X-1","2024-06-01T01:00:00-06:00","35.1","-106.5","pm25","µg/m³","1.0"',
      '',
    ].join('\r\n');
    const rows = await archiveRows(
      [
        archiveFile('bad', text, 2178, '2024-06-01'),
        archiveFile('invalid', 'oops', 2178, '2024-06-02', false),
      ],
      '2024-06-01',
      '2024-06-02',
    );
    const reasons = rows.map((r) => [r.sensor_id, r.reason, r.partition_date]);
    expect(reasons).toEqual([
      [1, 'unparseable datetime (local period end with UTC offset)', '2024-06-01'],
      [2, 'value is not a number', '2024-06-01'],
      [3, 'no parameter id for this name and units in /v3/parameters', '2024-06-01'],
      [4, null, '2024-06-01'],
      [null, 'missing or non-integer sensors_id', '2024-06-01'],
      [null, "raw archive object failed the extract's check: unexpected header", '2024-06-02'],
    ]);
    // Missing coordinates fall back to the location's; a sentinel is kept as reported.
    expect(rows[3]).toMatchObject({ value: -999, latitude: 35.1353, longitude: -106.584702 });
    expect(rows[1]).toMatchObject({ value_raw: 'n/a' });
  });
});
