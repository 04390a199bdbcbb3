// Noticing that `_meta/aqlake.db` was deleted or replaced under a running process: the open handle keeps reading the
// old (unlinked) file, so every answer would silently come from a catalog nobody else sees any more.
import { statSync } from 'node:fs';
import { metaDbPath } from './meta-db.js';

export interface FileIdentity {
  dev: number;
  ino: number;
}

export function metaDbIdentity(home: string): FileIdentity | undefined {
  try {
    const s = statSync(metaDbPath(home));
    return { dev: s.dev, ino: s.ino };
  } catch {
    return undefined;
  }
}

/** A sentence saying what happened to the database opened as `opened`, or undefined when it is still the same file. */
export function metaDbProblem(home: string, opened: FileIdentity | undefined): string | undefined {
  if (!opened) return undefined;
  const now = metaDbIdentity(home);
  if (!now)
    return `the metadata database _meta/aqlake.db was deleted while this process ran: restore it from a backup, then restart`;
  if (now.dev !== opened.dev || now.ino !== opened.ino)
    return `the metadata database _meta/aqlake.db was replaced while this process ran: restart it to use the new one`;
  return undefined;
}
