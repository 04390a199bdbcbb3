// Temporary folders for tests that are removed when the test file ends (test/setup/temp-dirs.ts calls
// removeTempDirs in an afterAll of every file), so a run leaves nothing in the system temp directory.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** A new empty folder `{tmpdir}/{prefix}XXXXXX`, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** A new lake home (a tempDir) with `{home}/aqlake.config.json` holding `settings` and `home`; returns both paths. */
export function configuredHome(
  prefix: string,
  settings: Record<string, unknown>,
): { home: string; config: string } {
  const home = tempDir(prefix);
  const config = join(home, 'aqlake.config.json');
  writeFileSync(config, JSON.stringify({ home, ...settings }));
  return { home, config };
}

export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
