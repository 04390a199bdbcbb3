// Prod materialised per local day: each day of prod.hourly, prod.daily_averages (and the other tables sql/prod marks
// `materialised: per local day`) computed once from the dev day files, stored at prod/{table}/year=/month=/day=/
// data.parquet; the prod.* views over those files give exactly the rows the rules give computed live over dev.*.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { QuerySession } from '../src/engines/duckdb/query-session.js';
import type { CellValue } from '../src/engines/engine.js';
import { materialisedProdTables } from '../src/engines/prod-rules.js';
import { currentObjectKey } from '../src/lake/keys.js';
import { projectPath } from '../src/paths.js';
import { DAILY_AVERAGES_COLUMNS } from './helpers/prod-rows.js';
import {
  MEASUREMENT_COLUMNS,
  type MeasurementRow,
  measurement,
  naive,
  writeMeasurementsParquet,
} from './prod-views-support.js';

function hours(base: Partial<MeasurementRow>, sensor: number, firstEndUtc: string, n: number, step = 60) {
  const start = Date.parse(`${firstEndUtc.replace(' ', 'T')}Z`);
  return Array.from({ length: n }, (_, i) =>
    measurement({
      interval_seconds: step * 60,
      ...base,
      sensor_id: sensor,
      period_end_utc: naive(new Date(start + i * step * 60_000)),
      value: i % 11 === 0 ? -999 : ((i * 7.3 + sensor) % 50) - 2,
      quality: undefined,
    }),
  ).map((r) => ({ ...r, quality: r.value! <= -999 ? 'sentinel' : r.value! < 0 ? 'negative' : 'ok' }));
}

// Three days around New York's spring-forward day, Kolkata (+05:30), a 15-minute UTC sensor, WHO/AQI parameters;
// Santiago, whose clocks change at local midnight (back 2024-04-07 00:00 → 04-06 23:00, forward 2024-09-08
// 00:00 → 01:00), and Kathmandu (+05:45) with 10-minute periods ending 7 s past the minute.
const rows: MeasurementRow[] = [
  ...hours({ timezone: 'America/New_York', location_id: 10 }, 101, '2024-03-09 05:00:00', 72),
  ...hours({ timezone: 'Asia/Kolkata', location_id: 20 }, 201, '2024-03-09 00:30:00', 70),
  ...hours({ location_id: 30, parameter: 'pm10', parameter_id: 1 }, 301, '2024-03-09 00:15:00', 280, 15),
  ...hours({ location_id: 40, parameter: 'o3', parameter_id: 3 }, 401, '2024-03-09 01:00:00', 72),
  ...hours({ timezone: 'America/Santiago', location_id: 60 }, 601, '2024-04-05 04:00:00', 72),
  ...hours({ timezone: 'America/Santiago', location_id: 60 }, 602, '2024-09-06 04:00:00', 72),
  ...hours({ timezone: 'Asia/Kathmandu', location_id: 70 }, 701, '2024-09-06 18:00:07', 432, 10),
  measurement({
    sensor_id: 501,
    location_id: 50,
    period_end_utc: '2024-03-10 12:00:00',
    value: 7,
    quality: 'future',
  }),
];
const DAYS = [...new Set(rows.map((r) => r.local_date!))].sort();

let home: string;
let engine: DuckDbEngine;
const devFiles = new Map<string, string>();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'aqlake-prod-days-'));
  engine = new DuckDbEngine({ memoryLimit: '512MB', threads: 2, tempDirectory: join(home, '_tmp') });
  // dev.measurements as the lake holds it: one file per local day
  for (const day of DAYS) {
    const path = join(home, 'dev', 'measurements', day, 'data.parquet');
    await writeMeasurementsParquet(
      path,
      rows.filter((r) => r.local_date === day),
    );
    devFiles.set(day, path);
  }
  // publish's computation of each day: from the day's dev file alone (src/pipeline/prod-days.ts says why)
  for (const day of DAYS) {
    const out = await engine.buildProdDay({
      localDate: day,
      measurementFiles: [devFiles.get(day)!],
      measurementColumns: MEASUREMENT_COLUMNS,
      workDir: join(home, '_tmp', day),
    });
    for (const t of out.tables) {
      const key = join(home, currentObjectKey('prod', t.table, day));
      mkdirSync(join(key, '..'), { recursive: true });
      renameSync(t.file.localPath, key);
    }
  }
});

afterAll(async () => {
  await engine?.close();
  rmSync(home, { recursive: true, force: true });
});

function materialisedFiles(table: string): string[] {
  return DAYS.map((d) => join(home, currentObjectKey('prod', table, d)));
}

/**
 * Equal rows; doubles to 1e-12 relative: a mean is summed in whatever order DuckDB's parallel aggregate meets the
 * values, so the live view itself can differ from run to run in the last bit.
 */
