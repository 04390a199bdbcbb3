// Transform throughput: N sensors × D days of hourly raw /measurements pages through our transform (typing, local
// days, dedup, quality, quarantine, one Parquet file per day, staged in the catalog) against a bare DuckDB
// `COPY (SELECT … FROM read_json(…)) TO parquet PARTITION_BY (day)` of the same objects in the same run; each in a
// child process of its own, so peak_rss_mb is the transform's alone.
// Size: `npm run bench -- --sensors 1000 --days 365 --memory-limit 512MB` (default 280 × 30 ≈ 200k rows);
// `--per-day` also times transformDay called once per day (the read amplification of one page per ~41 days).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config/index.js';
import { createDuckDbInstance, sqlString, withSession } from '../src/engines/duckdb/duckdb-instance.js';
import { createEngine } from '../src/engines/index.js';
import { findRawObjects } from '../src/lake/manifest.js';
import { openMetaDb } from '../src/lake/meta/meta-db.js';
import { LocalObjectStore } from '../src/lake/store/index.js';
import { createLogger } from '../src/logging.js';
import { transformDay, transformDays } from '../src/pipeline/transform.js';
import { addDays, eachDate } from '../src/time/local-day.js';
import { hourlyRecords, PM25, writeRawLocations, writeRawMeasurements } from '../test/helpers/raw-objects.js';

const FROM = '2024-01-01';
/** Rows per page as the API pages them; one page spans ~41 days of hourly data. */
const PAGE_ROWS = 1000;
const CHILD_FLAG = '--transform-bench-child';
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];

interface Options {
  sensors: number;
  days: number;
  memoryLimit: string;
  threads: number;
  perDay: boolean;
}

function options(argv: string[]): Options {
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sensors = Number(flag('sensors') ?? 280);
  const days = Number(flag('days') ?? 30);
  return {
    sensors,
    days,
    memoryLimit: flag('memory-limit') ?? '1GB',
    threads: Number(flag('threads') ?? 2),
    // transformDay once per day re-reads every object spanning the day (a page spans ~41 days): opt-in, slow.
    perDay: argv.includes('--per-day'),
  };
}

