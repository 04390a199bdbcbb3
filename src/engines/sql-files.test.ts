import { describe, expect, it } from 'vitest';
import { parseNamedStatements, sqlStatement } from './sql-files.js';

describe('named SQL statements', () => {
  it('splits a file at `-- name:` markers, ignoring the header and a trailing semicolon', () => {
    const parsed = parseNamedStatements(
      [
        '-- header comment',
        '-- name: first',
        'SELECT 1;',
        '',
        '-- name: second',
        '-- why',
        'SELECT 2',
        '',
      ].join('\n'),
    );
    expect([...parsed.entries()]).toEqual([
      ['first', 'SELECT 1'],
      ['second', '-- why\nSELECT 2'],
    ]);
  });

  it('refuses a duplicate name and reports a missing one', () => {
    expect(() => parseNamedStatements('-- name: a\nSELECT 1\n-- name: a\nSELECT 2')).toThrow(/duplicate/);
    expect(() => sqlStatement('dev/measurements.sql', 'no_such_statement')).toThrow(/no statement/);
    expect(sqlStatement('dev/measurements.sql', 'insert_losers')).toMatch(/row_number\(\)/);
  });
});
