// The prod tables materialised per local day: the sql/prod files whose header says `-- materialised: per local day`.
// Their SQL stays the rule (how a day is computed from dev.measurements); publish stores each day's rows once under
// prod/{table}/year=/month=/day=/data.parquet and the prod.* views read those. A table's rule version is a hash of its
// SQL and of every prod view it reads, so editing a rule marks exactly the tables it touches for `aqlake prod rebuild`.
import { createHash } from 'node:crypto';
import { projectPath } from '../paths.js';
import { listProdViews } from './sql-files.js';

const MARKER = /^--\s*materialised:\s*per local day\b/im;

export interface MaterialisedProdTable {
  /** e.g. `hourly` for prod.hourly */
  table: string;
  /** sha256 (16 hex) of the rule: this file and every prod view it reads, transitively. */
  ruleVersion: string;
}

/** The materialised tables of sql/prod (or `dir`), in dependency order. */
export function materialisedProdTables(dir: string = projectPath('sql', 'prod')): MaterialisedProdTable[] {
  const files = listProdViews(dir).map((v) => ({ name: v.view.replace(/^prod\./, ''), sql: v.text }));
  const byName = new Map(files.map((f) => [f.name, f.sql]));
  const ruleText = (name: string, seen = new Set<string>()): string => {
    if (seen.has(name)) return '';
    seen.add(name);
    const sql = byName.get(name) ?? '';
    const code = sql.replace(/--[^\n]*/g, '');
    const reads = [...code.matchAll(/\bprod\.([a-z][a-z0-9_]*)/g)]
      .map((m) => m[1]!)
      .filter((n) => n !== name);
    return [sql, ...[...new Set(reads)].sort().map((n) => ruleText(n, seen))].join('\n--\n');
  };
  return files
    .filter((f) => MARKER.test(f.sql))
    .map((f) => ({
      table: f.name,
      ruleVersion: createHash('sha256').update(ruleText(f.name)).digest('hex').slice(0, 16),
    }));
}
