// The AWS Engine: Glue for the measurements transform, the Glue Data Catalog for tables and partitions, Athena for
// checks, prod views and queries. Small local work (dimension tables, Parquet footers) goes to a delegate engine.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { EngineError } from '../../errors.js';
import type {
  CheckOutcome,
  DevTableFiles,
  DimensionsTransformInput,
  DimensionsTransformOutput,
  Engine,
  MeasurementsTransformInput,
  MeasurementsTransformOutput,
  ParquetInspection,
  PartitionCheckInput,
  ReadOnlyQuerySession,
  ReadOnlySessionInput,
  TransformedDay,
} from '../engine.js';
import { QUALITY_RULES_PATH } from '../sql-files.js';
import type { QualityRulesSpec } from './athena-dialect.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from './aws-clients.js';
import { type AwsCost, addCost, zeroCost } from './aws-cost.js';
import type { AwsSettings } from './aws-settings.js';
import { runAthenaChecks } from './checks.js';
import {
  ensureTable,
  type PartitionLocation,
  type PartitionRegistration,
  registerPartitions,
  runCrawler,
} from './glue-catalog.js';
import {
  dimensionTable,
  type GlueTableDef,
  MEASUREMENTS_QUARANTINE_TABLE,
  MEASUREMENTS_TABLE,
} from './glue-tables.js';
import { ATHENA_POLL, GLUE_POLL, type PollSettings } from './polling.js';
import { publishProdViews } from './publish.js';
import { AthenaQuerySession } from './query-session.js';
import { readProdViews } from './sql-files.js';
import {
  deletePrefixes,
  type GlueLocationVersion,
  type GlueTransformOutput,
  transformMeasurementsOnGlue,
} from './transform-measurements.js';

export interface AwsEngineOptions {
  settings: AwsSettings;
  /** Injected by tests (aws-sdk-client-mock); default: real clients for the settings' region. */
  clients?: AwsClients;
  /** Runs transformDimensions and inspectParquet (small, local files): the DuckDB engine. */
  local?: Engine;
  /**
   * The S3 store's cache folder: a local path under it names the object `relative(cacheDir, path)`. Lets the engine
   * accept today's seam, which passes local paths, until the seam passes store keys.
   */
  storeCacheDir?: string;
  /** Polling overrides (tests inject `sleep`). */
  poll?: { glue?: Partial<PollSettings>; athena?: Partial<PollSettings> };
  /** Time limits for remote work when the caller gives none. */
  glueTimeoutMs?: number;
  athenaTimeoutMs?: number;
  newRunId?: () => string;
}

/** Extra inputs the AWS engine can use beyond the seam's (see the report on the Engine seam). */
export interface AwsTransformExtras {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Store keys of dev.locations' files (else derived from `locationFiles` via the store's cache folder). */
  locationKeys?: readonly string[];
  locations?: readonly GlueLocationVersion[];
}

export class AwsEngine implements Engine {
  readonly name = 'aws' as const;
  readonly settings: AwsSettings;
  private readonly clients: AwsClients;
  private readonly ownsClients: boolean;
  private totals: AwsCost = zeroCost();

  constructor(private readonly options: AwsEngineOptions) {
    this.settings = options.settings;
    this.ownsClients = !options.clients;
    this.clients = options.clients ?? createAwsClients(options.settings);
  }

  /** What this engine's calls have cost so far (Glue DPU-seconds, Athena bytes): a run reports the difference. */
  cost(): AwsCost {
    return { ...this.totals };
  }

  // --- transform ---------------------------------------------------------------------------------------------

