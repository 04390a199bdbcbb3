// The BI file: a DuckDB database holding no data, only dev.* and prod.* views over globs of the lake's tree. A BI
// tool (DBeaver, Metabase/Superset DuckDB drivers, Evidence, Python's duckdb, the DuckDB CLI) opens it read-only;
// because the views glob the table folders, which hold exactly the current objects (src/lake/commit.ts), every
// later publish shows up without the file being touched. The file is rewritten only when a view's text changes (a
// new schema, a new table, a new prod view), atomically (written aside, then renamed over).
import { createHash, randomUUID } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ColumnSchema } from '../engine.js';
import { listProdViews } from '../sql-files.js';
import { sqlString } from './query-session.js';

export interface BiTable {
  /** `dev` or `prod`. */
  schema: 'dev' | 'prod';
  name: string;
  /** A glob of the table's objects, e.g. `/lake/dev/measurements/**\/*.parquet`; null while it has none. */
  glob: string | null;
  /** Partitioned by Hive folders (year=/month=/day=), which are not columns of the files. */
  partitioned: boolean;
  /** Types an empty view while the table has no object yet. */
  columns: readonly ColumnSchema[];
}

export interface BiFileResult {
  path: string;
  /** False when the file already held exactly these views (it was left untouched). */
  written: boolean;
  views: string[];
  fingerprint: string;
}

const META_TABLE = 'aqlake_bi';

/** The CREATE statements of the BI file, in order. */
function biStatements(tables: readonly BiTable[], prodSqlDir?: string): { view: string; sql: string }[] {
  const out: { view: string; sql: string }[] = [];
  const globbed = new Set(tables.map((t) => `${t.schema}.${t.name}`));
  for (const t of tables) {
    if (!/^[a-z][a-z0-9_]*$/.test(t.name)) throw new Error(`bad table name: ${t.name}`);
    out.push({
      view: `${t.schema}.${t.name}`,
      sql: `CREATE VIEW ${t.schema}.${t.name} AS ${tableSelect(t)}`,
    });
  }
  // prod views aqlake builds with SQL over dev.* (those materialised as prod tables are globbed above instead).
  for (const v of listProdViews(prodSqlDir)) {
    if (globbed.has(v.view)) continue;
    out.push({ view: v.view, sql: `CREATE VIEW ${v.view} AS\n${utcCasts(v.sql)}` });
  }
  return out;
}

function tableSelect(t: BiTable): string {
  if (t.glob === null) {
    const cols = t.columns
      .map((c) => `CAST(NULL AS ${c.type}) AS "${c.name.replace(/"/g, '""')}"`)
      .join(', ');
    return `SELECT ${cols} WHERE false`;
  }
  // hive_partitioning = true reads the tree the way every engine does; the year/month/day folder values are not
  // columns of aqlake's tables (local_date is stored in the files), so they are left out of the view.
  const read = `read_parquet(${sqlString(t.glob)}, hive_partitioning = ${t.partitioned}, union_by_name = true)`;
  return t.partitioned ? `SELECT * EXCLUDE (year, month, day) FROM ${read}` : `SELECT * FROM ${read}`;
}

/**
 * aqlake's SQL reads naive UTC TIMESTAMPs and casts them to TIMESTAMPTZ in a session whose TimeZone is UTC. A BI
 * tool's session has its own TimeZone, so in the BI file each such cast says UTC explicitly: the views give the
 * same rows whatever the reader's TimeZone.
 */
function utcCasts(sql: string): string {
  return sql.replace(/CAST\(([^()]*?) AS TIMESTAMPTZ\)/gi, "timezone('UTC', $1)");
}

/**
 * Writes the BI file at `path` unless it already holds exactly these views. Readers holding the old file open keep
 * reading it; the next open gets the new one.
 */
export async function writeBiFile(
  path: string,
  tables: readonly BiTable[],
  options: { prodSqlDir?: string; lake?: string } = {},
): Promise<BiFileResult> {
  const statements = biStatements(tables, options.prodSqlDir);
  const fingerprint = createHash('sha256')
    .update(statements.map((s) => s.sql).join(';\n'))
    .digest('hex');
  const views = statements.map((s) => s.view);
  if ((await existingFingerprint(path)) === fingerprint) return { path, written: false, views, fingerprint };

  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    const instance = await DuckDBInstance.create(tmp, { autoinstall_known_extensions: 'false' });
    try {
      const con = await instance.connect();
      try {
        await con.run("SET TimeZone = 'UTC'");
        await con.run('CREATE SCHEMA dev');
        await con.run('CREATE SCHEMA prod');
        for (const s of statements) {
          try {
            await con.run(s.sql);
          } catch (err) {
            throw new Error(`BI view ${s.view}: ${(err as Error).message.split('\n')[0]}`);
          }
        }
        await con.run(
          `CREATE TABLE ${META_TABLE} AS SELECT ${sqlString(fingerprint)} AS fingerprint, ${sqlString(new Date().toISOString())} AS written_at, ${sqlString(options.lake ?? '')} AS lake`,
        );
        await con.run('CHECKPOINT');
      } finally {
        con.closeSync();
      }
    } finally {
      instance.closeSync();
    }
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
    await rm(`${tmp}.wal`, { force: true });
  }
  return { path, written: true, views, fingerprint };
}

/** A database at `path` that is not a BI file aqlake wrote: it is never overwritten. */
export class NotABiFileError extends Error {
  constructor(readonly path: string) {
    super(`${path} is a DuckDB database aqlake did not write (no ${META_TABLE} table); choose another --out`);
    this.name = 'NotABiFileError';
  }
}

async function existingFingerprint(path: string): Promise<string | null> {
  if (!(await stat(path).catch(() => null))) return null;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, {
      access_mode: 'READ_ONLY',
      autoinstall_known_extensions: 'false',
    });
  } catch {
    // Locked by a tool that opened it read-write: write a fresh file over it (the tool keeps its open copy).
    return null;
  }
  try {
    const con = await instance.connect();
    try {
      const found = await con.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = '${META_TABLE}'`,
      );
      if (found.getRowObjectsJS()[0]?.n !== 1) throw new NotABiFileError(path);
      const reader = await con.runAndReadAll(`SELECT fingerprint FROM ${META_TABLE}`);
      return (reader.getRowObjectsJS()[0]?.fingerprint as string | undefined) ?? null;
    } finally {
      con.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
