// The working folder's .env: a key only there is used by a real `aqlake run` and appears in no log; the process
// environment wins over it; `aqlake init` writes .env.example and git-ignores .env.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvFile } from '../src/cli/env-file.js';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';

const KEY = 'dotenv-only-key-7f3a9c';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('.env in the working folder', () => {
  let sim: RunningSimulator;
  let cwd: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, now: () => new Date('2024-11-06T12:00:00Z'), requireApiKey: KEY });
    cwd = mkdtempSync(join(tmpdir(), 'aqlake-dotenv-'));
    writeFileSync(
      join(cwd, '.env'),
      `# secrets\nOPENAQ_API_KEY="${KEY}"\nOPENAQ_API_URL=${sim.url}\nAQLAKE_HOME=./lake\nUNRELATED=1\n`,
    );
  });
  afterAll(() => sim?.close());

  // Without OPENAQ_API_KEY/URL/AQLAKE_HOME in the process environment: only the .env can supply them.
  const bareEnv = { OPENAQ_API_KEY: undefined, OPENAQ_API_URL: undefined, AQLAKE_HOME: undefined };

  it('a key only in .env authenticates a run, and no log, output or lake file holds it', {
    timeout: 180_000,
  }, async () => {
    const run = await runCli(
      ['run', '--from', '2024-11-04', '--to', '2024-11-04', '--locations', '1001', '--source', 'api'],
      {
        cwd,
        env: { ...bareEnv, AQLAKE_LOG_LEVEL: 'debug' },
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(sim.stats().statusCounts['401'] ?? 0).toBe(0);
    expect(sim.stats().requests).toBeGreaterThan(0);
    expect(run.stdout + run.stderr).not.toContain(KEY);
    const files = filesUnder(join(cwd, 'lake'));
    expect(files.some((f) => f.includes('_meta'))).toBe(true);
    for (const file of files) expect(readFileSync(file).includes(KEY), file).toBe(false);
  });

  it('the process environment wins over .env', { timeout: 60_000 }, async () => {
    const before = sim.stats().statusCounts['401'] ?? 0;
    const run = await runCli(
      ['extract', '--from', '2024-11-04', '--to', '2024-11-04', '--locations', '1001'],
      {
        cwd,
        env: { ...bareEnv, OPENAQ_API_KEY: 'wrong-key-from-env' },
      },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/401/);
    expect(sim.stats().statusCounts['401'] ?? 0).toBeGreaterThan(before);
  });

  it('sets only OPENAQ_*, AWS_* and AQLAKE_* names the environment lacks', () => {
    const env: NodeJS.ProcessEnv = { AQLAKE_HOME: '/already' };
    const set = loadEnvFile(cwd, env);
    expect(set.sort()).toEqual(['OPENAQ_API_KEY', 'OPENAQ_API_URL']);
    expect(env).toEqual({ AQLAKE_HOME: '/already', OPENAQ_API_KEY: KEY, OPENAQ_API_URL: sim.url });
  });
});

describe('aqlake init and .env', () => {
  it('writes .env.example and appends .env to an existing .gitignore once', { timeout: 60_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aqlake-init-env-'));
    writeFileSync(join(cwd, '.gitignore'), 'node_modules/');
    const first = await runCli(['init'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(readFileSync(join(cwd, '.env.example'), 'utf8')).toMatch(/^OPENAQ_API_KEY=$/m);
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toBe('node_modules/\n.env\n');
    const again = await runCli(['init', '--force'], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toBe('node_modules/\n.env\n');
  });

  it('creates .gitignore when the folder has none', { timeout: 60_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aqlake-init-env-'));
    const run = await runCli(['init'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toBe('.env\n');
  });
});
