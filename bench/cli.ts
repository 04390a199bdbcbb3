// CLI start-up: p50 of 5 process starts of the built CLI (`node bin/aqlake.js`; `npm run build` first when dist/ is
// missing or older than src/) for `aqlake --help` and `aqlake runs` on an empty lake, beside a bare `node -e "import('commander')"`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectPath } from '../src/paths.js';

const STARTS = 5;

export async function cliBenchmark(): Promise<Record<string, number | string>> {
  const bin = projectPath('bin', 'aqlake.js');
  if (distIsStale()) execFileSync('npm', ['run', 'build'], { cwd: projectPath(), stdio: 'inherit' });
  const home = mkdtempSync(join(tmpdir(), 'aqlake-bench-cli-'));
  try {
    const env = { ...process.env, AQLAKE_HOME: home };
    const cwd = home; // no aqlake.config.json here
    return {
      help_ms: p50Ms([bin, '--help'], env, cwd),
      runs_ms: p50Ms([bin, 'runs'], env, cwd),
      bare_commander_ms: p50Ms(['-e', "await import('commander')"], env, projectPath()),
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** dist/ missing, or older than a file under src/: the figures would be of another CLI. */
function distIsStale(): boolean {
  const built = projectPath('dist', 'cli', 'main.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > builtAt,
    );
  return newer(projectPath('src'));
}

function p50Ms(args: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    const start = performance.now();
    const out = spawnSync(process.execPath, args, { env, cwd, stdio: 'ignore' });
    times.push(performance.now() - start);
    if (out.status !== 0) throw new Error(`node ${args.join(' ')} exited ${out.status ?? out.signal}`);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]!);
}
