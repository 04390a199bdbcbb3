import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.js';
import { createDuckDbInstance, duckDbSettings, toEngineError, withSession } from './duckdb-instance.js';

describe('toEngineError', () => {
  it('takes the kind from the message prefix, also behind "Failed to extract statements:"', () => {
    const e = toEngineError(
      new Error('Failed to extract statements: Parser Error: syntax error at "FROMM"'),
      'x',
    );
    expect(e).toBeInstanceOf(EngineError);
    expect(e.kind).toBe('Parser Error');
    expect(e.sql).toBe('x');
    expect(e.message).toBe('DuckDB Parser Error: syntax error at "FROMM"');
    expect(toEngineError(new Error('something odd')).kind).toBe('Error');
  });
});

describe('the DuckDB instance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aqlake-duckdb-'));
  let instance: Awaited<ReturnType<typeof createDuckDbInstance>>;
  beforeAll(async () => {
    instance = await createDuckDbInstance({
      memoryLimit: '128MB',
      threads: 1,
      tempDirectory: join(dir, 'tmp'),
    });
  });
  afterAll(() => {
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs sessions in UTC with the configured limits and no extension downloads', async () => {
    const [row] = await withSession(instance, (db) =>
      db.rows<{ tz: string; autoinstall: boolean; order: boolean; threads: number }>(
        `SELECT current_setting('TimeZone') AS tz, current_setting('autoinstall_known_extensions') AS autoinstall,
                current_setting('preserve_insertion_order') AS "order", current_setting('threads') AS threads`,
      ),
    );
    expect(row).toEqual({ tz: 'UTC', autoinstall: false, order: false, threads: 1 });
  });

  it('gives the local date of (end − 1 s) with ICU, for a +05:30 zone', async () => {
    const [row] = await withSession(instance, (db) =>
      db.rows<{ d: string }>(
        "SELECT strftime(CAST(timezone('Asia/Kolkata', (TIMESTAMP '2024-03-05 18:30:00' - INTERVAL 1 SECOND)::TIMESTAMPTZ) AS DATE), '%Y-%m-%d') AS d",
      ),
    );
    expect(row?.d).toBe('2024-03-05');
  });

  it('turns DuckDB errors into EngineError with the kind and the statement, and binds list parameters', async () => {
    await withSession(instance, async (db) => {
      await expect(db.run('SELECT * FROM no_such_table')).rejects.toMatchObject({
        kind: 'Catalog Error',
        sql: 'SELECT * FROM no_such_table',
      });
      expect(await db.rows('SELECT len($xs) AS n', { xs: ['a', 'b', 'c'] })).toEqual([{ n: 3 }]);
    });
  });

  it('defaults the spill folder under the lake home', () => {
    const settings = duckDbSettings({
      home: '/lake',
      duckdb: { memoryLimit: '1GB', threads: 2, maxTempDirectorySize: '4GiB' },
    });
    expect(settings).toEqual({
      memoryLimit: '1GB',
      threads: 2,
      tempDirectory: '/lake/_tmp/duckdb',
      maxTempDirectorySize: '4GiB',
    });
  });
});
