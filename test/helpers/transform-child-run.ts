// Runs test/helpers/transform-child.ts in its own process on one day of a lake and SIGKILLs it where it says
// `PAUSED <point>`: the parent side of the kill tests (commit-kill, lake-conformance).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PausePoint } from './transform-child.js';

const CHILD = fileURLToPath(new URL('./transform-child.ts', import.meta.url));

export interface ChildOutcome {
  /** `PAUSED <point>` or `DONE <versionId>`. */
  marker: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the child until it prints `PAUSED <point>` (then SIGKILLs it) or `DONE`; rejects when it prints neither. */
export function runTransformChild(
  home: string,
  day: string,
  pauseAt: PausePoint | null,
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, home, day], {
      env: {
        ...process.env,
        ...options.env,
        AQLAKE_TEST_PAUSE_AT: pauseAt ?? '',
        AQLAKE_LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let marker = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = /^(PAUSED \S+|DONE \d+)$/m.exec(stdout)?.[1];
      if (line && !marker) {
        marker = line;
        if (line.startsWith('PAUSED')) child.kill('SIGKILL');
      }
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!marker) reject(new Error(`child ended without a marker (code ${code}, ${signal}): ${stderr}`));
      else resolve({ marker, code, signal });
    });
  });
}
