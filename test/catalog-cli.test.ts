// aqlake catalog / catalog history / rollback / catalog ddl / vacuum, run as a user runs them (a child process against a real lake).
import { mkdirSync, writeFileSync } from 'node:fs';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listVersionHistory } from '../src/lake/catalog/index.js';
import { runCli } from './helpers/cli.js';
import { transformAndCommit } from './helpers/lake-steps.js';
import { hourlyRecords, PM25, writeHourlyStation, writeRawMeasurements } from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

let lake: TestLake;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  lake = openTestLake();
  env = { AQLAKE_HOME: lake.home, AQLAKE_BUCKET: '' };
  await writeHourlyStation(lake.store, lake.meta, {
    location: {
      id: 5,
      timezone: 'Europe/Berlin',
      latitude: 52.5,
      longitude: 13.4,
      sensors: [{ id: 50, parameter: PM25 }],
    },
    locationsFetchedAt: '2024-06-01T00:00:00Z',
    fromUtc: '2024-06-09T22:00:00Z',
    toUtc: '2024-06-11T22:00:00Z',
    value: (i) => i,
    fetchedAt: '2024-06-12T00:00:00Z',
  });
  await transformAndCommit(lake, '2024-06-10', '2024-06-11');
});
afterAll(() => removeTestLake(lake));