export async function transformBenchmark(): Promise<Record<string, number | string>> {
  const opts = options(process.argv);
  const home = mkdtempSync(join(tmpdir(), 'aqlake-bench-transform-'));
  try {
    const store = new LocalObjectStore(home);
    const meta = openMetaDb(home);
    const genStart = performance.now();
    const { rows, objects } = await generate(store, meta, opts);
    const generateSeconds = (performance.now() - genStart) / 1000;
    meta.close();

    // Each side in a child process of its own, so that its peak RSS is its own.
    const ours = runChild('ours', home, opts);
    const bare = runChild('bare', home, opts);
    // The same bare COPY told that each page is one line of JSON, as our typed read is: what DuckDB does at best.
    const bareLines = runChild('bare-lines', home, opts);
    if (ours.rows !== rows) throw new Error(`transform wrote ${ours.rows} rows of ${rows}`);
    if (bare.rows < rows) throw new Error(`bare COPY wrote ${bare.rows} rows, fewer than ${rows}`);
    if (bareLines.rows < rows)
      throw new Error(`bare COPY (one line a page) wrote ${bareLines.rows} rows, fewer than ${rows}`);
    return {
      sensors: opts.sensors,
      days: opts.days,
      rows,
      raw_objects: objects,
      generate_s: round(generateSeconds),
      ours_s: round(ours.seconds),
      bare_copy_s: round(bare.seconds),
      ratio: round(ours.seconds / bare.seconds),
      ours_cpu_s: round(ours.cpuSeconds),
      bare_copy_cpu_s: round(bare.cpuSeconds),
      cpu_ratio: round(ours.cpuSeconds / bare.cpuSeconds),
      bare_copy_lines_s: round(bareLines.seconds),
      bare_copy_lines_cpu_s: round(bareLines.cpuSeconds),
      ratio_vs_lines: round(ours.seconds / bareLines.seconds),
      cpu_ratio_vs_lines: round(ours.cpuSeconds / bareLines.cpuSeconds),
      ours_rows_per_s: Math.round(rows / ours.seconds),
      bare_copy_rows_per_s: Math.round(bare.rows / bare.seconds),
      ...(ours.perDaySeconds !== undefined ? { per_day_calls_s: round(ours.perDaySeconds) } : {}),
      peak_rss_mb: ours.peakRssMb,
      bare_copy_peak_rss_mb: bare.peakRssMb,
      memory_limit: opts.memoryLimit,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

interface ChildResult {
  seconds: number;
  /** CPU time of the child (all threads) while it ran the step: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  rows: number;
  peakRssMb: number;
  perDaySeconds?: number;
}

function runChild(side: 'ours' | 'bare' | 'bare-lines', home: string, opts: Options): ChildResult {
  const args = [
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
    CHILD_FLAG,
    side,
    home,
    JSON.stringify(opts),
  ];
  const out = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (out.status !== 0) throw new Error(`bench ${side} child failed (exit ${out.status ?? out.signal})`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as ChildResult;
}

/** In the child: our transform of every day (one pass), or the bare COPY; prints one JSON line. */
async function child(side: string, home: string, opts: Options): Promise<void> {
  const result =
    side === 'ours' ? await ours(home, opts) : await bareCopy(home, opts, { lines: side === 'bare-lines' });
  process.stdout.write(
    `${JSON.stringify({ ...result, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

async function ours(home: string, opts: Options): Promise<Omit<ChildResult, 'peakRssMb'>> {
  const config = {
    ...parseConfig({ duckdb: { memoryLimit: opts.memoryLimit, threads: opts.threads } }),
    home,
  };
  const meta = openMetaDb(home);
  const engine = await createEngine(config);
  const ctx = {
    config,
    store: new LocalObjectStore(home),
    meta,
    engine,
    logger: createLogger({ level: 'silent' }),
    runId: null,
  };
  const to = addDays(FROM, opts.days - 1);
  const start = performance.now();
  const c0 = process.cpuUsage();
  const staged = await transformDays(ctx, FROM, to);
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = cpuSince(c0);
  let perDaySeconds: number | undefined;
  if (opts.perDay) {
    const t = performance.now();
    for (const day of eachDate(FROM, to)) await transformDay(ctx, day);
    perDaySeconds = (performance.now() - t) / 1000;
  }
  await engine.close();
  meta.close();
  return {
    seconds,
    cpuSeconds,
    rows: staged.reduce((s, d) => s + d.rows, 0),
    ...(perDaySeconds ? { perDaySeconds } : {}),
  };
}

/** Hourly pages per sensor, as extract lands a backfill: ≤1000 rows each, in zones around the world. */
async function generate(
  store: LocalObjectStore,
  meta: ReturnType<typeof openMetaDb>,
  opts: Options,
): Promise<{ rows: number; objects: number }> {
  const locations = ZONES.map((timezone, i) => ({
    id: i + 1,
    timezone,
    latitude: 10 * i,
    longitude: 20 * i,
    sensors: [] as { id: number; parameter: typeof PM25 }[],
  }));
  for (let s = 0; s < opts.sensors; s++)
    locations[s % ZONES.length]!.sensors.push({ id: 100_000 + s, parameter: PM25 });
  await writeRawLocations(store, meta, { fetchedAt: '2023-12-01T00:00:00Z', locationId: null, locations });

  // Period ends from a day before the first local day to a day after the last: every zone's days are complete.
  const startMs = Date.parse(`${FROM}T00:00:00Z`) - 86_400_000;
  const endMs = Date.parse(`${addDays(FROM, opts.days)}T00:00:00Z`) + 86_400_000;
  let inRange = 0;
  let objects = 0;
  for (const location of locations) {
    for (const sensor of location.sensors) {
      for (let from = startMs; from < endMs; from += PAGE_ROWS * 3_600_000) {
        const to = Math.min(from + PAGE_ROWS * 3_600_000, endMs);
        const records = hourlyRecords(new Date(from).toISOString(), new Date(to).toISOString(), (i, end) =>
          Number(((Date.parse(end) / 3_600_000 + i + sensor.id) % 97).toFixed(1)),
        );
        await writeRawMeasurements(store, meta, {
          sensorId: sensor.id,
          locationId: location.id,
          window: { fromUtc: new Date(from).toISOString(), toUtc: new Date(to).toISOString() },
          records,
          fetchedAt: new Date(endMs + 3_600_000).toISOString(),
        });
        objects++;
      }
      inRange += opts.days * 24;
    }
  }
  return { rows: inRange, objects };
}

/**
 * The limit: a bare DuckDB COPY of the same raw objects — typed read_json → unnest → one Snappy Parquet file per
 * (UTC) day. No manifest, typing rules, local days, dedup, quality, quarantine or catalog. `lines`: read_json told
 * the pages are newline-delimited (one line each), as the transform's typed read is.
 */
async function bareCopy(
  home: string,
  opts: Options,
  { lines }: { lines: boolean },
): Promise<Omit<ChildResult, 'peakRssMb'>> {
  const meta = openMetaDb(home);
  const store = new LocalObjectStore(home);
  const paths = findRawObjects(meta, { endpoint: 'sensors_measurements' }).map((o) => store.pathOf(o.rawKey));
  meta.close();
  const out = join(home, '_bench', lines ? 'bare-lines' : 'bare');
  mkdirSync(out, { recursive: true });
  const instance = await createDuckDbInstance({
    memoryLimit: opts.memoryLimit,
    threads: opts.threads,
    tempDirectory: join(home, '_tmp', 'bench-duckdb'),
  });
  try {
    const start = performance.now();
    const c0 = process.cpuUsage();
    const [result] = await withSession(instance, (db) =>
      db.rows<{ Count: number }>(
        `COPY (
           SELECT filename AS raw_file, r.value, r.parameter.id AS parameter_id, r.parameter.name AS parameter,
             r.parameter.units AS units, r.period.datetimeFrom.utc::TIMESTAMPTZ AS period_start_utc,
             r.period.datetimeTo.utc::TIMESTAMPTZ AS period_end_utc, r.period."interval" AS "interval",
             r.flagInfo.hasFlags AS has_flags, r.coordinates.latitude AS latitude,
             r.coordinates.longitude AS longitude,
             CAST(r.period.datetimeTo.utc::TIMESTAMPTZ AS DATE) AS day
           FROM (SELECT filename, unnest(results) AS r
                 FROM read_json($paths, filename = true, ${lines ? "format = 'newline_delimited'," : ''}
                   columns = {meta: 'JSON', results: 'STRUCT(value DOUBLE,
                   flagInfo STRUCT(hasFlags BOOLEAN), parameter STRUCT(id INTEGER, name VARCHAR, units VARCHAR),
                   period STRUCT("interval" VARCHAR, datetimeFrom STRUCT(utc VARCHAR), datetimeTo STRUCT(utc VARCHAR)),
                   coordinates STRUCT(latitude DOUBLE, longitude DOUBLE))[]'}))
         ) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (day), OVERWRITE true, RETURN_FILES true)`,
        { paths },
      ),
    );
    return {
      seconds: (performance.now() - start) / 1000,
      cpuSeconds: cpuSince(c0),
      rows: Number(result?.Count ?? 0),
    };
  } finally {
    instance.closeSync();
  }
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

if (process.argv[2] === CHILD_FLAG) {
  const [side, home, json] = process.argv.slice(3);
  await child(side!, home!, JSON.parse(json!) as Options);
}
