// Publish stores a day's prod tables at prod/{table}/year=/month=/day=/data.parquet, computed from the version it
// commits; readers' prod.* views read those files; `aqlake prod rebuild` redoes the days a rule change left stale.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/cli.js';
import { PM25, writeHourlyStation } from '../../test/helpers/raw-objects.js';
import { openTestLake, removeTestLake, type TestLake } from '../../test/helpers/transform-lake.js';
import { materialisedProdTables } from '../engines/prod-rules.js';
import { readableDevRoots, resolveDevTables } from '../lake/dev-files.js';
import { currentObjectKey } from '../lake/keys.js';
import { catalogDay } from './catalog-task.js';
import { materialiseProdDay, prodDayStates, resolveProdTables } from './prod-days.js';
import { publishDay } from './publish.js';
import { transformDay } from './transform.js';
import { type CheckContext, validateDay } from './validate.js';

const DAYS = ['2024-03-10', '2024-03-11'];
let lake: TestLake;
let ctx: CheckContext & TestLake;

beforeAll(async () => {
  lake = openTestLake();
  ctx = Object.assign(lake, { now: () => new Date('2024-03-12T12:00:00Z') });
  await writeHourlyStation(lake.store, lake.meta, {
    location: {
      id: 1,
      timezone: 'Asia/Kolkata',
      latitude: 1,
      longitude: 2,
      sensors: [{ id: 11, parameter: PM25 }],
    },
    locationsFetchedAt: '2024-03-01T00:00:00Z',
    locationId: null,
    fromUtc: '2024-03-09T18:30:00Z',
    toUtc: '2024-03-11T18:30:00Z',
    value: (i) => (i % 5) + 0.5,
    fetchedAt: '2024-03-12T00:00:00Z',
  });
  for (const day of DAYS) {
    const staged = await transformDay(lake, day);
    await catalogDay(lake, day, { versionId: staged.versionId });
    await validateDay(ctx, day);
    await publishDay(ctx, day);
  }
});

afterAll(() => removeTestLake(lake));

async function daily(withProdTables: boolean): Promise<unknown[][]> {
  const tables = await resolveDevTables(lake);
  const prodTables = withProdTables ? await resolveProdTables(lake) : [];
  const session = await lake.engine.openReadOnlySession({
    tables,
    ...(withProdTables ? { prodTables } : {}),
    allowedDirectories: readableDevRoots(tables, lake.home, prodTables),
  });
  try {
    return (
      await session.query(
        'SELECT local_date::VARCHAR, value_avg, hour_count FROM prod.daily_averages ORDER BY local_date',
      )
    ).rows;
  } finally {
    session.close();
  }
}

describe('prod days at publish', () => {
  it('stores one file per materialised table and day, and the views over them answer as the rules do', async () => {
    for (const day of DAYS)
      for (const { table } of materialisedProdTables())
        expect(existsSync(join(lake.home, currentObjectKey('prod', table, day))), `${table} ${day}`).toBe(
          true,
        );
    const prodTables = await resolveProdTables(lake);
    expect(prodTables.find((t) => t.table === 'daily_averages')?.paths).toHaveLength(2);
    const stored = await daily(true);
    // values (i mod 5) + 0.5 per hour: 24 hours of the Kolkata day from 18:30Z; means of 24 of them
    expect(stored.map(([day, , hours]) => [day, hours])).toEqual([
      ['2024-03-10', 24],
      ['2024-03-11', 24],
    ]);
    expect(stored[0]![1]).toBeCloseTo((4 * 10 + 0.5 * 24 + (0 + 1 + 2 + 3)) / 24, 12);
    expect(stored).toEqual(await daily(false));
    expect(prodDayStates(lake.meta).every((s) => s.stale.length === 0)).toBe(true);
  });

  it('`aqlake prod rebuild` redoes exactly the days whose rule version is stale', async () => {
    // as if 2024-03-11's daily_averages had been computed by an older rule
    lake.meta
      .prepare(
        "UPDATE prod_days SET rule_version = 'old' WHERE table_name = 'daily_averages' AND local_date = ?",
      )
      .run('2024-03-11');
    // until rebuilt, readers compute that table live from dev.* (right, only slower)
    expect((await resolveProdTables(lake)).map((t) => t.table)).toEqual([
      'hourly',
      'hourly_clean',
      'daily_averages_clean',
    ]);
    const env = { AQLAKE_HOME: lake.home };
    const dry = await runCli(['prod', 'rebuild', '--dry-run', '--json'], { env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({
      dryRun: true,
      days: [{ localDate: '2024-03-11', stale: ['daily_averages'] }],
    });
    const run = await runCli(['prod', 'rebuild', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ rebuilt: ['2024-03-11'], upToDate: 1 });
    expect(prodDayStates(lake.meta).every((s) => s.stale.length === 0)).toBe(true);
    expect((await resolveProdTables(lake)).map((t) => t.table)).toContain('daily_averages');
    expect(await daily(true)).toEqual(await daily(false));
  });

  it("records a day's prod tables at the caller's clock, at publish and when materialised again", async () => {
    const builtAt = (day: string) =>
      lake.meta
        .prepare('SELECT DISTINCT built_at FROM prod_days WHERE local_date = ?')
        .pluck()
        .all(day) as string[];
    expect(builtAt('2024-03-10')).toEqual(['2024-03-12T12:00:00.000Z']);
    await materialiseProdDay({ ...lake, now: () => new Date('2024-03-13T08:00:00Z') }, '2024-03-10');
    expect(builtAt('2024-03-10')).toEqual(['2024-03-13T08:00:00.000Z']);
  });
});
