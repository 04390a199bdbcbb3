// `aqlake simulate` as a user runs it: a child process that prints OPENAQ_API_URL, serves, and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliCommand, runCli } from './helpers/cli.js';

describe('aqlake simulate', () => {
  it('prints OPENAQ_API_URL, serves the v3 API there, and exits 0 on SIGTERM', async () => {
    const { command, args } = cliCommand(['simulate', '--port', '0', '--seed', '5', '--require-key', 'demo']);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (d) => {
          stdout += d;
          const m = /^OPENAQ_API_URL=(http:\/\/127\.0\.0\.1:\d+\/v3)$/m.exec(stdout);
          if (m) resolve(m[1]!);
        });
        child.on('close', () => reject(new Error(`simulate exited early: ${stderr}`)));
      });
      const res = await fetch(`${url}/locations?limit=1`, { headers: { 'X-API-Key': 'demo' } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { id: number }[] };
      expect(body.results[0]!.id).toBe(1001);
      expect((await fetch(`${url}/locations`)).status).toBe(401);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('simulator stopped after 2 requests');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('fails with one line and exit code 2 on a bad flag', async () => {
    const result = await runCli(['simulate', '--error-rate', '2'], { timeoutMs: 30_000 });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'aqlake: --error-rate: expected a share from 0 to 1 (e.g. 0.05), got "2"',
    );
  });
});
