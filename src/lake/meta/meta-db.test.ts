// openMetaDb: every db.transaction(fn) takes the write lock when it begins (BEGIN IMMEDIATE).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMetaDb } from './meta-db.js';

let home: string | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

describe('openMetaDb transactions', () => {
  it('hold the write lock from their first statement, so a read-then-write cannot be overtaken', () => {
    home = mkdtempSync(join(tmpdir(), 'aqlake-meta-db-'));
    const a = openMetaDb(home);
    const b = openMetaDb(home);
    try {
      b.pragma('busy_timeout = 0');
      let other: unknown;
      a.transaction(() => {
        a.prepare('SELECT count(*) FROM schema_migrations').get();
        // A deferred transaction would hold only a read snapshot here, and b's write would succeed.
        try {
          b.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'x', 'y')");
        } catch (err) {
          other = err;
        }
      })();
      expect(other).toMatchObject({ code: 'SQLITE_BUSY' });
      // A transaction that only reads can still ask for a deferred one.
      const n = a
        .transaction(() => a.prepare('SELECT count(*) AS n FROM schema_migrations').get())
        .deferred();
      expect(n).toMatchObject({ n: expect.any(Number) });
    } finally {
      a.close();
      b.close();
    }
  });
});