  /**
   * The seam's transform: Glue writes the days into new version folders in S3; the files are then fetched into
   * `workDir` so today's pipeline can upload and stage them like DuckDB's, and the Glue folders are removed.
   * (With a seam that accepts stored files, use transformMeasurementsInPlace and skip the copy.)
   */
  async transformMeasurements(
    input: MeasurementsTransformInput & AwsTransformExtras,
  ): Promise<MeasurementsTransformOutput> {
    const out = await this.transformMeasurementsInPlace(input);
    try {
      const days: TransformedDay[] = [];
      for (const d of out.days) {
        const fetch = async (files: typeof d.files, kind: string) => {
          const local = [];
          for (const f of files) {
            const path = join(input.workDir, kind, d.localDate, f.key.slice(f.key.lastIndexOf('/') + 1));
            await this.download(f.key, path);
            local.push({ localPath: path, rows: f.rows, bytes: f.bytes });
          }
          return local;
        };
        days.push({
          localDate: d.localDate,
          files: await fetch(d.files, 'measurements'),
          quarantineFiles: await fetch(d.quarantineFiles, 'quarantine'),
          stats: d.stats,
        });
      }
      return { days, columns: out.columns, quarantineColumns: out.quarantineColumns };
    } finally {
      const prefixes = out.days
        .flatMap((d) => [d.prefix, d.quarantinePrefix])
        .filter((p): p is string => p !== null);
      await deletePrefixes(this.clients.s3, this.settings.bucket, prefixes);
    }
  }

  /** Runs the Glue job; its output stays where it wrote it, one new folder per day (GlueTransformedDay.prefix). */
  async transformMeasurementsInPlace(
    input: Omit<MeasurementsTransformInput, 'workDir'> & AwsTransformExtras & { runId?: string },
  ): Promise<GlueTransformOutput> {
    if (input.archiveObjects?.length)
      throw new EngineError(
        `the Glue job reads API objects only: ${input.archiveObjects.length} archive objects would be lost; transform archive days with the local engine`,
        'Unsupported',
      );
    const locationKeys = input.locationKeys ?? input.locationFiles.map((p) => this.keyOf(p));
    return transformMeasurementsOnGlue(
      {
        glue: this.clients.glue,
        s3: this.clients.s3,
        settings: this.settings,
        poll: { ...GLUE_POLL, ...this.options.poll?.glue },
        onDpuSeconds: (n) => this.addCost({ glueDpuSeconds: n, glueJobRuns: 1 }),
      },
      {
        fromDate: input.fromDate,
        toDate: input.toDate,
        objects: input.objects,
        locationKeys,
        ...(input.locations ? { locations: input.locations } : {}),
        runId: input.runId ?? this.options.newRunId?.() ?? newRunId(),
        ...(input.signal ? { signal: input.signal } : {}),
        ...((input.timeoutMs ?? this.options.glueTimeoutMs)
          ? { timeoutMs: input.timeoutMs ?? this.options.glueTimeoutMs }
          : {}),
      },
    );
  }

  transformDimensions(input: DimensionsTransformInput): Promise<DimensionsTransformOutput> {
    return this.delegate('transformDimensions').transformDimensions(input);
  }

  inspectParquet(paths: readonly string[], options?: { timeColumn?: string }): Promise<ParquetInspection> {
    return this.delegate('inspectParquet').inspectParquet(paths, options);
  }

  // --- catalog -----------------------------------------------------------------------------------------------

  /** Creates or updates the dev tables in the Glue Data Catalog (schemas declared in code). */
  async ensureTables(extra: readonly GlueTableDef[] = []): Promise<void> {
    for (const t of [MEASUREMENTS_TABLE, MEASUREMENTS_QUARANTINE_TABLE, ...extra])
      await ensureTable(this.clients.glue, this.settings.devDatabase, t, this.settings.bucket);
  }

  /**
   * Points the partitions of dev.<table> at their current version folders (BatchCreatePartition / UpdatePartition),
   * or runs the crawler when AQLAKE_GLUE_CRAWLER=true.
   */
  async registerPartitions(
    table: 'measurements' | 'measurements_quarantine',
    partitions: readonly PartitionLocation[],
    options: { signal?: AbortSignal } = {},
  ): Promise<PartitionRegistration> {
    const def = table === 'measurements' ? MEASUREMENTS_TABLE : MEASUREMENTS_QUARANTINE_TABLE;
    if (this.settings.useCrawler) {
      await runCrawler(this.clients.glue, this.settings.crawlerName, this.glueWait(options.signal));
      return { created: [], updated: partitions.map((p) => p.localDate) };
    }
    return registerPartitions(
      this.clients.glue,
      this.settings.devDatabase,
      def,
      this.settings.bucket,
      partitions,
    );
  }

  // --- validate, publish, query ---------------------------------------------------------------------------------

