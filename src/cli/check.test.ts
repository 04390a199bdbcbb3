// aqlake check: the real CLI in a child process on a published lake — results printed and recorded, exit 1 on an
// error check, exit 2 for a day without a partition.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/cli.js';
import { publishDays } from '../../test/helpers/lake-steps.js';
import { PM25, writeHourlyStation } from '../../test/helpers/raw-objects.js';
import { openTestLake, type TestLake } from '../../test/helpers/transform-lake.js';
import { type CheckResultRecord, listCheckResults } from '../lake/check-results.js';
import { openMetaDb } from '../lake/meta/meta-db.js';
import { formatResults } from './check.js';

let lake: TestLake;
const env = () => ({ AQLAKE_HOME: lake.home });

beforeAll(async () => {
  lake = openTestLake();
  // A data literal (query.test.ts has a station like it): each test states the station its expectations are about.
  await writeHourlyStation(lake.store, lake.meta, {
    location: {
      id: 1,
      timezone: 'UTC',
      latitude: 51.5,
      longitude: 0,
      sensors: [{ id: 11, parameter: PM25 }],
    },
    locationsFetchedAt: '2024-07-01T00:00:00Z',
    locationId: null,
    fromUtc: '2024-07-20T00:00:00Z',
    toUtc: '2024-07-22T00:00:00Z',
    value: (i) => i,
    fetchedAt: '2024-07-23T00:00:00Z',
  });
  await publishDays(lake, '2024-07-23T00:00:00Z', ['2024-07-20', '2024-07-21']);
  await lake.close();
});

afterAll(() => rmSync(lake.home, { recursive: true, force: true }));

describe('aqlake check (the real CLI)', () => {
  it('checks one published day, prints a line per check and records the results', async () => {
    const r = await runCli(['check', '--date', '2024-07-21'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^local_date +│ check +│ severity │ status │ observed │ message$/);
    expect(lines.filter((l) => l.startsWith('2024-07-21'))).toHaveLength(7);
    expect(lines.find((l) => l.includes('unique_sensor_period'))).toMatch(/│ error +│ pass +│ +0 │ every/);
    expect(lines.at(-1)).toBe('7 passed or skipped, 0 error(s), 0 warning(s)');
    const meta = openMetaDb(lake.home);
    try {
      const stored = listCheckResults(meta, { localDate: '2024-07-21', latest: true });
      expect(stored.map((s) => [s.check, s.runId])).toContainEqual(['reconciliation', null]);
    } finally {
      meta.close();
    }
  });

  it('fails with one line naming the check and the partition when an error check fails', async () => {
    const meta = openMetaDb(lake.home);
    meta
      .prepare(
        "UPDATE catalog_versions SET raw_rows = raw_rows + 2 WHERE partition_key = '2024-07-20' AND state = 'current'",
      )
      .run();
    meta.close();
    const r = await runCli(['check', '--json'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'aqlake: check: 1 error check(s) failed on 1 day(s); first: check reconciliation failed on ' +
        'dev.measurements day=2024-07-20 (raw 26 ≠ dev 24 + quarantined 0 + duplicates dropped 0)\n',
    );
    const results = JSON.parse(r.stdout) as CheckResultRecord[];
    expect(new Set(results.map((x) => x.localDate))).toEqual(new Set(['2024-07-20', '2024-07-21']));
    expect(results.filter((x) => x.status === 'fail').map((x) => [x.localDate, x.check])).toEqual([
      ['2024-07-20', 'reconciliation'],
    ]);
  });

  it('is a usage error to name a day that has no published partition', async () => {
    const r = await runCli(['check', '--date', '2024-08-01'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'aqlake: --date 2024-08-01: dev.measurements has no published partition for that day\n',
    );
  });
});

describe('formatResults', () => {
  it('says so when there is nothing to check', () => {
    expect(formatResults([])).toBe('no published partitions of dev.measurements to check\n');
  });
});
