// The check specs and runner: header parsing, and every check of sql/checks/ on real Parquet partitions built to
// pass or to break exactly one rule.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MeasurementRow,
  measurement,
  naive,
  writeMeasurementsParquet,
} from '../../../test/prod-views-support.js';
import { projectPath } from '../../paths.js';
import type { CheckOutcome, CheckParams } from '../engine.js';
import { listChecks, parseCheckSpec } from '../sql-files.js';
import { paramsUsedBy, runPartitionChecks } from './checks.js';
import { MEASUREMENTS_COLUMNS } from './transform-measurements.js';

describe('parseCheckSpec', () => {
  const body = 'SELECT 1 AS status';
  it('reads the header, with continued lines', () => {
    const spec = parseCheckSpec(
      'a_check.sql',
      `-- check: a_check\n-- severity: warn\n-- table: measurements\n-- tests: first half\n--   and second half\n${body};\n`,
    );
    expect(spec).toMatchObject({
      name: 'a_check',
      severity: 'warn',
      table: 'measurements',
      tests: 'first half and second half',
      sql: `-- check: a_check\n-- severity: warn\n-- table: measurements\n-- tests: first half\n--   and second half\n${body}`,
    });
  });

  it('refuses a header that lacks a field, names another file, or has an unknown severity', () => {
    expect(() => parseCheckSpec('x.sql', `-- check: x\n-- severity: error\n-- table: m\n${body}`)).toThrow(
      'sql/checks/x.sql: the header lacks "-- tests: …"',
    );
    expect(() =>
      parseCheckSpec('x.sql', `-- check: y\n-- severity: error\n-- table: m\n-- tests: t\n${body}`),
    ).toThrow('check "y" must live in y.sql');
    expect(() =>
      parseCheckSpec('x.sql', `-- check: x\n-- severity: fatal\n-- table: m\n-- tests: t\n${body}`),
    ).toThrow('severity must be error or warn, got "fatal"');
  });

  it('lists the project checks, error checks first', () => {
    const checks = listChecks();
    expect(checks.map((c) => [c.name, c.severity])).toEqual([
      ['local_date_matches_partition', 'error'],
      ['not_null_keys', 'error'],
      ['reconciliation', 'error'],
      ['unique_sensor_period', 'error'],
      ['coverage', 'warn'],
      ['freshness', 'warn'],
      ['value_in_range', 'warn'],
    ]);
  });
});

describe('paramsUsedBy', () => {
  it('passes only the parameters a statement names, and refuses an unknown one', () => {
    expect(paramsUsedBy('SELECT $a, $a + $c', { a: 1, b: 2, c: null })).toEqual({ a: 1, c: null });
    expect(() => paramsUsedBy('SELECT $nope', { a: 1 })).toThrow('unknown check parameter $nope');
  });
});

const DAY = '2024-07-21';
let home: string;
let n = 0;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-checks-'));
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/** 24 hourly pm25 values of sensor 1 on DAY (UTC): a partition that passes every check. */
function goodDay(sensorId = 1, hours = 24): MeasurementRow[] {
  return Array.from({ length: hours }, (_, i) =>
    measurement({
      sensor_id: sensorId,
      period_end_utc: naive(new Date(Date.parse(`${DAY}T01:00:00Z`) + i * 3_600_000)),
      value: 5 + i,
    }),
  );
}

function params(overrides: Partial<CheckParams> = {}): CheckParams {
  return {
    localDate: DAY,
    rawRows: 24,
    quarantinedRows: 0,
    duplicatesDropped: 0,
    minCoveragePct: 50,
    maxStalenessHours: 72,
    nowUtc: '2024-07-22T06:00:00.000Z',
    qualityRulesPath: projectPath('sql', 'dev', 'quality-rules.json'),
    ...overrides,
  };
}

async function check(rows: MeasurementRow[], p: CheckParams = params()): Promise<Map<string, CheckOutcome>> {
  const file = join(home, `part-${n++}.parquet`);
  await writeMeasurementsParquet(file, rows);
  const outcomes = await runPartitionChecks({
    partition: { table: 'measurements', paths: [file], columns: MEASUREMENTS_COLUMNS },
    params: p,
  });
  return new Map(outcomes.map((o) => [o.check, o]));
}

function failed(results: Map<string, CheckOutcome>): string[] {
  return [...results.values()].filter((o) => o.status === 'fail').map((o) => o.check);
}

