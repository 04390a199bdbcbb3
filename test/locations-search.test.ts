// aqlake locations search through the real CLI against the simulator over HTTP: filters, nearest first, the table,
// and --add writing scope.locations with the config's comments intact so the next `aqlake run` uses it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';

interface Found {
  id: number;
  name: string;
  provider: string | null;
  parameters: { id: number; name: string; units: string }[];
  firstMeasurement: string | null;
  lastMeasurement: string | null;
  distanceKm: number | null;
}

// Brooklyn - PS 274 (1001) is the point; Queens College (1008) is about 9 km away; everything else is far.
const BROOKLYN = '40.6965,-73.9173';

describe('aqlake locations search', () => {
  let sim: RunningSimulator;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, now: () => new Date('2024-11-06T12:00:00Z') });
    env = {
      OPENAQ_API_URL: sim.url,
      OPENAQ_API_KEY: 'k',
      AQLAKE_HOME: mkdtempSync(join(tmpdir(), 'aqlake-loc-')),
    };
  });
  afterAll(() => sim?.close());

  async function search(args: string[]): Promise<Found[]> {
    const out = await runCli(['locations', 'search', ...args, '--json'], { env });
    expect(out.code, out.stderr).toBe(0);
    return JSON.parse(out.stdout) as Found[];
  }

  it('--near returns the locations within the radius, nearest first, with their distance', async () => {
    const found = await search(['--near', BROOKLYN, '--radius', '10']);
    expect(found.map((l) => l.id)).toEqual([1001, 1008]);
    expect(found[0]!.distanceKm).toBeLessThan(0.1);
    expect(found[1]!.distanceKm).toBeGreaterThan(8);
    expect(found[1]!.distanceKm).toBeLessThan(10);
    expect((await search(['--near', BROOKLYN, '--radius', '5'])).map((l) => l.id)).toEqual([1001]);
  });

  it('filters by country, parameter name or id, and bounding box', async () => {
    expect((await search(['--country', 'in'])).map((l) => l.id)).toEqual([1003, 1007]);
    // pm10 is measured at Anand Vihar (1003) but not at Bandra Kurla (1007)
    expect((await search(['--country', 'IN', '--parameter', 'pm10'])).map((l) => l.id)).toEqual([1003]);
    expect((await search(['--country', 'IN', '--parameter', '1'])).map((l) => l.id)).toEqual([1003]);
    expect((await search(['--bbox', '-10,45,5,60'])).map((l) => l.id)).toEqual([1005]);
  });

  it('reports parameters with units and first/last measurement; --active-since drops idle locations', async () => {
    const [brooklyn] = await search(['--near', BROOKLYN, '--radius', '1']);
    expect(brooklyn!.parameters).toContainEqual({ id: 2, name: 'pm25', units: 'µg/m³' });
    expect(brooklyn!.firstMeasurement! < brooklyn!.lastMeasurement!).toBe(true);
    expect(await search(['--near', BROOKLYN, '--radius', '1', '--active-since', '2030-01-01'])).toEqual([]);
  });

  it('prints a table by default', async () => {
    const out = await runCli(['locations', 'search', '--near', BROOKLYN, '--radius', '10'], { env });
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s*id\s+name\s+provider\s+parameters\s+first\s+last \(UTC\)\s+km$/);
    expect(lines[1]).toMatch(/^1001\s+Brooklyn - PS 274\s.*pm25 µg\/m³.*\s0\.0$/);
    expect(lines).toHaveLength(3);
  });

  it('rejects bad flags with one usage line', async () => {
    const out = await runCli(['locations', 'search', '--near', '40.7', '--radius', '10'], { env });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^aqlake: --near: expected LAT,LON/);
    const far = await runCli(['locations', 'search', '--near', BROOKLYN, '--radius', '30'], { env });
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/25 km/);
  });

  it('--add writes scope.locations keeping comments, and the next run uses the new scope', {
    timeout: 180_000,
  }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aqlake-loc-add-'));
    const original = `// my lake: keep this comment
{
  "home": "./lake",
  "scope": {
    /* Denver first */
    "locations": [1002],
    "maxLocations": 10
  },
  // the simulator has no rate limit
  "api": { "rateLimit": { "perMinute": 100000, "perHour": 1000000 } }
}
`;
    writeFileSync(join(cwd, 'aqlake.config.json'), original);
    const runEnv = { OPENAQ_API_URL: sim.url, OPENAQ_API_KEY: 'k', AQLAKE_HOME: undefined };
    const add = await runCli(['locations', 'search', '--near', BROOKLYN, '--radius', '10', '--add', '1008'], {
      cwd,
      env: runEnv,
    });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toMatch(/added 1008 to scope\.locations/);
    const edited = readFileSync(join(cwd, 'aqlake.config.json'), 'utf8');
    expect(edited).toContain('// my lake: keep this comment');
    expect(edited).toContain('/* Denver first */');
    expect(edited).toContain('// the simulator has no rate limit');
    expect(edited.replace(/"locations": \[[^\]]*\]/, '')).toBe(
      original.replace(/"locations": \[[^\]]*\]/, ''),
    );
    expect(parse(edited).scope.locations).toEqual([1002, 1008]);

    const notFound = await runCli(['locations', 'search', '--country', 'GB', '--add', '1001'], {
      cwd,
      env: runEnv,
    });
    expect(notFound.code).toBe(2);
    expect(readFileSync(join(cwd, 'aqlake.config.json'), 'utf8')).toBe(edited);

    const run = await runCli(['run', '--from', '2024-11-04', '--to', '2024-11-04', '--source', 'api'], {
      cwd,
      env: runEnv,
    });
    expect(run.code, run.stderr).toBe(0);
    const q = await runCli(
      ['query', '--format', 'json', 'SELECT DISTINCT location_id FROM dev.locations ORDER BY location_id'],
      { cwd, env: runEnv },
    );
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual([{ location_id: 1002 }, { location_id: 1008 }]);
  });
});
