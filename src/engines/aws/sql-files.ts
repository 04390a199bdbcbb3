// Reads the shared SQL the AWS engine runs through Athena: the prod views (sql/prod/NN_name.sql) and the checks
// (sql/checks/name.sql with their `-- key: value` header), without loading DuckDB.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../paths.js';
import type { CheckSeverity } from '../engine.js';

export interface ProdView {
  /** `daily_averages` for sql/prod/20_daily_averages.sql. */
  name: string;
  file: string;
  sql: string;
}

export interface CheckFile {
  name: string;
  severity: CheckSeverity;
  table: string;
  tests: string;
  sql: string;
}

const PROD_FILE = /^(\d{2})_([a-z][a-z0-9_]*)\.sql$/;

/** The prod views in dependency order (their number prefix). */
export function readProdViews(dir: string = projectPath('sql', 'prod')): ProdView[] {
  return readdirSync(dir)
    .filter((f) => PROD_FILE.test(f))
    .sort()
    .map((f) => ({
      name: PROD_FILE.exec(f)![2]!,
      file: join(dir, f),
      sql: readFileSync(join(dir, f), 'utf8').replace(/;\s*$/, '').trimEnd(),
    }));
}

/** Every check, errors first, then by name; the header format is sql/checks/README.md's. */
export function readChecks(dir: string = projectPath('sql', 'checks')): CheckFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => parseCheckFile(f, readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) =>
      a.severity === b.severity ? a.name.localeCompare(b.name) : a.severity === 'error' ? -1 : 1,
    );
}

export function parseCheckFile(file: string, text: string): CheckFile {
  const header: Record<string, string> = {};
  let last: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('--')) break;
    const field = /^--\s*(check|severity|table|tests):\s*(.*)$/.exec(line);
    if (field) {
      last = field[1]!;
      header[last] = field[2]!.trim();
    } else if (last && /^--\s{2,}\S/.test(line))
      header[last] = `${header[last]} ${line.replace(/^--\s+/, '').trim()}`;
    else last = null;
  }
  for (const key of ['check', 'severity', 'table', 'tests'])
    if (!header[key]) throw new Error(`sql/checks/${file}: the header lacks "-- ${key}: …"`);
  if (header.severity !== 'error' && header.severity !== 'warn')
    throw new Error(`sql/checks/${file}: severity must be error or warn`);
  return {
    name: header.check!,
    severity: header.severity,
    table: header.table!,
    tests: header.tests!,
    sql: text.trim().replace(/;\s*$/, ''),
  };
}