function expectSameRows(
  actual: Record<string, CellValue>[],
  expected: Record<string, CellValue>[],
  what: string,
): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((row, i) => {
    const want = expected[i]!;
    expect(Object.keys(row), what).toEqual(Object.keys(want));
    for (const [k, v] of Object.entries(row)) {
      const w = want[k];
      if (typeof v === 'number' && typeof w === 'number' && !Number.isInteger(w))
        expect(Math.abs(v - w), `${what} row ${i} ${k}`).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(w)),
        );
      else expect(v, `${what} row ${i} ${k}`).toEqual(w);
    }
  });
}

async function allRows(session: QuerySession, view: string): Promise<Record<string, CellValue>[]> {
  return session.run(`SELECT * FROM ${view} ORDER BY ALL`);
}

describe('prod tables materialised per local day', () => {
  it('are hourly, hourly_clean, daily_averages and daily_averages_clean, each day one file with its rule version', async () => {
    const rules = materialisedProdTables();
    expect(rules.map((r) => r.table)).toEqual([
      'hourly',
      'hourly_clean',
      'daily_averages',
      'daily_averages_clean',
    ]);
    const out = await engine.buildProdDay({
      localDate: '2024-03-10',
      measurementFiles: [devFiles.get('2024-03-10')!],
      measurementColumns: MEASUREMENT_COLUMNS,
      workDir: join(home, '_tmp', 'again'),
    });
    expect(out.tables.map((t) => [t.table, t.ruleVersion])).toEqual(
      rules.map((r) => [r.table, r.ruleVersion]),
    );
    const daily = out.tables.find((t) => t.table === 'daily_averages')!;
    expect(daily.file.rows).toBe(5); // five sensors with data on 2024-03-10 (the future-stamped one included)
    expect(daily.columns.map((c) => c.name)).toEqual(DAILY_AVERAGES_COLUMNS);
    const session = await QuerySession.create({ tables: [], prodSqlDir: false });
    try {
      const [kv] = await session.run(
        `SELECT decode(value) AS v FROM parquet_kv_metadata('${daily.file.localPath}') WHERE decode(key) = 'aqlake_rule_version'`,
      );
      expect(kv?.v).toBe(daily.ruleVersion);
    } finally {
      session.close();
    }
  });

  it('give every prod view exactly the rows of the rules computed live over dev.measurements', async () => {
    const tables = [{ name: 'measurements', files: [...devFiles.values()], columns: MEASUREMENT_COLUMNS }];
    const live = await QuerySession.create({ tables });
    const stored = await QuerySession.create({
      tables,
      prodTables: materialisedProdTables().map((t) => ({
        name: t.table,
        files: materialisedFiles(t.table),
        columns: [],
      })),
    });
    try {
      expect(stored.views).toEqual(live.views);
      for (const view of live.views.filter((v) => v.startsWith('prod.'))) {
        expectSameRows(await allRows(stored, view), await allRows(live, view), view);
      }
      expect((await allRows(stored, 'prod.daily_averages')).length).toBeGreaterThan(10);
      // the materialised views read the files, not the rule
      const [plan] = await stored.run(
        "SELECT count(*) AS n FROM duckdb_views() WHERE view_name = 'hourly' AND sql LIKE '%read_parquet%'",
      );
      expect(plan?.n).toBe(1);
    } finally {
      live.close();
      stored.close();
    }
  });

  it('answer with no rows, typed, before any day is stored', async () => {
    const session = await QuerySession.create({
      tables: [{ name: 'measurements', files: [...devFiles.values()], columns: MEASUREMENT_COLUMNS }],
      prodTables: materialisedProdTables().map((t) => ({ name: t.table, files: [], columns: [] })),
    });
    try {
      expect(await session.run('SELECT count(*) AS n FROM prod.daily_averages')).toEqual([{ n: 0 }]);
      const [col] = await session.run(
        "SELECT column_type FROM (DESCRIBE prod.daily_averages) WHERE column_name = 'value_avg'",
      );
      expect(col?.column_type).toBe('DOUBLE');
    } finally {
      session.close();
    }
  });

  it('change rule version exactly where a rule changes: hourly and what reads it, not the clean tables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aqlake-prod-sql-'));
    try {
      cpSync(projectPath('sql', 'prod'), dir, { recursive: true });
      const before = Object.fromEntries(materialisedProdTables(dir).map((t) => [t.table, t.ruleVersion]));
      const file = join(dir, '10_hourly.sql');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace('avg(value) AS value_avg', 'avg(value) + 0 AS value_avg'),
      );
      const after = Object.fromEntries(materialisedProdTables(dir).map((t) => [t.table, t.ruleVersion]));
      expect(after.hourly).not.toBe(before.hourly);
      expect(after.daily_averages).not.toBe(before.daily_averages);
      expect(after.hourly_clean).toBe(before.hourly_clean);
      expect(after.daily_averages_clean).toBe(before.daily_averages_clean);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
