// DuckDB's side of publish and query: the prod views built over the dev tables, and the locked read-only session
// user SQL runs in. The views live in sql/prod/, so publishing them means proving they compile over today's files.
import type { DevTableFiles, ReadOnlyQuerySession, ReadOnlySessionInput } from '../engine.js';
import { QuerySession, type SessionSettings } from './query-session.js';

/**
 * Creates dev.* and every prod view in a fresh session and reads each view once (binding alone does not prove a view
 * runs over these files), then drops the session. Throws an EngineError naming the view that fails.
 */
export async function createProdViews(
  tables: readonly DevTableFiles[],
  settings: SessionSettings = {},
): Promise<string[]> {
  const session = await QuerySession.create({ tables, settings });
  try {
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
    tables: input.tables,
    lockdown: { allowedDirectories: input.allowedDirectories },
    settings,
  });
}
