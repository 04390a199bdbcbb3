// A stateful fake of AWS Glue and Athena on 127.0.0.1, speaking their JSON protocol (awsJson1_1), so the real CLI in a
// child process reaches it through AWS_ENDPOINT_URL_GLUE / AWS_ENDPOINT_URL_ATHENA. S3 is s3rver.
//
// - Every request body is checked against AWS's own model (botocore, wire form); a rejected one answers 400
//   ValidationException and is recorded in `rejected`, which tests assert empty.
// - Glue keeps databases, tables (with their parameters: partition projection), partitions, jobs and crawlers. A job
//   run runs the script the job's ScriptLocation names, downloaded from S3, with its arguments, through
//   glue-job-local.ts (fake pyspark); the version objects it wrote are turned into real Snappy Parquet with DuckDB
//   (columns as the job declares them) and put at the keys it was given.
// - Athena resolves each table through the Glue catalog like Athena: a partitioned table reads the objects under its
//   projected partitions' locations (projection), else under its registered partitions', else NOTHING; an
//   unpartitioned table reads every object under its location (but names starting with _ or .). It evaluates the
//   query with DuckDB over exactly those objects, after undoing the few Trino spellings DuckDB lacks (transform,
//   cardinality, element_at, date_add, with_timezone/at_timezone, date_format). Views are kept per database. A time
//   zone outside Trino's list (sql/athena/trino-zone-index.properties) fails the query, as Trino's does.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadTrinoZoneIndex } from '../../src/engines/aws/trino-zones.js';
import { MEASUREMENTS_COLUMNS, QUARANTINE_COLUMNS } from '../../src/engines/dev-tables.js';
import { duckDbType } from '../../src/lake/catalog/athena-ddl.js';
import { requestErrors } from './aws-models.js';
import { runGlueJobLocally } from './glue-job-local.js';
import { crawlerReply } from './glue-replies.js';
import { bucketObjects } from './lake-readers.js';

type Json = Record<string, unknown>;

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Table {
  input: Json;
  partitions: { values: string[]; location: string }[];
}

interface JobRun {
  id: string;
  jobName: string;
  state: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  error?: string;
  done: Promise<void>;
}

interface Query {
  id: string;
  sql: string;
  database: string;
  state: 'SUCCEEDED' | 'FAILED';
  error?: string;
  statementType: 'DDL' | 'DML' | 'UTILITY';
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
  bytes: number;
}

export interface FakeAws {
  endpoint: string;
  /** Requests the models rejected (service, operation, problems): tests expect none. */
  rejected: { service: string; operation: string; problems: string[] }[];
  /** Every request, in order. */
  calls: { service: 'glue' | 'athena'; operation: string; input: Json }[];
  databases: Map<string, Json>;
  tables: Map<string, Table>;
  views: Map<string, string>;
  jobs: Map<string, Json>;
  queries: Map<string, Query>;
  /** Make the next job runs fail with this message (a test of a failed transform). */
  failNextJobRuns: string[];
  /** The next this-many job runs lose one row of each day's data object (a buggy job the checks must catch). */
  dropRowInNextJobRuns: number;
  close(): Promise<void>;
}

/** The zone names Trino resolves (its zone-index file and UTC): another name fails the query, as on Athena. */
const TRINO_ZONES = [...loadTrinoZoneIndex(), 'UTC'];

const TRINO_FOR_DUCKDB = [
  `CREATE MACRO trino_zone(tz) AS CASE WHEN tz IS NULL OR list_contains([${TRINO_ZONES.map((z) => `'${z}'`).join(', ')}], tz)
     THEN tz ELSE error('INVALID_FUNCTION_ARGUMENT: Time zone not supported: ' || tz) END`,
  'CREATE MACRO with_timezone(ts, tz) AS timezone(trino_zone(tz), ts)',
  'CREATE MACRO at_timezone(tstz, tz) AS timezone(trino_zone(tz), tstz)',
  "CREATE MACRO date_format(ts, fmt) AS strftime(ts, replace(replace(fmt, '%i', '%M'), '%s', '%S'))",
  'CREATE MACRO trino_date_add(unit, n, d) AS CAST(d + to_days(CAST(n AS INTEGER)) AS DATE)',
  // Trino ≥ 372 (trinodb/trino#10657) casts DOUBLE and REAL to VARCHAR in scientific notation, the SQL standard's
  // form (Java's DecimalFormat "0.0##############E0"): 80.0 → '8.0E1', 2.5 → '2.5E0', -0.0123 → '-1.23E-2'
  // (15 significant digits here). Other types cast as in DuckDB.
  `CREATE MACRO trino_varchar(x) AS CASE WHEN typeof(x) IN ('DOUBLE', 'FLOAT')
     THEN regexp_replace(replace(regexp_replace(printf('%.14E', x), '0+E', 'E'), '.E', '.0E'), 'E\\+?(-?)0*(\\d)', 'E\\1\\2')
     ELSE CAST(x AS VARCHAR) END`,
];

