// Loads the engine's SQL from sql/ files: a file holds named statements, each introduced by `-- name: <name>`.
import { readFileSync } from 'node:fs';
import { projectPath } from '../../paths.js';

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