describe('runPartitionChecks', () => {
  it('passes a clean, complete, fresh day', async () => {
    const r = await check(goodDay());
    expect(failed(r)).toEqual([]);
    expect(r.get('reconciliation')).toMatchObject({
      status: 'pass',
      observed: 0,
      message: 'raw 24 = dev 24 + quarantined 0 + duplicates dropped 0',
    });
    expect(r.get('freshness')).toMatchObject({ status: 'pass', observed: 6 });
    expect(r.get('unique_sensor_period')?.tests).toMatch(/no two rows share/);
  });

  it('finds duplicate keys', async () => {
    const rows = goodDay();
    rows.push({ ...rows[3]!, value: 99 }, { ...rows[3]!, value: 98 }, { ...rows[7]! });
    const r = await check(rows, params({ rawRows: 27 }));
    expect(failed(r)).toEqual(['unique_sensor_period']);
    expect(r.get('unique_sensor_period')).toMatchObject({ observed: 2, severity: 'error' });
    expect(r.get('unique_sensor_period')!.message).toBe(
      '2 duplicate keys, e.g. sensor 1 at 2024-07-21 04:00:00 UTC (3 rows)',
    );
  });

  it('finds rows of another day, and rows whose local_date breaks the OpenAQ day rule', async () => {
    const rows = goodDay(1, 22);
    rows.push(measurement({ sensor_id: 2, period_end_utc: '2024-07-22 05:00:00', value: 1 })); // local_date 07-22
    // 2024-07-21 02:00Z is 07-20 22:00 in New York: local_date 07-21 would break the rule
    rows.push({
      ...measurement({
        sensor_id: 3,
        period_end_utc: '2024-07-21 02:00:00',
        value: 1,
        timezone: 'America/New_York',
      }),
      local_date: DAY,
    });
    const r = await check(rows);
    expect(failed(r)).toContain('local_date_matches_partition');
    expect(r.get('local_date_matches_partition')).toMatchObject({
      observed: 2,
      message:
        '1 rows with another local_date (e.g. 2024-07-22), 1 whose local_date is not the local date of period_end − 1 s',
    });
  });

  it('finds rows without a key', async () => {
    const rows = goodDay();
    rows[5] = { ...rows[5]!, value: null };
    const r = await check(rows);
    expect(failed(r)).toEqual(['not_null_keys']);
    expect(r.get('not_null_keys')!.message).toBe(
      '1 rows lack a key (sensor_id: 0, period_end_utc: 0, local_date: 0, value: 1)',
    );
  });

  it('reconciles raw rows with dev, quarantine and dropped duplicates, and skips without counts', async () => {
    const lost = await check(goodDay(), params({ rawRows: 30, quarantinedRows: 2, duplicatesDropped: 1 }));
    expect(failed(lost)).toEqual(['reconciliation']);
    expect(lost.get('reconciliation')).toMatchObject({
      observed: 3,
      message: 'raw 30 ≠ dev 24 + quarantined 2 + duplicates dropped 1',
    });
    const unknown = await check(
      goodDay(),
      params({ rawRows: null, quarantinedRows: null, duplicatesDropped: null }),
    );
    expect(unknown.get('reconciliation')).toMatchObject({ status: 'skip' });
  });

  it('warns about values outside their parameter range, not about sentinels', async () => {
    const rows = goodDay();
    rows[0] = { ...rows[0]!, value: 2000 }; // pm25 µg/m³ max is 1500
    rows[1] = { ...rows[1]!, value: -3 };
    rows[2] = { ...rows[2]!, value: -999, quality: 'sentinel' };
    const r = await check(rows);
    expect(failed(r)).toEqual(['value_in_range']);
    expect(r.get('value_in_range')).toMatchObject({
      severity: 'warn',
      observed: 2,
      message: "2 values outside their parameter's range (1 negative), e.g. pm25 2000.0 µg/m³ on sensor 1",
    });
  });

  it('warns about sensors that cover too little of the day', async () => {
    const r = await check([...goodDay(1), ...goodDay(2, 11)], params({ rawRows: 35 }));
    expect(failed(r)).toEqual(['coverage']);
    expect(r.get('coverage')!.message).toBe(
      '1 of 2 sensors below 50.0 % of 24 hours (lowest: sensor 2, 11 hours)',
    );
  });

  it('warns when a recent day goes stale, and skips a day that ended long ago', async () => {
    // today, 20:00 UTC: the newest of six hourly values ended at 06:00, 14 h ago
    const stale = await check(
      goodDay(1, 6),
      params({ rawRows: 6, nowUtc: '2024-07-21T20:00:00Z', maxStalenessHours: 12 }),
    );
    expect(stale.get('freshness')).toMatchObject({
      status: 'fail',
      observed: 14,
      message: 'newest measurement 2024-07-21 06:00 UTC is 14.0 h old (limit 12.0 h)',
    });
    const fresh = await check(goodDay(1, 6), params({ rawRows: 6, nowUtc: '2024-07-21T07:30:00Z' }));
    expect(fresh.get('freshness')).toMatchObject({ status: 'pass', observed: 1.5 });
    const old = await check(goodDay(), params({ nowUtc: '2024-09-01T00:00:00Z' }));
    expect(old.get('freshness')!.status).toBe('skip');
  });

  it('counts a check that cannot run as failed, with the reason', async () => {
    const broken = parseCheckSpec(
      'broken.sql',
      '-- check: broken\n-- severity: error\n-- table: measurements\n-- tests: t\nSELECT nope FROM dev.measurements',
    );
    const file = join(home, 'broken.parquet');
    await writeMeasurementsParquet(file, goodDay());
    const [outcome] = await runPartitionChecks(
      {
        partition: { table: 'measurements', paths: [file], columns: MEASUREMENTS_COLUMNS },
        params: params(),
      },
      {},
      [broken],
    );
    expect(outcome).toMatchObject({ check: 'broken', status: 'fail', observed: null });
    expect(outcome!.message).toMatch(/^the check could not run: .*Binder Error.*nope/);
  });

  it('checks an empty partition without failing its error checks', async () => {
    const r = await check([], params({ rawRows: 0 }));
    expect(failed(r)).toEqual([]);
    expect(r.get('coverage')!.status).toBe('skip');
  });
});
