// aqlake query: the output formats, and the real CLI in a child process on a published lake.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/cli.js';
import { publishDays } from '../../test/helpers/lake-steps.js';
import { PM25, writeHourlyStation } from '../../test/helpers/raw-objects.js';
import { openTestLake, type TestLake } from '../../test/helpers/transform-lake.js';
import type { CellValue, QueryColumn } from '../engines/engine.js';
import { UsageError } from '../errors.js';
import { csvLine, formatTable, parseFormat, writeResult } from './query.js';

const col = (name: string, type = 'VARCHAR'): QueryColumn => ({ name, type });

async function render(format: 'table' | 'csv' | 'json', columns: QueryColumn[], rows: CellValue[][]) {
  let out = '';
  async function* batches() {
    yield rows.slice(0, 1);
    yield rows.slice(1);
  }
  await writeResult({ columns, batches: batches() }, format, (t) => {
    out += t;
  });
  return out;
}

describe('output formats', () => {
  it('aligns a table: numbers right, text left, NULL spelled out, one line per row', () => {
    const table = formatTable(
      [col('parameter'), col('units'), col('value_avg', 'DOUBLE'), col('note')],
      [
        ['pm25', 'µg/m³', 9.75, null],
        ['o3', 'ppm', 0.031, 'two\nlines'],
      ],
    );
    expect(table).toBe(
      [
        'parameter │ units │ value_avg │ note',
        '──────────┼───────┼───────────┼───────────',
        'pm25      │ µg/m³ │      9.75 │ NULL',
        'o3        │ ppm   │     0.031 │ two\\nlines',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('writes CSV as RFC 4180 says: CRLF, quoted commas, quotes and line breaks, empty NULL', async () => {
    expect(csvLine(['a,b', 'say "hi"', 'x\ny', 'plain'])).toBe('"a,b","say ""hi""","x\ny",plain\r\n');
    const csv = await render(
      'csv',
      [col('x'), col('n', 'BIGINT'), col('l', 'INTEGER[]')],
      [
        ['a,b', 1, [1, 2]],
        [null, 2, null],
      ],
    );
    expect(csv).toBe('x,n,l\r\n"a,b",1,"[1,2]"\r\n,2,\r\n');
  });

  it('writes JSON as an array of objects, with repeated column names made unique', async () => {
    const json = await render(
      'json',
      [col('a', 'INTEGER'), col('a', 'INTEGER'), col('d', 'DATE')],
      [
        [1, 2, '2024-03-10'],
        [3, 4, null],
      ],
    );
    expect(JSON.parse(json)).toEqual([
      { a: 1, a_2: 2, d: '2024-03-10' },
      { a: 3, a_2: 4, d: null },
    ]);
    expect(await render('json', [col('a')], [])).toBe('[]\n');
  });

  it('refuses an unknown format as a usage error (exit 2)', () => {
    expect(() => parseFormat('xml')).toThrow(UsageError);
    expect(() => parseFormat('xml')).toThrow('--format: expected table, csv or json, got "xml"');
    expect(new UsageError('x').exitCode).toBe(2);
  });
});

describe('aqlake query (the real CLI)', () => {
  let lake: TestLake;
  const env = () => ({ AQLAKE_HOME: lake.home });

  beforeAll(async () => {
    lake = openTestLake();
    // local day 2024-07-21 in Kolkata: period ends in (07-20 18:30Z, 07-21 18:30Z]; values 1…24 → mean 12.5
    await writeHourlyStation(lake.store, lake.meta, {
      location: {
        id: 1,
        timezone: 'Asia/Kolkata',
        latitude: 22.5,
        longitude: 88.3,
        sensors: [{ id: 11, parameter: PM25 }],
      },
      locationsFetchedAt: '2024-07-01T00:00:00Z',
      locationId: null,
      fromUtc: '2024-07-20T18:30:00Z',
      toUtc: '2024-07-21T18:30:00Z',
      value: (i) => i + 1,
      fetchedAt: '2024-07-22T00:00:00Z',
    });
    await publishDays(lake, '2024-07-22T00:00:00Z', ['2024-07-21']);
    await lake.close(); // the CLI opens the lake in its own process
  });

  afterAll(() => rmSync(lake.home, { recursive: true, force: true }));

  it('prints prod.daily_averages as a table', async () => {
    const r = await runCli(
      [
        'query',
        'SELECT local_date, sensor_id, units, value_avg, hour_count FROM prod.daily_averages ORDER BY local_date',
      ],
      { env: env() },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'local_date │ sensor_id │ units │ value_avg │ hour_count',
        '───────────┼───────────┼───────┼───────────┼───────────',
        '2024-07-21 │        11 │ µg/m³ │      12.5 │         24',
        '(1 row)',
        '',
      ].join('\n'),
    );
  });

  it('prints CSV and JSON', async () => {
    const csv = await runCli(
      ['query', '--format', 'csv', "SELECT sensor_id, 'a,b' AS tag FROM prod.daily_averages"],
      { env: env() },
    );
    expect(csv.stdout).toBe('sensor_id,tag\r\n11,"a,b"\r\n');
    const json = await runCli(
      ['query', '-f', 'json', 'SELECT count(*) AS n, min(period_end_utc) AS first FROM dev.measurements'],
      { env: env() },
    );
    expect(JSON.parse(json.stdout)).toEqual([{ n: 24, first: '2024-07-20T19:30:00' }]);
  });

  it('refuses writes and reads outside the lake with one line and exit 1', async () => {
    const inLake = join(lake.home, 'dev', 'stolen.csv');
    const write = await runCli(['query', `COPY (SELECT * FROM dev.measurements) TO '${inLake}'`], {
      env: env(),
    });
    expect(write.code).toBe(1);
    expect(write.stdout).toBe('');
    expect(write.stderr).toMatch(/^aqlake: read-only: only queries .* not COPY\n$/);
    expect(existsSync(inLake)).toBe(false);

    const passwd = await runCli(['query', "SELECT * FROM read_csv('/etc/passwd')"], { env: env() });
    expect(passwd.code).toBe(1);
    expect(passwd.stderr).toMatch(
      /^aqlake: read-only: Permission Error: Cannot access file "\/etc\/passwd".*\n$/,
    );
    expect(passwd.stdout).toBe('');
  });

  it('answers on an empty lake too', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'aqlake-empty-'));
    try {
      const r = await runCli(['query', '-f', 'json', 'SELECT count(*) AS n FROM prod.daily_averages'], {
        env: { AQLAKE_HOME: empty },
      });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual([{ n: 0 }]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
