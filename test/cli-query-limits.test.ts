// aqlake query never gives a silent partial answer: a stopped query exits non-zero with one line on stderr, the
// timeout is validated before anything touches the lake, and the table format prints any row count.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-cli-query-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('aqlake query', () => {
  it.each([['99999999999999999999999'], ['2147484'], ['86401'], ['0'], ['-5'], ['1.5']])(
    'refuses --timeout %s with exit 2 before creating the lake',
    async (timeout) => {
      const fresh = join(home, `t-${timeout}`);
      const r = await runCli(['query', '--timeout', timeout, 'SELECT 1'], { env: { AQLAKE_HOME: fresh } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^aqlake: --timeout: expected whole seconds from 1 to 86400 .*\n$/);
      expect(r.stdout).toBe('');
      expect(existsSync(join(fresh, '_meta', 'aqlake.db'))).toBe(false);
    },
  );

  it('refuses an empty statement with exit 2 without creating _meta/aqlake.db', async () => {
    const fresh = join(home, 'empty-sql');
    const r = await runCli(['query', '  '], { env: { AQLAKE_HOME: fresh } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^aqlake: <sql>: empty/);
    expect(existsSync(join(fresh, '_meta', 'aqlake.db'))).toBe(false);
  });

  it.each(['csv', 'json'])(
    'a --format %s result cut by the timeout exits 1 with one line on stderr',
    async (format) => {
      const r = await runCli(
        [
          'query',
          '--timeout',
          '1',
          '--format',
          format,
          'SELECT i, md5(i::VARCHAR) AS h FROM range(50000000) t(i)',
        ],
        { env: { AQLAKE_HOME: home } },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('aqlake: query timed out after 1000 ms\n');
      // What was printed is visibly incomplete: far fewer lines than asked for, and JSON is not closed.
      expect(r.stdout.split('\n').length).toBeLessThan(50_000_000);
      if (format === 'json') expect(() => JSON.parse(r.stdout)).toThrow();
    },
  );

  it('prints a table of 130,000 rows', async () => {
    const r = await runCli(['query', 'SELECT i FROM range(130000) t(i)'], { env: { AQLAKE_HOME: home } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('i');
    expect(lines.at(-1)).toBe('(130000 rows)');
    expect(lines.filter((l) => /^\s*\d+$/.test(l))).toHaveLength(130_000);
    expect(lines.at(-2)!.trim()).toBe('129999');
  });
});
