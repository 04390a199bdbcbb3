// Reads sql/, the SQL both engines share: named statements (`-- name: x` blocks), the prod views
// (sql/prod/NN_name.sql), the data checks (sql/checks/name.sql with their `-- key: value` header) and the quality
// spec's path. Plain files only: no engine is loaded here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../paths.js';
import type { CheckSeverity } from './engine.js';

/** The quality spec (sql/dev/quality-rules.json): the DuckDB transform and checks, and the AWS Glue job. */
export const QUALITY_RULES_PATH = projectPath('sql', 'dev', 'quality-rules.json');

const cache = new Map<string, Map<string, string>>();

/** Parses `-- name: x` blocks; text before the first marker (the file's header comment) is ignored. */
export function parseNamedStatements(text: string): Map<string, string> {
  const statements = new Map<string, string>();
  let name: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (name !== null) statements.set(name, lines.join('\n').trim().replace(/;\s*$/, ''));
  };
  for (const line of text.split('\n')) {
    const marker = /^--\s*name:\s*([a-z0-9_]+)\s*$/.exec(line);
    if (marker) {
      flush();
      name = marker[1]!;
      if (statements.has(name)) throw new Error(`duplicate statement name: ${name}`);
      lines = [];
    } else if (name !== null) {
      lines.push(line);
    }
  }
  flush();
  return statements;
}

/** The statement `name` of `sql/{file}`; throws when the file or the name does not exist. */
export function sqlStatement(file: string, name: string): string {
  let statements = cache.get(file);
  if (!statements) {
    statements = parseNamedStatements(readFileSync(projectPath('sql', file), 'utf8'));
    cache.set(file, statements);
  }
  const sql = statements.get(name);
  if (sql === undefined) throw new Error(`no statement "${name}" in sql/${file}`);
  return sql;
}

/** A prod view file: `sql/prod/NN_name.sql` holds the SELECT of view `prod.name`; NN orders dependencies. */
export interface ProdViewFile {
  view: string;
  file: string;
  /** The SELECT, without a trailing semicolon. */
  sql: string;
  /** The file as written, header included (what a materialised table's rule version hashes). */
  text: string;
}

const PROD_FILE = /^(\d{2})_([a-z][a-z0-9_]*)\.sql$/;

/** The prod views in dependency order (by their number prefix). */
export function listProdViews(dir: string = projectPath('sql', 'prod')): ProdViewFile[] {
  return readdirSync(dir)
    .filter((f) => PROD_FILE.test(f))
    .sort()
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      return {
        view: `prod.${PROD_FILE.exec(f)![2]}`,
        file: join(dir, f),
        sql: text.replace(/;\s*$/, '').trimEnd(),
        text,
      };
    });
}

export interface CheckSpec {
  name: string;
  severity: CheckSeverity;
  /** The dev table the check applies to. */
  table: string;
  /** What a pass means, in one sentence. */
  tests: string;
  sql: string;
  file: string;
}

const HEADER_KEYS = ['check', 'severity', 'table', 'tests'] as const;

/** Reads a check file's header (`-- key: value` lines; an indented `--   …` line continues the previous value). */
export function parseCheckSpec(file: string, text: string): CheckSpec {
  const header: Record<string, string> = {};
  let last: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('--')) break;
    const field = /^--\s*([a-z_]+):\s*(.*)$/.exec(line);
    if (field && (HEADER_KEYS as readonly string[]).includes(field[1]!)) {
      last = field[1]!;
      header[last] = field[2]!.trim();
    } else if (last && /^--\s{2,}\S/.test(line)) {
      header[last] = `${header[last]} ${line.replace(/^--\s+/, '').trim()}`;
    } else {
      last = null;
    }
  }
  const where = `sql/checks/${file}`;
  for (const key of HEADER_KEYS)
    if (!header[key]) throw new Error(`${where}: the header lacks "-- ${key}: …"`);
  const name = header.check!;
  if (`${name}.sql` !== file) throw new Error(`${where}: check "${name}" must live in ${name}.sql`);
  const severity = header.severity;
  if (severity !== 'error' && severity !== 'warn')
    throw new Error(`${where}: severity must be error or warn, got "${severity}"`);
  return {
    name,
    severity,
    table: header.table!,
    tests: header.tests!,
    sql: text.trim().replace(/;\s*$/, ''),
    file,
  };
}

/** Every check in `dir`, errors first, then by name. */
export function listChecks(dir: string = projectPath('sql', 'checks')): CheckSpec[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => parseCheckSpec(f, readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) =>
      a.severity === b.severity ? a.name.localeCompare(b.name) : a.severity === 'error' ? -1 : 1,
    );
}
