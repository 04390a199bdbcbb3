// Spawning the CLI (test/orchestrator-child.ts) for the orchestrator's process tests.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const CHILD = join(ROOT, 'test', 'orchestrator-child.ts');
// `--import tsx` resolves from the cwd, and the children run in a temp dir: pass the loader's URL.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function env(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, AQLAKE_HOME: home, AQLAKE_LOG_LEVEL: 'info', ...extra };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `aqlake ARGS` to the end, in `home` (so no project config file is picked up). */
export function aqlake(home: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', TSX, CHILD, ...args], {
    cwd: home,
    env: env(home, extraEnv),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `aqlake ARGS` in the background. */
export function startAqlake(home: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, CHILD, ...args], {
    cwd: home,
    env: env(home, extraEnv),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Polls `check` until it returns true (no timing is asserted: the test times out if it never does). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
