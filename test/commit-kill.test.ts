// A process killed at any point of transform → catalog → commit leaves the old partition or the new one, never a
// mix; vacuum then removes what it left behind. The child is a real process, killed with SIGKILL at fixed points.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { listTableFiles, vacuumLake } from '../src/lake/catalog/index.js';
import { transformWorkRoot } from '../src/pipeline/transform.js';
import { transformAndCommit } from './helpers/lake-steps.js';
import { hourlyRecords, PM25, writeRawLocations, writeRawMeasurements } from './helpers/raw-objects.js';
import type { PausePoint } from './helpers/transform-child.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

const CHILD = fileURLToPath(new URL('./helpers/transform-child.ts', import.meta.url));
const DAY = '2024-09-10';
const SENSORS = 40;
const OLD_VALUE = 1;
const NEW_VALUE = 2;
let lake: TestLake | null = null;

afterEach(async () => {
  if (lake) await removeTestLake(lake);
  lake = null;
});

/** A lake whose DAY is committed with OLD_VALUE everywhere, and raw data that revises every value to NEW_VALUE. */
async function lakeWithRevision(): Promise<TestLake> {
  const l = openTestLake();
  const sensors = Array.from({ length: SENSORS }, (_, i) => ({ id: 1000 + i, parameter: PM25 }));
  await writeRawLocations(l.store, l.meta, {
    fetchedAt: '2024-09-01T00:00:00Z',
    locations: [{ id: 9, timezone: 'America/Sao_Paulo', latitude: -23.5, longitude: -46.6, sensors }],
  });
  const window = { fromUtc: '2024-09-09T00:00:00Z', toUtc: '2024-09-13T00:00:00Z' };
  const land = async (value: number, fetchedAt: string) => {
    for (const s of sensors)
      await writeRawMeasurements(l.store, l.meta, {
        sensorId: s.id,
        locationId: 9,
        window,
        records: hourlyRecords(window.fromUtc, window.toUtc, () => value),
        fetchedAt,
      });
  };
  await land(OLD_VALUE, '2024-09-13T01:00:00Z');
  await transformAndCommit(l, DAY);
  await land(NEW_VALUE, '2024-09-14T01:00:00Z');
  return l;
}

interface ChildOutcome {
  marker: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the child until it prints `PAUSED <point>` (then SIGKILLs it) or `DONE`. */
function runChild(home: string, pauseAt: PausePoint | null): Promise<ChildOutcome> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, home, DAY], {
      env: { ...process.env, AQLAKE_TEST_PAUSE_AT: pauseAt ?? '', AQLAKE_LOG_LEVEL: 'silent' },
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
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!marker) reject(new Error(`child ended without a marker (code ${code}, ${signal}): ${stderr}`));
      else resolve({ marker, code, signal });
    });
  });
}

/** What a reader sees now: the values of DAY resolved through the catalog and read with DuckDB. */
async function readDay(l: TestLake): Promise<{ values: Set<number>; rows: number; keys: string[] }> {
  const files = listTableFiles(l.meta, 'measurements').filter((f) => f.localDate === DAY);
  const rows = await readParquetRows(await Promise.all(files.map((f) => l.store.localPath(f.key))));
  return {
    values: new Set(rows.map((r) => r.value as number)),
    rows: rows.length,
    keys: files.map((f) => f.key),
  };
}

async function devKeys(l: TestLake): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of l.store.list('dev/')) keys.push(o.key);
  return keys.sort();
}

const ROWS = SENSORS * 24;

describe('killing the transform/commit process', () => {
  const cases: { pauseAt: PausePoint | null; sees: 'old' | 'new' }[] = [
    { pauseAt: 'engine-done', sees: 'old' },
    { pauseAt: 'file-uploaded', sees: 'old' },
    { pauseAt: 'staged', sees: 'old' },
    { pauseAt: 'before-commit', sees: 'old' },
    { pauseAt: 'in-commit', sees: 'old' },
    { pauseAt: 'after-commit', sees: 'new' },
    { pauseAt: null, sees: 'new' },
  ];

  for (const { pauseAt, sees } of cases) {
    it(`${pauseAt ? `SIGKILL at ${pauseAt}` : 'no kill'}: readers see exactly the ${sees} partition; vacuum cleans up`, async () => {
      lake = await lakeWithRevision();
      const before = await readDay(lake);
      expect(before).toMatchObject({ rows: ROWS, values: new Set([OLD_VALUE]) });

      const outcome = await runChild(lake.home, pauseAt);
      if (pauseAt) expect(outcome).toMatchObject({ marker: `PAUSED ${pauseAt}`, signal: 'SIGKILL' });
      else expect(outcome).toMatchObject({ code: 0 });

      // Another process opens the metadata DB after the crash, as the next run or the server would.
      const reader = openTestLake(lake.home);
      try {
        const seen = await readDay(reader);
        expect(seen.rows).toBe(ROWS);
        expect(seen.values).toEqual(new Set([sees === 'old' ? OLD_VALUE : NEW_VALUE]));
        if (sees === 'old') expect(seen.keys).toEqual(before.keys);

        const result = await vacuumLake(reader.store, reader.meta, {
          graceMinutes: 0,
          stagedMaxAgeMinutes: 0,
          now: new Date(Date.now() + 1000),
          workDir: transformWorkRoot(reader.home),
        });
        expect(result.errors).toEqual([]);
        // Only the committed partitions' files are left under dev/, and the day still reads the same.
        const live = listTableFiles(reader.meta, 'measurements', { kind: 'data' }).map((f) => f.key);
        const quarantine = listTableFiles(reader.meta, 'measurements', { kind: 'quarantine' }).map(
          (f) => f.key,
        );
        const dims = [
          ...listTableFiles(reader.meta, 'locations'),
          ...listTableFiles(reader.meta, 'sensors'),
        ].map((f) => f.key);
        expect(await devKeys(reader)).toEqual([...live, ...quarantine, ...dims].sort());
        expect(await readDay(reader)).toEqual(seen);
        expect(readdirSafe(transformWorkRoot(reader.home))).toEqual([]);
      } finally {
        await reader.close();
      }
    });
  }

  it('vacuum leaves a young orphan alone (a transform may still be writing it)', async () => {
    lake = await lakeWithRevision();
    const dir = lake.store.pathOf(`dev/measurements/year=2024/month=09/day=10`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/part-in-flight.parquet`, 'x');
    const result = await vacuumLake(lake.store, lake.meta, { graceMinutes: 60 });
    expect(result).toMatchObject({ deleted: [], keptYoung: 1 });
  });
});

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
