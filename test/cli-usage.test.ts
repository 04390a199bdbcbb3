// Bad input to the real CLI: one `aqlake: …` line on stderr and exit code 2, whoever catches it.
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

describe('aqlake usage errors', () => {
  it.each([
    [['run', '--from', '2026-11-25', '--to', '2026-11-25', '--bogus'], /^aqlake: unknown option '--bogus'/],
    [['frobnicate'], /^aqlake: unknown command 'frobnicate'/],
    [['run', '--to', '2026-11-26'], /^aqlake: required option '--from <date>' not specified/],
    [['logs', 'some_run'], /^aqlake: missing required argument 'task'/],
    [
      ['run', '--from', '2026-02-30', '--to', '2026-03-01'],
      /^aqlake: --from: no such calendar day, got "2026-02-30"$/,
    ],
    [
      ['run', '--from', '2026-03-02', '--to', '2026-03-01'],
      /^aqlake: --to \(2026-03-01\) is before --from \(2026-03-02\)$/,
    ],
    [
      ['extract', '--from', '2026-03-01', '--to', '2026-03-01', '--locations', '12,abc'],
      /^aqlake: --locations: expected/,
    ],
  ])('%j', async (args, message) => {
    const out = await runCli(args);
    expect(out.code).toBe(2);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('prints help and exits 0', async () => {
    const out = await runCli(['backfill', '--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('--dry-run');
  });
});
