// Readers of the lake's tree that are not aqlake: a fresh DuckDB process globbing the table folders with
// hive_partitioning, and hyparquet (pure JS, no DuckDB). Both project each dev table to the same comparable rows as
// `aqlake query` does with TREE_PROJECTIONS, so a test can compare the three exactly.
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type TreeTable = 'measurements' | 'locations' | 'sensors';
export type TreeRow = Record<string, string | number | boolean | null>;

interface Projection {
  /** Over a relation X: one row per table row, numbers as DOUBLE, instants as epoch ms, dates as text. */
  sql: string;
  /** The same from a hyparquet row (BIGINT → bigint, TIMESTAMP/DATE → Date). */
  js: (r: Record<string, unknown>) => TreeRow;
  key: string[];
}

const ms = (v: unknown) => (v instanceof Date ? v.getTime() : v === null ? null : Number(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const TREE_PROJECTIONS: Record<TreeTable, Projection> = {
  measurements: {
    sql: `SELECT sensor_id::DOUBLE AS sensor_id, epoch_ms(period_end_utc)::DOUBLE AS t, value,
            strftime(local_date, '%Y-%m-%d') AS local_date, quality, raw_key FROM X`,
    js: (r) => ({
      sensor_id: num(r.sensor_id),
      t: ms(r.period_end_utc),
      value: num(r.value),
      local_date: r.local_date instanceof Date ? r.local_date.toISOString().slice(0, 10) : null,
      quality: r.quality as string,
      raw_key: r.raw_key as string,
    }),
    key: ['sensor_id', 't'],
  },
  locations: {
    sql: `SELECT location_id::DOUBLE AS location_id, epoch_ms(valid_from)::DOUBLE AS t, name, latitude, longitude,
            is_current FROM X`,
    js: (r) => ({
      location_id: num(r.location_id),
      t: ms(r.valid_from),
      name: r.name as string,
      latitude: num(r.latitude),
      longitude: num(r.longitude),
      is_current: r.is_current as boolean,
    }),
    key: ['location_id', 't'],
  },
  sensors: {
    sql: `SELECT sensor_id::DOUBLE AS sensor_id, location_id::DOUBLE AS location_id,
            epoch_ms(valid_from)::DOUBLE AS t, parameter, is_current FROM X`,
    js: (r) => ({
      sensor_id: num(r.sensor_id),
      location_id: num(r.location_id),
      t: ms(r.valid_from),
      parameter: r.parameter as string,
      is_current: r.is_current as boolean,
    }),
    key: ['sensor_id', 'location_id', 't'],
  },
};

/** Rows in a stable order (every projected column), for exact comparison. */
export function sortRows(rows: TreeRow[]): TreeRow[] {
  const text = (r: TreeRow) =>
    JSON.stringify(
      Object.keys(r)
        .sort()
        .map((k) => r[k]),
    );
  return [...rows].sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

/** Keys that occur more than once. */
export function duplicateKeys(table: TreeTable, rows: TreeRow[]): string[] {
  const seen = new Map<string, number>();
  for (const r of rows) {
    const k = TREE_PROJECTIONS[table].key.map((c) => r[c]).join('|');
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

/** The SQL `aqlake query` runs to get the table's comparable rows. */
export function querySql(table: TreeTable): string {
  return TREE_PROJECTIONS[table].sql.replace(/\bX$/, `dev.${table}`);
}

const DUCKDB_SCRIPT = `
import { DuckDBInstance } from '@duckdb/node-api';
const [glob, sql] = process.argv.slice(1);
const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
const con = await instance.connect();
await con.run("SET TimeZone = 'UTC'");
const reader = await con.runAndReadAll(sql.replace(/\\bX$/, "read_parquet('" + glob.replaceAll("'", "''") + "', hive_partitioning = true)"));
process.stdout.write(JSON.stringify(reader.getRowObjectsJS()));
`;

/** A new node process with its own DuckDB reads `{root}/dev/{table}/**\/*.parquet` with hive_partitioning = true. */
export function readTreeWithDuckDbProcess(root: string, table: TreeTable): Promise<TreeRow[]> {
  const glob = join(root, 'dev', table, '**', '*.parquet');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', DUCKDB_SCRIPT, glob, TREE_PROJECTIONS[table].sql],
      { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`duckdb reader exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as TreeRow[]);
    });
  });
}

/** Every Parquet file under `{root}/dev/{table}/`, read with hyparquet. */
export async function readTreeWithHyparquet(root: string, table: TreeTable): Promise<TreeRow[]> {
  const rows: TreeRow[] = [];
  for (const path of await parquetFiles(join(root, 'dev', table))) {
    const objects = (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as Record<
      string,
      unknown
    >[];
    for (const o of objects) rows.push(TREE_PROJECTIONS[table].js(o));
  }
  return rows;
}

/** Relative paths of the files under `dir` (all of them: a table folder must hold nothing but its objects). */
export async function filesUnder(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.isDirectory()) for (const f of await filesUnder(join(dir, e.name))) out.push(`${e.name}/${f}`);
    else out.push(e.name);
  }
  return out.sort();
}

async function parquetFiles(dir: string): Promise<string[]> {
  return (await filesUnder(dir)).filter((f) => f.endsWith('.parquet')).map((f) => join(dir, f));
}

/** Every key of the bucket under `prefix`, read straight from S3 (not through the lake's store), page by page. */
export async function bucketKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return (await bucketObjects(client, bucket, prefix)).map((o) => o.key);
}

/** Every object (key and size) of the bucket under `prefix`, read straight from S3, page by page. */
export async function bucketObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ key: string; size: number }[]> {
  const objects: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of page.Contents ?? []) if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

/** Copies every object of the bucket under `prefix` to `{dir}/{key}`, as a tool syncing the bucket would. */
export async function mirrorBucket(
  client: S3Client,
  bucket: string,
  prefix: string,
  dir: string,
): Promise<string[]> {
  const keys = await bucketKeys(client, bucket, prefix);
  for (const key of keys) {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const path = join(dir, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await got.Body!.transformToByteArray());
  }
  return keys.sort();
}
