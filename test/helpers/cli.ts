// Runs the real aqlake CLI in a child process, from source through tsx, and collects its output.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));
// An absolute loader path: a test may run the CLI in a folder of its own (cwd), where `tsx` does not resolve.
const TSX = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cliCommand(args: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', TSX, ENTRY, ...args] };
}

export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const { command, args: full } = cliCommand(args);
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