describe('aqlake catalog', () => {
  it('lists the tables with rows, files, time range and schema version', async () => {
    const json = await runCli(['catalog', '--json'], { env });
    expect(json.code).toBe(0);
    const { tables } = JSON.parse(json.stdout) as { tables: Record<string, unknown>[] };
    expect(tables.find((t) => t.table === 'measurements')).toMatchObject({
      partitioned: true,
      schemaVersion: 1,
      partitions: 2,
      rows: 48,
      files: 2,
      minPeriodEndUtc: '2024-06-09T23:00:00Z',
      maxPeriodEndUtc: '2024-06-11T22:00:00Z',
    });
    const text = await runCli(['catalog', '--table', 'measurements'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^2024-06-10\s+\d+\s+v1\s+24\s/m);
    expect(text.stdout).toMatch(/^schema v1 .*: location_id BIGINT, sensor_id BIGINT/m);
  });

  it('fails with one line for an unknown table', async () => {
    const result = await runCli(['catalog', '--table', 'nope'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'aqlake: --table: no table "nope" in the catalog (known: locations, measurements, sensors)',
    ]);
  });

  it('prints Athena DDL for every dev table, day-partitioned ones with partition projection', async () => {
    const result = await runCli(['catalog', 'ddl', '--bucket', 'my-lake', '--years', '2024,2030'], { env });
    expect(result.code).toBe(0);
    const statements = result.stdout.trim().split('\n\n');
    expect(statements.map((s) => s.split('\n')[0])).toEqual([
      'CREATE EXTERNAL TABLE IF NOT EXISTS `dev`.`locations` (',
      'CREATE EXTERNAL TABLE IF NOT EXISTS `dev`.`measurements` (',
      'CREATE EXTERNAL TABLE IF NOT EXISTS `dev`.`sensors` (',
    ]);
    expect(statements[1]).toContain(
      "PARTITIONED BY (`year` string, `month` string, `day` string)\nSTORED AS PARQUET\nLOCATION 's3://my-lake/dev/measurements/'",
    );
    for (const property of [
      "'projection.enabled'='true'",
      "'projection.year.range'='2024,2030'",
      "'projection.month.digits'='2'",
      "'projection.day.range'='1,31'",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's placeholders, not JavaScript's
      "'storage.location.template'='s3://my-lake/dev/measurements/year=${year}/month=${month}/day=${day}/'",
    ])
      expect(statements[1]).toContain(property);
    expect(statements[0]).not.toContain('projection');
    expect(statements[0]).toContain("LOCATION 's3://my-lake/dev/locations/'");
  });
});

describe('aqlake catalog history and aqlake rollback', () => {
  const DAY = '2024-06-10';
  const treeKey = 'dev/measurements/year=2024/month=06/day=10/data.parquet';
  const treeValues = async () =>
    new Set((await readParquetRows([lake.store.pathOf(treeKey)])).map((r) => r.value as number));
  /** The day's prod.daily_averages object in the tree: it must follow the dev day it was computed from. */
  const treeDailyAverage = async () =>
    (
      (await parquetReadObjects({
        file: await asyncBufferFromFile(
          lake.store.pathOf('prod/daily_averages/year=2024/month=06/day=10/data.parquet'),
        ),
      })) as { value_avg: number }[]
    ).map((r) => r.value_avg);
  const history = async () => {
    const out = await runCli(['catalog', 'history', '--table', 'measurements', '--date', DAY, '--json'], {
      env,
    });
    expect(out.code, out.stderr).toBe(0);
    return (JSON.parse(out.stdout) as { versions: Record<string, unknown>[] }).versions;
  };

  it('lists a day’s versions, and rollback makes the replaced one current again in the catalog and the tree', async () => {
    const [first] = listVersionHistory(lake.meta, 'measurements', DAY);
    // A later fetch revises every value of the day to 100; the new version replaces the first.
    await writeRawMeasurements(lake.store, lake.meta, {
      sensorId: 50,
      locationId: 5,
      window: { fromUtc: '2024-06-09T22:00:00Z', toUtc: '2024-06-10T22:00:00Z' },
      records: hourlyRecords('2024-06-09T22:00:00Z', '2024-06-10T22:00:00Z', () => 100),
      fetchedAt: '2024-06-13T00:00:00Z',
    });
    const [second] = await transformAndCommit(lake, DAY);
    expect(await treeValues()).toEqual(new Set([100]));

    const versions = await history();
    expect(versions.map((v) => [v.versionId, v.state, v.rows, v.objectKept])).toEqual([
      [second!.versionId, 'current', 24, true],
      [first!.versionId, 'superseded', 24, true],
    ]);
    expect(versions[1]).toMatchObject({ checks: { text: 'not run' } });
    expect(versions[1]!.supersededAt).toBe(versions[0]!.committedAt);
    const text = await runCli(['catalog', 'history', '--table', 'dev.measurements', '--date', DAY], { env });
    expect(text.stdout).toMatch(new RegExp(`^${DAY}\\s+${first!.versionId}\\s+superseded\\s`, 'm'));

    const back = await runCli(['rollback', '--table', 'measurements', '--date', DAY], { env });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toBe(
      `dev.measurements/${DAY}: version ${first!.versionId} is current again (replacing version ${second!.versionId})\n`,
    );
    expect((await history()).map((v) => [v.versionId, v.state])).toEqual([
      [second!.versionId, 'superseded'],
      [first!.versionId, 'current'],
    ]);
    // The tree and aqlake query both read the first version again.
    expect((await treeValues()).has(100)).toBe(false);
    const query = await runCli(
      [
        'query',
        '--format',
        'json',
        `SELECT max(value) AS m FROM dev.measurements WHERE local_date = DATE '${DAY}'`,
      ],
      { env },
    );
    expect(JSON.parse(query.stdout)).toEqual([{ m: Math.max(...(await treeValues())) }]);
    // The prod day came back in the same commit, computed from the first version (not the revised 100s).
    const firstMean = [...(await treeValues())];
    expect(await treeDailyAverage()).toHaveLength(1);
    expect((await treeDailyAverage())[0]).not.toBe(100);
    expect(firstMean.length).toBeGreaterThan(1);

    // And forward again by version number.
    const forward = await runCli(
      [
        'rollback',
        '--table',
        'measurements',
        '--date',
        DAY,
        '--version',
        String(second!.versionId),
        '--json',
      ],
      { env },
    );
    expect(forward.code, forward.stderr).toBe(0);
    expect(JSON.parse(forward.stdout)).toMatchObject({
      versionId: second!.versionId,
      previousVersionId: first!.versionId,
    });
    expect(await treeValues()).toEqual(new Set([100]));
    expect(await treeDailyAverage()).toEqual([100]);
  });

  it('refuses a version that is not an earlier one of the day, and a partitioned table without --date', async () => {
    const current = listVersionHistory(lake.meta, 'measurements', DAY).find((v) => v.state === 'current')!;
    const same = await runCli(
      ['rollback', '--table', 'measurements', '--date', DAY, '--version', String(current.versionId)],
      { env },
    );
    expect(same.code).toBe(1);
    expect(same.stderr).toContain(
      `version ${current.versionId} of dev.measurements/${DAY} is already current`,
    );
    const other = await runCli(
      ['rollback', '--table', 'measurements', '--date', '2024-06-11', '--version', String(current.versionId)],
      { env },
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('is not a version of dev.measurements/2024-06-11');
    const noDate = await runCli(['rollback', '--table', 'measurements'], { env });
    expect(noDate.code).toBe(2);
    expect(noDate.stderr).toContain('--date: dev.measurements is partitioned by day');
  });
});

describe('aqlake vacuum', () => {
  it('lists orphans on --dry-run without deleting, then deletes them and leaves committed files', async () => {
    const dir = lake.store.pathOf('dev/measurements/year=2024/month=06/day=10');
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/part-left-by-a-crash.parquet`, 'partial');
    const orphan = 'dev/measurements/year=2024/month=06/day=10/part-left-by-a-crash.parquet';

    const young = await runCli(['vacuum', '--json'], { env });
    expect(JSON.parse(young.stdout)).toMatchObject({ deleted: [], keptYoung: 1 });

    const dry = await runCli(['vacuum', '--dry-run', '--grace-minutes', '0'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would delete ${orphan} (orphan, 7 B)`);
    expect(await lake.store.head(orphan)).not.toBeNull();

    const real = await runCli(['vacuum', '--grace-minutes', '0', '--json'], { env });
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout).deleted).toEqual([{ key: orphan, bytes: 7, reason: 'orphan' }]);
    expect(await lake.store.head(orphan)).toBeNull();
    const after = await runCli(['catalog', '--json'], { env });
    expect(
      JSON.parse(after.stdout).tables.find((t: { table: string }) => t.table === 'measurements').files,
    ).toBe(2);
  });
});
