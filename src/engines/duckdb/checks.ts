// Data checks on one partition version: the specs in sql/checks/ (one check a file, its header declares name,
// severity, table and what it tests), run with DuckDB over exactly the version's files.
import { checkCouldNotRun, checkOutcomeFromRows, checkParamValues } from '../check-outcome.js';
import type { CellValue, CheckOutcome, PartitionCheckInput } from '../engine.js';
import { type CheckSpec, listChecks } from '../sql-files.js';
import { QuerySession, type SessionSettings, tableSource } from './query-session.js';

/** Only the parameters a statement names: DuckDB refuses values for placeholders it does not have. */
export function paramsUsedBy(sql: string, values: Record<string, string | number | null>) {
  const used = new Set([...sql.matchAll(/\$([a-z_][a-z0-9_]*)/g)].map((m) => m[1]!));
  const unknown = [...used].filter((name) => !(name in values));
  if (unknown.length > 0) throw new Error(`unknown check parameter $${unknown[0]}`);
  return Object.fromEntries(Object.entries(values).filter(([name]) => used.has(name)));
}

/**
 * Runs every check of the partition's table. `dev.<table>` holds exactly the version's files (and prod.* is built
 * over it for measurements). A check that cannot run counts as failed, with the reason as its message.
 */
export async function runPartitionChecks(
  input: PartitionCheckInput,
  settings: SessionSettings = {},
  specs: readonly CheckSpec[] = listChecks(),
): Promise<CheckOutcome[]> {
  const { partition, params } = input;
  const mine = specs.filter((s) => s.table === partition.table);
  if (mine.length === 0) return [];
  const session = await QuerySession.create({
    tables: [tableSource(partition)],
    prodSqlDir: partition.table === 'measurements' ? undefined : false,
    settings,
  });
  const values = checkParamValues(params);
  try {
    const outcomes: CheckOutcome[] = [];
    for (const spec of mine) outcomes.push(await runCheck(session, spec, values));
    return outcomes;
  } finally {
    session.close();
  }
}

async function runCheck(
  session: QuerySession,
  spec: CheckSpec,
  values: Record<string, string | number | null>,
): Promise<CheckOutcome> {
  const base = { check: spec.name, severity: spec.severity, tests: spec.tests };
  try {
    const rows = await session.run(spec.sql, paramsUsedBy(spec.sql, values));
    return checkOutcomeFromRows(base, rows as Record<string, CellValue>[]);
  } catch (err) {
    return checkCouldNotRun(base, err);
  }
}
