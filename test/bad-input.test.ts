// Bad input is refused before anything is created on disk, with a message naming the right field: future dates,
// huge ranges without --yes, ids beyond safe integers, bad flags, an unknown time zone, INSTALL and CHECKPOINT.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/server/app.js';
import { addDays, latestToday } from '../src/time/local-day.js';
import { runCli } from './helpers/cli.js';
import { fakeServices } from './helpers/fake-services.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aqlake-bad-input-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** Runs the CLI on a fresh home and says whether it created the metadata database. */
async function fresh(args: string[], configJson?: unknown) {
  const home = join(root, `h${n++}`);
  const extra: string[] = [];
  if (configJson !== undefined) {
    const file = join(root, `config-${n}.json`);
    writeFileSync(file, JSON.stringify(configJson));
    extra.push('-c', file);
  }
  const r = await runCli([...extra, ...args], {
    env: { AQLAKE_HOME: home, OPENAQ_API_URL: 'http://127.0.0.1:9/v3' },
  });
  return { ...r, created: existsSync(join(home, '_meta', 'aqlake.db')) };
}

const tomorrow = () => addDays(latestToday(), 1);

describe('the CLI refuses before touching the lake', () => {
  it.each([
    [['run', '--from', '9999-12-31', '--to', '9999-12-31'], /--from: 9999-12-31 is in the future/],
    [['run', '--from', '2024-03-01', '--to', 'TOMORROW'], /--to: .* is in the future/],
    [['trigger', '--date', 'TOMORROW'], /--date: .* is in the future/],
    [['backfill', '--from', 'TOMORROW', '--to', 'TOMORROW'], /in the future/],
    [['extract', '--from', 'TOMORROW', '--to', 'TOMORROW'], /in the future/],
    [
      ['run', '--from', '2016-01-01', '--to', '2026-01-01'],
      /3654 days \(more than 366\): pass --yes .*backfill --dry-run/,
    ],
    [
      ['backfill', '--from', '2016-01-01', '--to', '2026-01-01'],
      /pass --yes to run them all, or see the plan first with --dry-run/,
    ],
    [
      ['run', '--from', '2024-03-01', '--to', '2024-03-01', '--locations', '99999999999999999999'],
      /--locations: .*"99999999999999999999"/,
    ],
    [
      ['run', '--from', '2024-03-01', '--to', '2024-03-01', '--parallel', '0'],
      /--parallel: expected a positive whole number/,
    ],
    [
      ['run', '--from', '2024-03-01', '--to', '2024-03-01', '--parallel=-1'],
      /--parallel: expected a positive whole number, got "-1"/,
    ],
    [['run', '--from', '2024-03-01', '--to', '2024-03-01', '--parallel', '-1'], /--parallel/],
    [['run', '--from', '2024-03-01', '--to', '2024-03-01', '--source', 'ftp'], /--source/],
    [['query', ''], /<sql>: empty/],
  ])('%j exits 2 with one line and creates nothing', async (args, message) => {
    const r = await fresh(args.map((a) => (a === 'TOMORROW' ? tomorrow() : a)));
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(r.created).toBe(false);
  });

  it('names schedule.timezone when the zone is unknown (no startDate given)', async () => {
    const r = await fresh(['runs'], { schedule: { timezone: 'Mars/Olympus' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schedule\.timezone: unknown IANA time zone "Mars\/Olympus"/);
    expect(r.stderr).not.toMatch(/startDate/);
  });

  it('names INSTALL and CHECKPOINT as what they are when refusing them', async () => {
    for (const [sql, word] of [
      ['INSTALL httpfs', 'INSTALL'],
      ['CHECKPOINT', 'CHECKPOINT'],
      ['LOAD json', 'LOAD'],
    ]) {
      const r = await fresh(['query', sql!]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`read-only: only queries .* not ${word}\\n$`));
    }
  });
});

describe('the API refuses bad dates and ids', () => {
  const post = (body: unknown) => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

  it('refuses a future day, and ids beyond safe integers, starting nothing', async () => {
    const services = fakeServices();
    const app = createApp(services, { page: false });
    const future = await app.request('/api/trigger', post({ date: '9999-12-31' }));
    expect(future.status).toBe(400);
    expect(((await future.json()) as { error: string }).error).toMatch(/^date: 9999-12-31 is in the future/);
    const back = await app.request('/api/backfill', post({ from: '2024-03-01', to: tomorrow() }));
    expect(back.status).toBe(400);
    const ids = await app.request('/api/trigger', post({ date: '2024-03-01', locations: [1e20] }));
    expect(ids.status).toBe(400);
    expect(services.calls.trigger).toEqual([]);
    expect(services.calls.backfill).toEqual([]);
  });
});
