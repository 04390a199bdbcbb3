// The read-only guard of a locked query session, on real Parquet files: user SQL reads the lake and nothing else.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuerySession } from '../src/engines/duckdb/query-session.js';
import { EngineError } from '../src/errors.js';
import { DAILY_AVERAGES_COLUMNS } from './helpers/prod-rows.js';
import { measurement, sessionOver, writeMeasurementsParquet } from './prod-views-support.js';

let home: string;
let devDir: string;
let session: QuerySession;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-guard-'));
  devDir = join(home, 'dev');
  const file = join(devDir, 'measurements/year=2024/month=07/day=21/part-a.parquet');
  await writeMeasurementsParquet(file, [
    measurement({ sensor_id: 7, period_end_utc: '2024-07-21 10:00:00', value: 4 }),
    measurement({ sensor_id: 7, period_end_utc: '2024-07-21 11:00:00', value: 6 }),
  ]);
  writeFileSync(join(home, 'secret.txt'), 'not for queries\n');
  session = await sessionOver([file], { allowedDirectories: [devDir] });
});

afterAll(() => {
  session?.close();
  rmSync(home, { recursive: true, force: true });
});

async function rejection(sql: string): Promise<EngineError> {
  const err = await session.query(sql).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected "${sql}" to be refused`).toBeInstanceOf(EngineError);
  const message = (err as EngineError).message;
  expect(message).not.toContain('\n');
  return err as EngineError;
}

describe('a locked query session', () => {
  it('answers SELECTs over dev and prod views', async () => {
    const dev = await session.query('SELECT count(*) AS n, sum(value) AS total FROM dev.measurements');
    expect(dev.rows).toEqual([[2, 10]]);
    const prod = await session.query('SELECT value_avg, hour_count FROM prod.daily_averages');
    expect(prod.rows).toEqual([[5, 2]]);
    const described = await session.query('DESCRIBE prod.daily_averages');
    expect(described.rows.map((r) => r[0])).toEqual(DAILY_AVERAGES_COLUMNS);
  });

  it('refuses to write a file, even inside the lake folder it may read', async () => {
    const inLake = join(devDir, 'stolen.csv');
    const err = await rejection(`COPY (SELECT * FROM dev.measurements) TO '${inLake}'`);
    expect(err.message).toMatch(/read-only.*COPY/);
    expect(existsSync(inLake)).toBe(false);
    await rejection(`COPY (SELECT 1) TO '${join(home, 'out.csv')}'`);
    expect(existsSync(join(home, 'out.csv'))).toBe(false);
    // EXPLAIN ANALYZE would run the COPY it explains
    await rejection(`EXPLAIN ANALYZE COPY (SELECT 1) TO '${inLake}'`);
    expect(existsSync(inLake)).toBe(false);
  });

  it('refuses statements that change the database or its settings', async () => {
    expect((await rejection('CREATE TABLE t AS SELECT 1')).message).toMatch(/read-only.*CREATE/);
    expect((await rejection('INSERT INTO dev.measurements SELECT * FROM dev.measurements')).kind).not.toBe(
      'Error',
    );
    expect((await rejection('DROP VIEW prod.daily_averages')).message).toMatch(/read-only.*DROP/);
    expect((await rejection("SET TimeZone = 'America/New_York'")).message).toMatch(/read-only.*SET/);
    await rejection('SET threads = 1');
    await rejection('PRAGMA threads = 1');
    await rejection('RESET lock_configuration');
    const still = await session.query("SELECT current_setting('TimeZone') AS tz");
    expect(still.rows).toEqual([['UTC']]);
  });

  it('refuses ATTACH, INSTALL and LOAD', async () => {
    expect((await rejection(`ATTACH '${join(home, 'other.db')}' AS other`)).message).toMatch(
      /read-only.*ATTACH/,
    );
    expect(existsSync(join(home, 'other.db'))).toBe(false);
    expect((await rejection('INSTALL httpfs')).message).toMatch(/read-only.*not INSTALL$/);
    await rejection('LOAD httpfs');
  });

  it('cannot read files outside the lake', async () => {
    const passwd = await rejection("SELECT * FROM read_csv('/etc/passwd')");
    expect(passwd.message).toMatch(/Permission Error.*\/etc\/passwd/);
    await rejection("SELECT * FROM read_text('/etc/passwd')");
    await rejection(`SELECT * FROM read_text('${join(home, 'secret.txt')}')`);
    await rejection(`SELECT * FROM read_text('${devDir}/../secret.txt')`);
    await rejection("SELECT * FROM glob('/etc/*')");
    // a SELECT may not smuggle another statement in
    await rejection("SELECT * FROM query('COPY (SELECT 1) TO ''/tmp/x.csv''')");
  });

  it('runs exactly one statement', async () => {
    const err = await rejection('SELECT 1; SELECT 2');
    expect(err.message).toMatch(/one statement/);
    expect((await rejection('   ')).message).toMatch(/no SQL/);
    await rejection('-- only a comment');
    expect((await rejection('SELEC 1')).kind).toBe('Parser Error');
  });

  it('stops a statement at its timeout or when aborted, and keeps answering afterwards', async () => {
    const slow = 'SELECT count(*) FROM range(1000000000000) AS a(i) WHERE i % 7 = 3';
    const timedOut = await session.query(slow, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(EngineError);
    expect((timedOut as EngineError).kind).toBe('Timeout');
    expect((timedOut as EngineError).message).toBe('query timed out after 200 ms');

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await session.query(slow, { signal: controller.signal }).catch((e: unknown) => e);
    expect((aborted as EngineError).kind).toBe('Interrupted');

    expect((await session.query('SELECT 42 AS answer')).rows).toEqual([[42]]);
  });

  it('converts values: big integers, dates, naive and zoned timestamps, nested values', async () => {
    const r = await session.query(
      `SELECT 9007199254740993::BIGINT AS big, 12::BIGINT AS small, DATE '2024-03-10' AS d,
              TIMESTAMP '2024-03-10 07:00:00' AS ts, TIMESTAMPTZ '2024-03-10 07:00:00+00' AS tstz,
              [1::BIGINT, 2] AS list, {'k': 3::BIGINT} AS obj, NULL AS nothing, 1.25::DECIMAL(6,2) AS dec`,
    );
    expect(r.columns.map((c) => c.name)).toEqual([
      'big',
      'small',
      'd',
      'ts',
      'tstz',
      'list',
      'obj',
      'nothing',
      'dec',
    ]);
    expect(r.rows[0]).toEqual([
      '9007199254740993',
      12,
      '2024-03-10',
      '2024-03-10T07:00:00',
      '2024-03-10T07:00:00.000Z',
      [1, 2],
      { k: 3 },
      null,
      1.25,
    ]);
  });

  it('binds parameters instead of splicing them into the SQL', async () => {
    const r = await session.query('SELECT count(*) AS n FROM dev.measurements WHERE sensor_id = $sensor', {
      params: { sensor: 7 },
    });
    expect(r.rows).toEqual([[2]]);
  });

  it('left nothing behind in the lake folder', () => {
    expect(readdirSync(devDir)).toEqual(['measurements']);
  });
});
