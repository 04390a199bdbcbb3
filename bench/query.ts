// Query speed over a year of prod.daily_averages for 1,000 sensors (365,000 daily rows, materialised per local day as
// publish stores them: prod/daily_averages/year=/month=/day=/data.parquet), through the same locked read-only session
// `aqlake query` and the server use, beside bare DuckDB over the same files. Always this size, whatever --sensors/--days.
//   daily_year: monthly means per location over the whole year (a typical BI query);
//   daily_sensor_month: one sensor, one month.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { createDuckDbInstance, sqlString, withSession } from '../src/engines/duckdb/duckdb-instance.js';
import { materialisedProdTables } from '../src/engines/prod-rules.js';
import { currentObjectKey } from '../src/lake/keys.js';
import { addDays } from '../src/time/local-day.js';

const SENSORS = 1000;
const LOCATIONS = 250;
const FROM = '2024-01-01';
const DAYS = 365;
const RUNS = 5;

const YEAR_SQL = (table: string) => `
  SELECT location_id, date_trunc('month', local_date) AS month, avg(value_avg) AS value_avg,
    sum(hour_count) AS hours, count(*) AS days
  FROM ${table} GROUP BY ALL ORDER BY ALL`;
const SENSOR_MONTH_SQL = (table: string) => `
  SELECT * FROM ${table}
  WHERE sensor_id = 100500 AND local_date BETWEEN DATE '2024-06-01' AND DATE '2024-06-30' ORDER BY local_date`;

export async function queryBenchmark(): Promise<Record<string, number | string>> {
  const home = mkdtempSync(join(tmpdir(), 'aqlake-bench-query-'));
  const settings = { memoryLimit: '1GB', threads: 2, tempDirectory: join(home, '_tmp') };
  try {
    const files = await writeDailyYear(home, settings);
    const engine = new DuckDbEngine(settings);
    const session = await engine.openReadOnlySession({
      tables: [],
      prodTables: materialisedProdTables().map((t) => ({
        table: t.table,
        paths: t.table === 'daily_averages' ? files : [],
        columns: [],
      })),
      allowedDirectories: [join(home, 'prod'), join(home, 'dev')],
    });
    const bare = await createDuckDbInstance(settings);
    try {
      const glob = sqlString(join(home, 'prod', 'daily_averages', '*', '*', '*', 'data.parquet'));
      const bareTable = `read_parquet(${glob}, hive_partitioning = false)`;
      const ours = (sql: string) => p50(() => session.query(sql).then((r) => r.rows.length));
      const plain = (sql: string) => p50(() => withSession(bare, (db) => db.rows(sql).then((r) => r.length)));
      const year = await ours(YEAR_SQL('prod.daily_averages'));
      const yearBare = await plain(YEAR_SQL(bareTable));
      if (year.rows !== LOCATIONS * 12 || yearBare.rows !== year.rows)
        throw new Error(`daily_year: ${year.rows} rows, bare ${yearBare.rows}`);
      const month = await ours(SENSOR_MONTH_SQL('prod.daily_averages'));
      const monthBare = await plain(SENSOR_MONTH_SQL(bareTable));
      if (month.rows !== 30 || monthBare.rows !== 30) throw new Error(`sensor_month: ${month.rows} rows`);
      return {
        daily_rows: SENSORS * DAYS,
        daily_year_p50_ms: year.ms,
        daily_year_bare_p50_ms: yearBare.ms,
        daily_sensor_month_p50_ms: month.ms,
        daily_sensor_month_bare_p50_ms: monthBare.ms,
        daily_year_cpu_p50_ms: year.cpuMs,
        daily_year_bare_cpu_p50_ms: yearBare.cpuMs,
        daily_sensor_month_cpu_p50_ms: month.cpuMs,
        daily_sensor_month_bare_cpu_p50_ms: monthBare.cpuMs,
      };
    } finally {
      session.close();
      bare.closeSync();
      await engine.close();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** p50 of RUNS: wall time, and the process's CPU time (all DuckDB threads), steadier on a busy machine. */
async function p50(run: () => Promise<number>): Promise<{ ms: number; cpuMs: number; rows: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const c0 = process.cpuUsage();
    rows = await run();
    times.push(performance.now() - start);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const mid = (xs: number[]) => Math.round(xs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]! * 10) / 10;
  return { ms: mid(times), cpuMs: mid(cpu), rows };
}

/** A year of daily rows for 1,000 sensors, one file per local day at its prod key; returns the files. */
async function writeDailyYear(
  home: string,
  settings: { memoryLimit: string; threads: number; tempDirectory: string },
): Promise<string[]> {
  const scratch = join(home, '_scratch');
  mkdirSync(scratch, { recursive: true });
  const instance = await createDuckDbInstance(settings);
  try {
    await withSession(instance, (db) =>
      db.run(`COPY (
          SELECT CAST(s % ${LOCATIONS} + 1 AS BIGINT) AS location_id, CAST(100000 + s AS BIGINT) AS sensor_id,
            CAST(2 AS INTEGER) AS parameter_id, 'pm25' AS parameter, 'µg/m³' AS units,
            CAST(DATE ${sqlString(FROM)} + CAST(d AS INTEGER) AS DATE) AS local_date,
            (s * 7 + d * 13) % 500 / 10.0 AS value_avg, (s * 7 + d * 13) % 100 / 10.0 AS value_min,
            (s * 7 + d * 13) % 900 / 10.0 AS value_max, (s * 7 + d * 13) % 400 / 10.0 AS value_median,
            CAST(24 AS INTEGER) AS hour_count, 100.0::DOUBLE AS coverage_pct, d
          FROM range(${SENSORS}) r1(s), range(${DAYS}) r2(d)
          ORDER BY d, sensor_id
        ) TO ${sqlString(scratch)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (d))`),
    );
  } finally {
    instance.closeSync();
  }
  const files: string[] = [];
  for (let d = 0; d < DAYS; d++) {
    const [file] = readdirSync(join(scratch, `d=${d}`));
    const key = join(home, currentObjectKey('prod', 'daily_averages', addDays(FROM, d)));
    mkdirSync(join(key, '..'), { recursive: true });
    renameSync(join(scratch, `d=${d}`, file!), key);
    files.push(key);
  }
  return files;
}
