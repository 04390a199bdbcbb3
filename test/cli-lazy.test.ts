// The CLI imports only the command it runs: the help terms of the stubs in src/cli/commands.ts must say exactly what
// the command modules register (names and descriptions come from the table itself), and a light command must not drag
// in DuckDB, the server or the pipeline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandModules, commandName } from '../src/cli/commands.js';
import { buildProgram } from '../src/cli/main.js';
import { cliCommand } from './helpers/cli.js';

const TRACE = fileURLToPath(new URL('./helpers/import-trace.mjs', import.meta.url));

describe('lazy CLI commands', () => {
  it('lists every command in the top-level help exactly as the command modules register it', async () => {
    const lazy = await buildProgram(['node', 'aqlake', '--help']);
    const full = await buildProgram(['node', 'aqlake'], { all: true });
    expect(full.commands.map((c) => c.name())).toEqual(commandModules.map(commandName));
    expect(lazy.helpInformation()).toBe(full.helpInformation());
  });

  it('registers the named command from its module, after global options and for `help CMD`', async () => {
    for (const argv of [
      ['node', 'aqlake', 'tasks', 'x'],
      ['node', 'aqlake', '-c', 'tasks', 'tasks', '--help'],
      ['node', 'aqlake', 'help', 'tasks'],
    ]) {
      const program = await buildProgram(argv);
      const tasks = program.commands.find((c) => c.name() === 'tasks')!;
      expect(tasks.options.map((o) => o.long)).toContain('--json');
    }
  });

  it.each([
    [['--help'], 'Commands:'],
    [['runs'], 'no runs yet'],
  ])('aqlake %j loads neither DuckDB, the AWS SDK, the server nor the pipeline', async (args, expected) => {
    const home = mkdtempSync(join(tmpdir(), 'aqlake-lazy-'));
    try {
      const { command, args: full } = cliCommand(args);
      const out = spawnSync(command, ['--import', TRACE, ...full], {
        encoding: 'utf8',
        env: { ...process.env, AQLAKE_HOME: home },
      });
      expect(out.status).toBe(0);
      expect(out.stdout).toContain(expected);
      const loaded = out.stderr.split('\n').filter((l) => l.startsWith('import: '));
      expect(loaded.some((l) => l.includes('/node_modules/commander/'))).toBe(true);
      expect(
        loaded.filter((l) => /@duckdb|@aws-sdk|\/hono\/|\/src\/server\/|\/src\/pipeline\//.test(l)),
      ).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