  async checkPartition(
    input: PartitionCheckInput & { keys?: readonly string[]; signal?: AbortSignal },
  ): Promise<CheckOutcome[]> {
    const table =
      input.partition.table === MEASUREMENTS_TABLE.name
        ? MEASUREMENTS_TABLE
        : dimensionTable(input.partition.table, input.partition.columns);
    const keys = input.keys ?? input.partition.paths.map((p) => this.keyOf(p));
    return runAthenaChecks(
      {
        glue: this.clients.glue,
        athena: this.clients.athena,
        settings: this.settings,
        poll: this.athenaWait(input.signal),
        onBytes: (n) => this.addCost({ athenaBytesScanned: n, athenaQueries: 1 }),
      },
      { table, keys, params: input.params, qualityRules: await readRules(input.params.qualityRulesPath) },
    );
  }

  /** Publishes prod.* as Athena views over the Glue tables (the local file lists do not matter on AWS). */
  async createProdViews(
    _tables: readonly DevTableFiles[],
    options: { signal?: AbortSignal } = {},
  ): Promise<string[]> {
    await this.ensureTables();
    return publishProdViews(this.clients.athena, this.settings, this.athenaWait(options.signal), (n) =>
      this.addCost({ athenaBytesScanned: n, athenaQueries: 1 }),
    );
  }

  async openReadOnlySession(input: ReadOnlySessionInput): Promise<ReadOnlyQuerySession> {
    const views = [
      ...input.tables.map((t) => `dev.${t.table}`),
      ...readProdViews().map((v) => `prod.${v.name}`),
    ];
    return new AthenaQuerySession(
      this.clients.athena,
      this.settings,
      { ...ATHENA_POLL, ...this.options.poll?.athena },
      views,
      (n) => this.addCost({ athenaBytesScanned: n, athenaQueries: 1 }),
    );
  }

  /** Also closes the `local` engine it was given (createEngine builds it for this engine alone). */
  async close(): Promise<void> {
    if (this.ownsClients) destroyAwsClients(this.clients);
    await this.options.local?.close();
  }

  // --- helpers -----------------------------------------------------------------------------------------------

  private addCost(c: Partial<AwsCost>): void {
    this.totals = addCost(this.totals, c);
  }

  private glueWait(signal?: AbortSignal): PollSettings {
    return {
      ...GLUE_POLL,
      ...this.options.poll?.glue,
      ...(signal ? { signal } : {}),
      ...(this.options.glueTimeoutMs ? { timeoutMs: this.options.glueTimeoutMs } : {}),
    };
  }

  private athenaWait(signal?: AbortSignal): PollSettings {
    return {
      ...ATHENA_POLL,
      ...this.options.poll?.athena,
      ...(signal ? { signal } : {}),
      ...(this.options.athenaTimeoutMs ? { timeoutMs: this.options.athenaTimeoutMs } : {}),
    };
  }

  private delegate(what: string): Engine {
    if (!this.options.local)
      throw new EngineError(
        `${what} runs locally: give the aws engine a local engine (options.local)`,
        'Configuration',
      );
    return this.options.local;
  }

  /** The store key of a local path in the S3 store's cache (today's seam passes paths). */
  private keyOf(path: string): string {
    const cache = this.options.storeCacheDir;
    const rel = cache ? relative(cache, path) : '';
    if (!cache || rel.startsWith('..') || rel === '')
      throw new EngineError(
        `the aws engine needs store keys, got the local path ${path} (outside the S3 cache; pass keys)`,
        'Configuration',
      );
    return rel.split(sep).join('/');
  }

  private async download(key: string, path: string): Promise<void> {
    await mkdir(join(path, '..'), { recursive: true });
    const out = await this.clients.s3.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key }));
    if (!out.Body) throw new EngineError(`S3 returned no body for ${key}`, 'S3 Error');
    await pipeline(out.Body as Readable, createWriteStream(path));
  }
}

function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomUUID().slice(0, 8)}`;
}

async function readRules(path: string | undefined): Promise<QualityRulesSpec> {
  return JSON.parse(await readFile(path ?? QUALITY_RULES_PATH, 'utf8')) as QualityRulesSpec;
}
