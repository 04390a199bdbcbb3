// aqlake bi and aqlake export, as a user runs them: the BI file opened read-only by another DuckDB process (a BI
// tool's session, in another TimeZone) answers prod.daily_averages exactly as `aqlake query`, and keeps doing so
// after a later publish without the file being rewritten; export writes one view's rows, filtered, to CSV or Parquet.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DAILY = `SELECT sensor_id::DOUBLE AS sensor_id, CAST(local_date AS VARCHAR) AS local_date,
  round(value_avg, 9) AS value_avg, hour_count::DOUBLE AS hour_count, coverage_pct
  FROM prod.daily_averages ORDER BY sensor_id, local_date`;
const COUNT = 'SELECT count(*)::DOUBLE AS n FROM dev.measurements';

/** A BI tool's session: opens the file read-only once, in another TimeZone, and answers SQL lines with JSON lines. */
const READER = `
import { DuckDBInstance } from '@duckdb/node-api';
import { createInterface } from 'node:readline';
const instance = await DuckDBInstance.create(process.argv[1], { access_mode: 'READ_ONLY' });
const con = await instance.connect();
await con.run("SET TimeZone = 'Asia/Kolkata'");
process.stdout.write('READY\\n');
for await (const line of createInterface({ input: process.stdin })) {
  try {
    const reader = await con.runAndReadAll(JSON.parse(line));
    process.stdout.write(JSON.stringify({ rows: reader.getRowObjectsJS() }) + '\\n');
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: String(err.message) }) + '\\n');
  }
}
`;

class BiReader {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | null = null;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.lines.push(line);
    });
  }

  static async open(file: string): Promise<BiReader> {
    const child = spawn(process.execPath, ['--input-type=module', '-e', READER, file], {
      cwd: PROJECT_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const reader = new BiReader(child);
    expect(await reader.next()).toBe('READY');
    return reader;
  }

  private next(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    this.child.stdin.write(`${JSON.stringify(sql)}\n`);
    const answer = JSON.parse(await this.next()) as { rows?: Record<string, unknown>[]; error?: string };
    if (answer.error) throw new Error(answer.error);
    return answer.rows!;
  }

  close(): void {
    this.child.kill();
  }
}

describe('aqlake bi and aqlake export', () => {
  const clock = new Date('2024-11-06T12:00:00Z');
  let sim: RunningSimulator;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let biFile: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, now: () => clock });
    home = mkdtempSync(join(tmpdir(), 'aqlake-bi-'));
    env = { AQLAKE_HOME: home, OPENAQ_API_URL: sim.url, AQLAKE_STORE: 'local' };
    biFile = join(home, 'bi.duckdb');
    await cli([
      'run',
      '--from',
      '2024-11-02',
      '--to',
      '2024-11-03',
      '--locations',
      '1001',
      '--source',
      'api',
    ]);
  }, 240_000);

  afterAll(async () => {
    await sim?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<string> {
    const out = await runCli(args, { env, timeoutMs: 240_000 });
    expect(out.code, out.stderr).toBe(0);
    return out.stdout;
  }
  const query = async (sql: string) => JSON.parse(await cli(['query', '--format', 'json', sql])) as unknown[];

  it('a BI file read by another DuckDB process answers as aqlake query, before and after a later publish', async () => {
    const first = JSON.parse(await cli(['bi', '--json'])) as {
      written: boolean;
      views: string[];
      path: string;
    };
    expect(first).toMatchObject({ written: true, path: biFile });
    expect(first.views).toEqual(
      expect.arrayContaining(['dev.measurements', 'dev.locations', 'prod.daily_averages']),
    );
    const written = statSync(biFile);

    const reader = await BiReader.open(biFile);
    try {
      const before = await query(DAILY);
      expect(before.length).toBeGreaterThan(0);
      expect(await reader.query(DAILY)).toEqual(before);
      expect(await reader.query(COUNT)).toEqual(await query(COUNT));

      // A later publish (a new day, and a re-run of one): the open session sees it; the file is not rewritten.
      await cli([
        'run',
        '--from',
        '2024-11-03',
        '--to',
        '2024-11-04',
        '--locations',
        '1001',
        '--source',
        'api',
      ]);
      const after = await query(DAILY);
      expect(after.length).toBeGreaterThan(before.length);
      expect(after.some((r) => (r as { local_date: string }).local_date === '2024-11-04')).toBe(true);
      expect(await reader.query(DAILY)).toEqual(after);
      expect(await reader.query(COUNT)).toEqual(await query(COUNT));

      // Nothing changed in the views: `aqlake bi` leaves the file alone (while the reader holds it open).
      expect(JSON.parse(await cli(['bi', '--json']))).toMatchObject({ written: false });
      const now = statSync(biFile);
      expect([now.ino, now.mtimeMs]).toEqual([written.ino, written.mtimeMs]);
    } finally {
      reader.close();
    }
    // A fresh session sees the same.
    const fresh = await BiReader.open(biFile);
    try {
      expect(await fresh.query(DAILY)).toEqual(await query(DAILY));
    } finally {
      fresh.close();
    }
  }, 300_000);

  it('refuses to overwrite a DuckDB file it did not write', async () => {
    const other = join(home, 'other.duckdb');
    const make = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api'; const i = await DuckDBInstance.create(process.argv[1]); const c = await i.connect(); await c.run('CREATE TABLE precious AS SELECT 1 AS x'); c.closeSync(); i.closeSync();`,
        other,
      ],
      { cwd: PROJECT_ROOT },
    );
    await new Promise((r) => make.on('close', r));
    const result = await runCli(['bi', '--out', other], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a DuckDB database aqlake did not write');
  });

  it('exports one view filtered by dates and a condition to CSV, and to Parquet', async () => {
    const sensor = (
      (await query(
        "SELECT min(sensor_id)::INTEGER AS sensor FROM prod.daily_averages WHERE local_date = DATE '2024-11-03'",
      )) as { sensor: number }[]
    )[0]!.sensor;
    const csv = join(home, 'daily.csv');
    const out = await cli([
      'export',
      'prod.daily_averages',
      '--format',
      'csv',
      '--out',
      csv,
      '--from',
      '2024-11-03',
      '--to',
      '2024-11-04',
      '--where',
      `sensor_id = ${sensor}`,
    ]);
    const expected = (await query(
      `SELECT CAST(local_date AS VARCHAR) AS local_date, hour_count FROM prod.daily_averages
       WHERE sensor_id = ${sensor} AND local_date BETWEEN DATE '2024-11-03' AND DATE '2024-11-04' ORDER BY local_date`,
    )) as { local_date: string; hour_count: number }[];
    expect(expected).toHaveLength(2);
    expect(out).toBe(`wrote 2 rows of prod.daily_averages to ${csv}\n`);
    const [header, ...lines] = readFileSync(csv, 'utf8').trim().split('\n');
    const cols = header!.split(',');
    const rows = lines
      .map((l) => l.split(','))
      .map((f) => ({
        sensor_id: Number(f[cols.indexOf('sensor_id')]),
        local_date: f[cols.indexOf('local_date')],
        hour_count: Number(f[cols.indexOf('hour_count')]),
      }))
      .sort((a, b) => (a.local_date! < b.local_date! ? -1 : 1));
    expect(rows).toEqual(expected.map((e) => ({ sensor_id: sensor, ...e })));

    const parquet = join(home, 'day.parquet');
    await cli(['export', 'dev.measurements', '--out', parquet, '--from', '2024-11-03', '--to', '2024-11-03']);
    const objects = (await parquetReadObjects({ file: await asyncBufferFromFile(parquet) })) as Record<
      string,
      unknown
    >[];
    const n = (
      (await query(
        "SELECT count(*)::INTEGER AS n FROM dev.measurements WHERE local_date = DATE '2024-11-03'",
      )) as { n: number }[]
    )[0]!.n;
    expect(n).toBeGreaterThan(0);
    expect(objects).toHaveLength(n);
    expect(new Set(objects.map((o) => (o.local_date as Date).toISOString().slice(0, 10)))).toEqual(
      new Set(['2024-11-03']),
    );
  }, 120_000);

  it('runs --where in the read-only session: no second statement, no file outside the lake', async () => {
    const target = join(home, 'nope.csv');
    for (const where of [
      'sensor_id = 1; DROP TABLE x',
      "1=1) UNION ALL (SELECT * FROM read_csv('/etc/passwd')",
      "sensor_id IN (SELECT 1 FROM read_text('/etc/passwd'))",
    ]) {
      const result = await runCli(
        ['export', 'prod.daily_averages', '--format', 'csv', '--out', target, '--where', where],
        { env },
      );
      expect(result.code, where).not.toBe(0);
      expect(existsSync(target), where).toBe(false);
    }
    const unknown = await runCli(['export', 'prod.nope', '--out', target], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no view "prod.nope"');
  });
});
