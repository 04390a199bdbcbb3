// Runs the real aqlake CLI in a child process, from source through tsx, and collects its output.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));
// `--import tsx` resolves from the cwd; a test running the CLI in a temp dir needs the loader's URL.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `preload`: modules the child imports before the CLI (after tsx), e.g. a test's fault in an engine. */
export function cliCommand(
  args: string[],
  preload: readonly string[] = [],
): { command: string; args: string[] } {
  const imports = preload.flatMap((p) => ['--import', pathToFileURL(p).href]);
  return { command: process.execPath, args: ['--import', TSX, ...imports, ENTRY, ...args] };
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; preload?: readonly string[] } = {},
): Promise<CliResult> {
  const { command, args: full } = cliCommand(args, options.preload);
  return new Promise((resolve, reject) => {
    const child = spawn(command, full, {
      cwd: options.cwd,
      env: { ...process.env, AQLAKE_LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
