// DuckDB's side of publish and query: the prod views built over the dev tables, and the locked read-only session
// user SQL runs in. The views live in sql/prod/, so publishing them means proving they compile over today's files.
import type { DevTableFiles, ReadOnlyQuerySession, ReadOnlySessionInput } from '../engine.js';
import { QuerySession, type SessionSettings, tableSource } from './query-session.js';
import { MEASUREMENTS_COLUMNS } from './transform-measurements.js';

/** The tables the prod views need exist even in an empty lake, as typed empty views. */
export function withRequiredTables(tables: readonly DevTableFiles[]): DevTableFiles[] {
  const out = [...tables];
  if (!out.some((t) => t.table === 'measurements'))
    out.push({ table: 'measurements', paths: [], columns: MEASUREMENTS_COLUMNS });
  return out;
}

/** Creates dev.* and every prod view in a fresh session, then drops it: throws an EngineError naming a view that fails. */
export async function createProdViews(
  tables: readonly DevTableFiles[],
  settings: SessionSettings = {},
): Promise<string[]> {
  const session = await QuerySession.create({
    tables: withRequiredTables(tables).map(tableSource),
    settings,
  });
  try {
    // Binding a view is not enough to prove it runs over these files (types, time zones): read each one once.
    const prod = session.views.filter((v) => v.startsWith('prod.'));
    for (const view of prod) await session.run(`SELECT * FROM ${view} LIMIT 0`);
    return prod;
  } finally {
    session.close();
  }
}

/** A session locked to the given folders: user SQL reads dev.* / prod.* and nothing else. */
export function openReadOnlySession(
  input: ReadOnlySessionInput,
  settings: SessionSettings = {},
): Promise<ReadOnlyQuerySession> {
  return QuerySession.create({
    tables: withRequiredTables(input.tables).map(tableSource),
    lockdown: { allowedDirectories: input.allowedDirectories },
    settings,
  });
}
