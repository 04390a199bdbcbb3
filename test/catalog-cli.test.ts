// aqlake catalog / catalog ddl / vacuum, run as a user runs them (a child process against a real lake).
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { transformAndCommit } from './helpers/lake-steps.js';
import { hourlyRecords, PM25, writeRawLocations, writeRawMeasurements } from './helpers/raw-objects.js';
import { openTestLake, removeTestLake, type TestLake } from './helpers/transform-lake.js';

let lake: TestLake;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  lake = openTestLake();
  env = { AQLAKE_HOME: lake.home, AQLAKE_BUCKET: '' };
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2024-06-01T00:00:00Z',
    locations: [
      {
        id: 5,
        timezone: 'Europe/Berlin',
        latitude: 52.5,
        longitude: 13.4,
        sensors: [{ id: 50, parameter: PM25 }],
      },
    ],
  });
  await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: 50,
    locationId: 5,
    window: { fromUtc: '2024-06-09T22:00:00Z', toUtc: '2024-06-11T22:00:00Z' },
    records: hourlyRecords('2024-06-09T22:00:00Z', '2024-06-11T22:00:00Z', (i) => i),
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

  it('prints Athena DDL for every dev table', async () => {
    const result = await runCli(['catalog', 'ddl', '--bucket', 'my-lake'], { env });
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
