// A deleted or replaced _meta/aqlake.db is noticed: the server's health says so (and data routes refuse), and
// vacuum refuses to take every data file for an orphan.
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { metaDbPath, openMetaDb } from '../src/lake/meta/meta-db.js';
import { pickDag } from '../src/orchestrator/cli-support.js';
import { DagRegistry } from '../src/orchestrator/index.js';
import { pipelineDags } from '../src/pipeline/dags.js';
import { createRealServices } from '../src/server/real-services.js';
import { startServer } from '../src/server/server.js';
import { runCli } from './helpers/cli.js';

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});
function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'aqlake-lost-catalog-'));
  homes.push(home);
  return home;
}
function removeDb(home: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${metaDbPath(home)}${suffix}`, { force: true });
}

describe('a deleted or replaced catalog', () => {
  it('turns the server’s health to 503 with the reason, and data routes refuse', async () => {
    const home = newHome();
    const config = parseConfig({ home });
    const dag = pickDag(new DagRegistry(pipelineDags), config, undefined);
    const real = await createRealServices({ config, dag });
    const server = await startServer({ config, port: 0, services: real.services });
    try {
      const health = () => fetch(new URL('/api/health', server.url));
      expect(await (await health()).json()).toEqual({ ok: true });
      removeDb(home);
      const gone = await health();
      expect(gone.status).toBe(503);
      expect(await gone.json()).toMatchObject({
        ok: false,
        problems: [expect.stringMatching(/aqlake\.db was deleted/)],
      });
      const runs = await fetch(new URL('/api/runs', server.url));
      expect(runs.status).toBe(503);
      openMetaDb(home).close();
      expect(await (await health()).json()).toMatchObject({
        ok: false,
        problems: [expect.stringMatching(/aqlake\.db was replaced/)],
      });
    } finally {
      await server.close();
      await real.close();
    }
  });

  it('makes vacuum refuse to delete data files the new catalog never knew', async () => {
    const home = newHome();
    const file = join(home, 'dev', 'measurements', 'year=2024', 'month=03', 'day=05', 'data.parquet');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'PAR1 not really');
    const dayAgo = new Date(Date.now() - 24 * 3_600_000);
    utimesSync(file, dayAgo, dayAgo);
    // A catalog created after the files (as when _meta/aqlake.db was deleted and a command recreated it).
    openMetaDb(home).close();
    const r = await runCli(['vacuum', '--dry-run', '--grace-minutes', '0'], { env: { AQLAKE_HOME: home } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^aqlake: vacuum refused: .*_meta\/aqlake\.db was probably deleted or replaced/);
    expect(r.stdout).not.toContain('data.parquet');
    const real = await runCli(['vacuum', '--grace-minutes', '0'], { env: { AQLAKE_HOME: home } });
    expect(real.code).toBe(1);
    expect(existsSync(file)).toBe(true);
  });
});
