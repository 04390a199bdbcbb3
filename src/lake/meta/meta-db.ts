// The SQLite metadata database `{home}/_meta/aqlake.db`: opened by every process (WAL), migrated at open.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projectPath } from '../../paths.js';

export type MetaDb = Database.Database;

export function metaDbPath(home: string): string {
  return join(home, '_meta', 'aqlake.db');
}

/** Opens (creating if needed) the metadata database and applies any migration in sql/meta/ not yet applied. */
export function openMetaDb(home: string): MetaDb {
  mkdirSync(join(home, '_meta'), { recursive: true });
  const db = writeLockFirst(new Database(metaDbPath(home)));
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return db;
}

/** In-memory database with the same schema, for unit tests. */
export function openMemoryMetaDb(): MetaDb {
  const db = writeLockFirst(new Database(':memory:'));
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/**
 * Makes `db.transaction(fn)(…)` begin with `BEGIN IMMEDIATE` (better-sqlite3's `.immediate()`) instead of a deferred
 * BEGIN. A deferred transaction that reads and then writes must upgrade its lock; under WAL, when another process
 * wrote in between, SQLite answers SQLITE_BUSY at once (`database is locked`) and busy_timeout cannot help. Taking
 * the write lock first makes concurrent runs, the scheduler and the server wait their turn instead. `.deferred()`
 * stays available for a transaction that only reads. Nested calls still become savepoints.
 */
function writeLockFirst(db: Database.Database): Database.Database {
  const transaction = db.transaction.bind(db);
  const immediateFirst = ((fn: (...args: never[]) => unknown) => {
    const tx = transaction(fn);
    const call = (...args: never[]) => tx.immediate(...args);
    return Object.assign(call, {
      default: tx.immediate,
      deferred: tx.deferred,
      immediate: tx.immediate,
      exclusive: tx.exclusive,
      database: db,
    });
  }) as unknown as Database.Database['transaction'];
  Object.defineProperty(db, 'transaction', { value: immediateFirst, configurable: true, writable: true });
  return db;
}

interface Migration {
  version: number;
  name: string;
  sql: string;
}

function listMigrations(dir = projectPath('sql', 'meta')): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: readFileSync(join(dir, f), 'utf8') }));
}

function migrate(db: MetaDb): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  // BEGIN IMMEDIATE: two processes starting at once must not both apply the same migration.
  const applyPending = db.transaction(() => {
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    for (const m of listMigrations()) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }
  });
  applyPending.immediate();
}