/**
 * Every `CAST(expr AS VARCHAR)` (outside strings and comments) → `trino_varchar(expr)`, so a double casts as Trino
 * casts it.
 */
function trinoVarcharCasts(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const m = /^CAST\s*\(/i.exec(sql.slice(i));
    const before = i === 0 ? '' : sql[i - 1]!;
    if (m && !/[\w.]/.test(before)) {
      const open = i + m[0].length - 1;
      const close = matchingParen(sql, open);
      const inner = sql.slice(open + 1, close);
      const as = /\s+AS\s+VARCHAR\s*$/i.exec(inner);
      if (close > 0 && as && matchingParen(`(${inner.slice(0, as.index)})`, 0) === as.index + 1) {
        out += `trino_varchar(${trinoVarcharCasts(inner.slice(0, as.index))})`;
        i = close + 1;
        continue;
      }
    }
    const skipped = SKIPPED.exec(sql.slice(i));
    const step = skipped ? skipped[0] : sql[i]!;
    out += step;
    i += step.length;
  }
  return out;
}

/** A string literal, a quoted name or a comment at the start: scanned over whole. */
const SKIPPED = /^(?:'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/)/;

/** The index of the `)` closing the `(` at `open` (strings and comments skipped); -1 when unbalanced. */
function matchingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const skipped = SKIPPED.exec(sql.slice(i));
    if (skipped) {
      i += skipped[0].length - 1;
      continue;
    }
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Trino spellings DuckDB has under another name (same semantics for the arrays and dates the SQL uses). */
function forDuckDb(sql: string): string {
  return trinoVarcharCasts(sql)
    .replace(/\btransform\(/g, 'list_transform(')
    .replace(/\bcardinality\(/g, 'len(')
    .replace(/\belement_at\(/g, 'list_extract(')
    .replace(/\bdate_add\('day', /g, "trino_date_add('day', ");
}

/** Athena splices each ExecutionParameter (a SQL literal) at its `?`, outside strings and quoted names. */
function bindPositional(sql: string, parameters: readonly string[]): string {
  let i = 0;
  const out = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\?/g, (m) => {
    if (m !== '?') return m;
    if (i >= parameters.length) throw new AwsError('InvalidRequestException', 'fewer parameters than ?');
    return parameters[i++]!;
  });
  if (i !== parameters.length) throw new AwsError('InvalidRequestException', 'more parameters than ?');
  return out;
}

/**
 * The type Athena's result metadata (ColumnInfo.Type) names for a DuckDB result column: Trino's names (`varchar`,
 * `integer`), not the Hive DDL names of a Glue table (`string`, `int`: src's athenaType / duckDbType).
 */
function resultType(duckType: string): string {
  const t = duckType.toUpperCase();
  if (t.startsWith('DECIMAL')) return 'decimal';
  return (
    {
      BIGINT: 'bigint',
      INTEGER: 'integer',
      DOUBLE: 'double',
      FLOAT: 'real',
      VARCHAR: 'varchar',
      BOOLEAN: 'boolean',
      DATE: 'date',
      TIMESTAMP: 'timestamp',
      'TIMESTAMP WITH TIME ZONE': 'timestamp with time zone',
    }[t] ?? t.toLowerCase()
  );
}

const sq = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function startFakeAws(input: { s3: S3Client; bucket: string }): Promise<FakeAws> {
  const { s3, bucket } = input;
  const work = await mkdtemp(join(tmpdir(), 'aqlake-fake-aws-'));
  const state: Omit<FakeAws, 'endpoint' | 'close'> = {
    rejected: [],
    calls: [],
    databases: new Map(),
    tables: new Map(),
    views: new Map(),
    jobs: new Map(),
    queries: new Map(),
    failNextJobRuns: [],
    dropRowInNextJobRuns: 0,
  };
  const crawlers = new Map<string, Json>();
  const runs = new Map<string, JobRun>();
  const workgroups = new Map<string, Json>();
  let seq = 0;

  // --- S3 helpers (the fake services read and write the bucket like AWS would) ------------------------------------
  const list = (prefix: string) => bucketObjects(s3, bucket, prefix);
  const download = async (key: string, path: string) => {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await got.Body!.transformToByteArray());
  };
  const keyOf = (s3url: string) => {
    const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(s3url);
    if (!m || m[1] !== bucket) throw new AwsError('InvalidInputException', `not in the bucket: ${s3url}`);
    return m[2]!;
  };

  async function duck<T>(fn: (run: (sql: string) => Promise<Json[]>) => Promise<T>): Promise<T> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const run = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Json[];
    try {
      await run("SET TimeZone = 'UTC'");
      return await fn(run);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  }

  // --- Glue ----------------------------------------------------------------------------------------------------
  const table = (db: string, name: string) => {
    const t = state.tables.get(`${db}.${name}`);
    if (!t) throw new AwsError('EntityNotFoundException', `Table ${name} not found.`);
    return t;
  };

  async function runJob(run: JobRun, job: Json, args: Record<string, string>): Promise<void> {
    const dir = await mkdtemp(join(work, 'job-'));
    const root = join(dir, 'bucket');
    const scriptKey = keyOf(String((job.Command as Json).ScriptLocation));
    const script = join(dir, 'script.py');
    await download(scriptKey, script);
    const manifest = JSON.parse(
      await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: args['--manifest_key'] }))
      ).Body!.transformToString(),
    ) as { objects: Json[]; archive_objects?: Json[]; location_keys?: string[]; parameter_keys?: string[] };
    const raw = [
      args['--manifest_key']!,
      args['--rules_s3_key']!,
      ...manifest.objects.map((o) => String(o.raw_key)),
      ...(manifest.archive_objects ?? []).filter((o) => o.valid !== false).map((o) => String(o.raw_key)),
      ...(manifest.parameter_keys ?? []),
    ];
    for (const k of raw) await download(k, join(root, k));
    // The fake pyspark reads Parquet as JSON lines: dev.locations' objects are given to it that way.
    for (const k of manifest.location_keys ?? []) {
      const local = join(dir, 'parquet', k);
      await download(k, local);
      const rows = await duck((q) =>
        q(`SELECT CAST(location_id AS BIGINT) AS location_id, timezone, latitude, longitude,
             strftime(valid_from, '%Y-%m-%d %H:%M:%S') AS valid_from FROM read_parquet(${sq(local)})`),
      );
      await mkdir(dirname(join(root, k)), { recursive: true });
      await writeFile(
        join(root, k),
        rows.map((r) => JSON.stringify({ ...r, location_id: Number(r.location_id) })).join('\n'),
      );
    }
    const out = await runGlueJobLocally({ bucket, args, root, script });
    const lose = state.dropRowInNextJobRuns > 0;
    if (lose) state.dropRowInNextJobRuns--;
    if (out.status !== 0) throw new Error(out.stderr.trim().split('\n').slice(-3).join(' | '));
    // What the job wrote: Parquet for every version key, the rest (stats) as it is.
    const stats = JSON.parse(await readFile(join(root, args['--stats_key']!), 'utf8')) as {
      days: Json[];
    };
    for (const d of stats.days)
      for (const [kind, columns] of [
        ['data', MEASUREMENTS_COLUMNS],
        ['quarantine', QUARANTINE_COLUMNS],
      ] as const) {
        const key = d[`${kind}_key`] as string | null;
        if (!key) continue;
        const parquet = join(dir, 'out', key);
        await mkdir(dirname(parquet), { recursive: true });
        const cols = columns.map((c) => `${JSON.stringify(c.name)}: '${c.type}'`).join(', ');
        await duck((q) =>
          q(`COPY (SELECT * FROM read_json(${sq(join(root, key))}, format = 'newline_delimited', columns = {${cols}})
                   ${lose && kind === 'data' ? 'OFFSET 1' : ''})
             TO ${sq(parquet)} (FORMAT PARQUET, COMPRESSION SNAPPY)`),
        );
        const body = await readFile(parquet);
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        d[`${kind}_bytes`] = body.length;
      }
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: args['--stats_key'], Body: JSON.stringify(stats) }),
    );
    await rm(dir, { recursive: true, force: true });
    void run;
  }

  const glue: Record<string, (i: Json) => Promise<Json> | Json> = {
    GetDatabase: (i) => {
      const d = state.databases.get(String(i.Name));
      if (!d) throw new AwsError('EntityNotFoundException', `Database ${i.Name} not found.`);
      return { Database: { ...d, CreateTime: Date.now() / 1000 } };
    },
    CreateDatabase: (i) => {
      const d = i.DatabaseInput as Json;
      if (state.databases.has(String(d.Name)))
        throw new AwsError('AlreadyExistsException', 'Database exists.');
      state.databases.set(String(d.Name), d);
      return {};
    },
    GetTable: (i) => {
      const t = table(String(i.DatabaseName), String(i.Name));
      return { Table: { ...t.input, DatabaseName: i.DatabaseName, CreateTime: Date.now() / 1000 } };
    },
    CreateTable: (i) => {
      const db = String(i.DatabaseName);
      if (!state.databases.has(db))
        throw new AwsError('EntityNotFoundException', `Database ${db} not found.`);
      const t = i.TableInput as Json;
      const k = `${db}.${t.Name}`;
      if (state.tables.has(k)) throw new AwsError('AlreadyExistsException', 'Table already exists.');
      state.tables.set(k, { input: t, partitions: [] });
      return {};
    },
    UpdateTable: (i) => {
      const t = table(String(i.DatabaseName), String((i.TableInput as Json).Name));
      t.input = i.TableInput as Json;
      return {};
    },
    DeleteTable: (i) => {
      table(String(i.DatabaseName), String(i.Name));
      state.tables.delete(`${i.DatabaseName}.${i.Name}`);
      return {};
    },
    GetJob: (i) => {
      const j = state.jobs.get(String(i.JobName));
      if (!j) throw new AwsError('EntityNotFoundException', `Job ${i.JobName} not found.`);
      return { Job: { ...j, Name: i.JobName } };
    },
    CreateJob: (i) => {
      const { Name, ...rest } = i;
      state.jobs.set(String(Name), rest);
      return { Name };
    },
    UpdateJob: (i) => {
      glue.GetJob!({ JobName: i.JobName });
      state.jobs.set(String(i.JobName), i.JobUpdate as Json);
      return { JobName: i.JobName };
    },
    StartJobRun: (i) => {
      const job = state.jobs.get(String(i.JobName));
      if (!job) throw new AwsError('EntityNotFoundException', `Job ${i.JobName} not found.`);
      const args = {
        ...(job.DefaultArguments as Record<string, string>),
        ...(i.Arguments as Record<string, string>),
      };
      const run: JobRun = {
        id: `jr_${++seq}`,
        jobName: String(i.JobName),
        state: 'RUNNING',
        done: Promise.resolve(),
      };
      const failure = state.failNextJobRuns.shift();
      run.done = (failure ? Promise.reject(new Error(failure)) : runJob(run, job, args)).then(
        () => {
          run.state = 'SUCCEEDED';
        },
        (err: unknown) => {
          run.state = 'FAILED';
          run.error = err instanceof Error ? err.message : String(err);
        },
      );
      runs.set(run.id, run);
      return { JobRunId: run.id };
    },
    GetJobRun: (i) => {
      const run = runs.get(String(i.RunId));
      if (!run || run.jobName !== i.JobName)
        throw new AwsError('EntityNotFoundException', 'Job run not found.');
      return {
        JobRun: {
          Id: run.id,
          JobName: run.jobName,
          JobRunState: run.state,
          ...(run.error ? { ErrorMessage: run.error } : {}),
          ...(run.state === 'RUNNING' ? {} : { ExecutionTime: 60, DPUSeconds: 120 }),
        },
      };
    },
    BatchStopJobRun: (i) => ({
      SuccessfulSubmissions: (i.JobRunIds as string[]).map((JobRunId) => ({ JobRunId })),
      Errors: [],
    }),
    GetCrawler: (i) => {
      const c = crawlers.get(String(i.Name));
      if (!c) throw new AwsError('EntityNotFoundException', `Crawler ${i.Name} not found.`);
      return { Crawler: crawlerReply(i.Name, c) };
    },
    CreateCrawler: (i) => {
      crawlers.set(String(i.Name), i);
      return {};
    },
    UpdateCrawler: (i) => {
      crawlers.set(String(i.Name), i);
      return {};
    },
  };

  // --- Athena: tables resolved like Athena, queries evaluated by DuckDB --------------------------------------------

  /** The objects Athena reads for a table, with the partition values of each. */
  async function tableObjects(t: Table): Promise<{ key: string; size: number; values: string[] }[]> {
    const sd = t.input.StorageDescriptor as Json;
    const location = keyOf(String(sd.Location));
    const keys = ((t.input.PartitionKeys as Json[] | undefined) ?? []).map((k) => String(k.Name));
    const readable = (k: string) => !/(^|\/)[_.][^/]*$/.test(k);
    if (keys.length === 0)
      return (await list(location)).filter((o) => readable(o.key)).map((o) => ({ ...o, values: [] }));
    const p = (t.input.Parameters ?? {}) as Record<string, string>;
    if (p['projection.enabled'] === 'true') {
      // Every projected partition's location, from the template; what is under it is read.
      const template = p['storage.location.template']!;
      const pattern = new RegExp(
        `^${keyOf(template)
          .replace(/[.*+?^()|[\]\\]/g, '\\$&')
          .replace(/\$\{(\w+)\}/g, (_m, k: string) => `(?<${k}>[^/]+)`)}`,
      );
      const inRange = (k: string, v: string) => {
        const [lo, hi] = (p[`projection.${k}.range`] ?? '').split(',').map(Number);
        const digits = Number(p[`projection.${k}.digits`] ?? 1);
        return /^\d+$/.test(v) && v.length >= digits && Number(v) >= lo! && Number(v) <= hi!;
      };
      const out: { key: string; size: number; values: string[] }[] = [];
      for (const o of await list(location)) {
        const m = pattern.exec(o.key);
        if (!m?.groups || !readable(o.key)) continue;
        const values = keys.map((k) => m.groups![k]!);
        if (keys.every((k, i) => inRange(k, values[i]!))) out.push({ ...o, values });
      }
      return out;
    }
    // Registered partitions only; none → nothing.
    const out: { key: string; size: number; values: string[] }[] = [];
    for (const part of t.partitions)
      for (const o of await list(keyOf(part.location)))
        if (readable(o.key)) out.push({ ...o, values: part.values });
    return out;
  }

  async function evaluate(q: Query, parameters: string[]): Promise<void> {
    const ddl = /^\s*CREATE\s+OR\s+REPLACE\s+VIEW\s+(\w+)\.(\w+)\s+AS\s+([\s\S]*)$/i.exec(q.sql);
    const describe = /^\s*DESCRIBE\s+(\w+)\.(\w+)\s*$/i.exec(q.sql);
    const dir = await mkdtemp(join(work, 'q-'));
    try {
      await duck(async (run) => {
        for (const m of TRINO_FOR_DUCKDB) await run(m);
        for (const db of state.databases.keys()) await run(`CREATE SCHEMA ${db}`);
        let bytes = 0;
        for (const [name, t] of state.tables) {
          const [db, tname] = name.split('.') as [string, string];
          const cols = ((t.input.StorageDescriptor as Json).Columns as Json[]).map(
            (c) => `CAST(NULL AS ${duckDbType(String(c.Type))}) AS "${c.Name}"`,
          );
          const keys = ((t.input.PartitionKeys as Json[] | undefined) ?? []).map((k) => String(k.Name));
          const objects = q.sql.includes(name) || !ddl ? await tableObjects(t) : [];
          const parts = [
            `SELECT ${[...cols, ...keys.map((k) => `CAST(NULL AS VARCHAR) AS "${k}"`), `CAST(NULL AS VARCHAR) AS "$path"`].join(', ')} WHERE false`,
          ];
          for (const o of objects) {
            const local = join(dir, o.key);
            await download(o.key, local);
            bytes += o.size;
            parts.push(
              `SELECT ${[...cols.map((_c, i) => `"${((t.input.StorageDescriptor as Json).Columns as Json[])[i]!.Name}"`), ...keys.map((k, i) => `${sq(o.values[i]!)} AS "${k}"`), `${sq(`s3://${bucket}/${o.key}`)} AS "$path"`].join(', ')} FROM read_parquet(${sq(local)})`,
            );
          }
          await run(`CREATE VIEW ${db}."${tname}" AS ${parts.join(' UNION ALL BY NAME ')}`);
        }
        for (const [name, sql] of state.views) await run(`CREATE VIEW ${name} AS ${forDuckDb(sql)}`);
        if (ddl) {
          const [, db, view, body] = ddl as unknown as [string, string, string, string];
          if (!state.databases.has(db))
            throw new AwsError('InvalidRequestException', `Schema ${db} does not exist`);
          await run(`CREATE OR REPLACE VIEW ${db}.${view} AS ${forDuckDb(body)}`);
          await run(`SELECT * FROM ${db}.${view} LIMIT 0`);
          state.views.set(`${db}.${view}`, body);
          q.statementType = 'DDL';
          return;
        }
        if (describe) {
          // Athena's shape (Hive's DESCRIBE text): ONE column, a row per column with name, type and comment padded
          // to 20 and separated by tabs; a partitioned table adds a `# Partition Information` block.
          const table = state.tables.get(`${describe[1]}.${describe[2]}`);
          const glueColumns = (list: unknown) =>
            ((list as Json[] | undefined) ?? []).map((c) => [String(c.Name), String(c.Type)] as const);
          const columns = table
            ? glueColumns((table.input.StorageDescriptor as Json).Columns)
            : (await run(`DESCRIBE ${describe[1]}.${describe[2]}`)).map(
                (r) => [String(r.column_name), resultType(String(r.column_type))] as const,
              );
          const partitionKeys = table ? glueColumns(table.input.PartitionKeys) : [];
          const line = (...cells: string[]) => cells.map((c) => c.padEnd(20)).join('\t');
          const text = [...columns, ...partitionKeys].map(([n, t]) => line(n, t, ''));
          if (partitionKeys.length > 0)
            text.push(
              '\t \t ',
              '# Partition Information\t \t ',
              line('# col_name', 'data_type', 'comment'),
              '\t \t ',
              ...partitionKeys.map(([n, t]) => line(n, t, '')),
            );
          q.statementType = 'UTILITY';
          q.columns = [{ name: 'col_name', type: 'string' }];
          q.rows = text.map((t) => [t]);
          return;
        }
        const sql = forDuckDb(bindPositional(q.sql, parameters)).replace(/;\s*$/, '');
        const described = await run(`DESCRIBE ${sql}`);
        q.columns = described.map((c) => ({
          name: String(c.column_name),
          type: resultType(String(c.column_type)),
        }));
        const casted = described.map((c) => `CAST("${String(c.column_name)}" AS VARCHAR)`).join(', ');
        const rows = await run(`SELECT ${casted} FROM (${sql})`);
        q.rows = rows.map((r) => Object.values(r).map((v) => (v === null ? null : String(v))));
        q.bytes = bytes;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  const athena: Record<string, (i: Json) => Promise<Json> | Json> = {
    GetWorkGroup: (i) => {
      const w = workgroups.get(String(i.WorkGroup));
      if (!w) throw new AwsError('InvalidRequestException', `WorkGroup ${i.WorkGroup} is not found.`);
      return { WorkGroup: { Name: i.WorkGroup, State: 'ENABLED', Configuration: w } };
    },
    CreateWorkGroup: (i) => {
      workgroups.set(String(i.Name), i.Configuration as Json);
      return {};
    },
    UpdateWorkGroup: (i) => {
      const u = i.ConfigurationUpdates as Json;
      workgroups.set(String(i.WorkGroup), {
        ResultConfiguration: { OutputLocation: (u.ResultConfigurationUpdates as Json)?.OutputLocation },
        EnforceWorkGroupConfiguration: u.EnforceWorkGroupConfiguration,
        BytesScannedCutoffPerQuery: u.BytesScannedCutoffPerQuery,
        EngineVersion: u.EngineVersion,
      });
      return {};
    },
    StartQueryExecution: async (i) => {
      if (!workgroups.has(String(i.WorkGroup)))
        throw new AwsError('InvalidRequestException', 'no such workgroup');
      const ctx = (i.QueryExecutionContext ?? {}) as Json;
      const q: Query = {
        id: `q-${++seq}`,
        sql: String(i.QueryString),
        database: String(ctx.Database ?? 'default'),
        state: 'SUCCEEDED',
        statementType: 'DML',
        columns: [],
        rows: [],
        bytes: 0,
      };
      if (!state.databases.has(q.database)) {
        q.state = 'FAILED';
        q.error = `SCHEMA_NOT_FOUND: line 1:1: Schema '${q.database}' does not exist`;
      } else
        await evaluate(q, (i.ExecutionParameters as string[] | undefined) ?? []).catch((err: unknown) => {
          q.state = 'FAILED';
          q.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
        });
      state.queries.set(q.id, q);
      return { QueryExecutionId: q.id };
    },
    GetQueryExecution: (i) => {
      const q = state.queries.get(String(i.QueryExecutionId));
      if (!q) throw new AwsError('InvalidRequestException', 'QueryExecution not found');
      return {
        QueryExecution: {
          QueryExecutionId: q.id,
          Query: q.sql,
          StatementType: q.statementType,
          Status: {
            State: q.state,
            ...(q.error ? { StateChangeReason: q.error, AthenaError: { ErrorMessage: q.error } } : {}),
          },
          Statistics: { DataScannedInBytes: q.bytes },
        },
      };
    },
    GetQueryResults: (i) => {
      const q = state.queries.get(String(i.QueryExecutionId));
      if (q?.state !== 'SUCCEEDED') throw new AwsError('InvalidRequestException', 'no results');
      const header = q.statementType === 'DML' ? [q.columns.map((c) => c.name)] : [];
      const all = [...header, ...q.rows];
      const start = Number(i.NextToken ?? 0);
      const max = Number(i.MaxResults ?? 1000);
      const page = all.slice(start, start + max);
      return {
        ResultSet: {
          ResultSetMetadata: {
            ColumnInfo: q.columns.map((c) => ({ Name: c.name, Label: c.name, Type: c.type })),
          },
          Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        },
        ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
      };
    },
    StopQueryExecution: () => ({}),
  };

  // --- the JSON protocol ------------------------------------------------------------------------------------------
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix, operation = ''] = target.split('.');
    const service = prefix === 'AWSGlue' ? 'glue' : prefix === 'AmazonAthena' ? 'athena' : null;
    const send = (status: number, body: Json, type?: string) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(type ? { 'x-amzn-errortype': type } : {}),
      });
      res.end(JSON.stringify(type ? { __type: type, message: String(body.message) } : body));
    };
    if (!service) return send(400, { message: `unknown target ${target}` }, 'UnknownOperationException');
    const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as Json;
    state.calls.push({ service, operation, input: body });
    const problems = requestErrors(service, operation, body, true);
    if (problems.length) {
      state.rejected.push({ service, operation, problems });
      return send(400, { message: problems.join('; ') }, 'ValidationException');
    }
    const impl = (service === 'glue' ? glue : athena)[operation];
    if (!impl) return send(400, { message: `${operation} is not faked` }, 'UnknownOperationException');
    try {
      send(200, await impl(body));
    } catch (err) {
      if (err instanceof AwsError) return send(400, { message: err.message }, err.type);
      send(500, { message: err instanceof Error ? err.message : String(err) }, 'InternalServiceException');
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // The state object itself is returned, so a test's `aws.dropRowInNextJobRuns = 1` reaches the services.
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      await Promise.all([...runs.values()].map((r) => r.done));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(work, { recursive: true, force: true });
    },
  });
}
