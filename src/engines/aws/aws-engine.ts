// The AWS Engine: Glue for the measurements transform, the Glue Data Catalog for tables and partitions, Athena for
// checks, prod views and queries. Small local work (dimension tables, Parquet footers) goes to a delegate engine.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
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
  PricedCall,
  ProdDayInput,
  ProdDayOutput,
  ReadOnlyQuerySession,
  ReadOnlySessionInput,
  TransformedDay,
} from '../engine.js';
import { QUALITY_RULES_PATH } from '../sql-files.js';
import type { QualityRulesSpec } from './athena-dialect.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from './aws-clients.js';
import { type AwsCost, addCost, athenaQueryCost, costUsd, glueRunCost, zeroCost } from './aws-cost.js';
import type { AwsSettings } from './aws-settings.js';
import { runAthenaChecks } from './checks.js';
import { ensureTable, runCrawler } from './glue-catalog.js';
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
  type GlueLocationVersion,
  type GlueTransformOutput,
  transformMeasurementsOnGlue,
} from './transform-measurements.js';
import {
  assertTrinoZones,
  type LocationZone,
  loadTrinoZoneIndex,
  readLocationZones,
  type TrinoZoneIndex,
} from './trino-zones.js';

export interface AwsEngineOptions {
  settings: AwsSettings;
  /** Injected by tests (aws-sdk-client-mock); default: real clients for the settings' region. */
  clients?: AwsClients;
  /** Runs transformDimensions and inspectParquet (small, local files): the DuckDB engine. */
  local?: Engine;
  /** Polling overrides (tests inject `sleep`). */
  poll?: { glue?: Partial<PollSettings>; athena?: Partial<PollSettings> };
  /** Time limits for remote work when the caller gives none. */
  glueTimeoutMs?: number;
  athenaTimeoutMs?: number;
  newRunId?: () => string;
  /** Trino's zone names; default: sql/athena/trino-zone-index.properties, read when first needed. */
  trinoZones?: TrinoZoneIndex;
  /** Told every priced call (a Glue job run, an Athena query) as it finishes, with its cost. */
  onCost?: (cost: Partial<AwsCost>) => void;
}

/** Extra inputs the AWS engine can use beyond the seam's (see the report on the Engine seam). */
export interface AwsTransformExtras {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Location versions inline instead of dev.locations' keys (tests). */
  locations?: readonly GlueLocationVersion[];
}

export class AwsEngine implements Engine {
  readonly name = 'aws' as const;
  readonly readsStore = true;
  readonly settings: AwsSettings;
  private readonly clients: AwsClients;
  private readonly ownsClients: boolean;
  private totals: AwsCost = zeroCost();
  private trinoZones: TrinoZoneIndex | undefined;

  constructor(private readonly options: AwsEngineOptions) {
    this.settings = options.settings;
    this.ownsClients = !options.clients;
    this.clients = options.clients ?? createAwsClients(options.settings);
    this.trinoZones = options.trinoZones;
  }

  /** What this engine's calls have cost so far (Glue DPU-seconds, Athena bytes): a run reports the difference. */
  cost(): AwsCost {
    return { ...this.totals };
  }

  // --- transform ----------------------------------------------------------------------------------------------

  /**
   * The seam's transform: Glue reads the raw objects (API pages and archive .csv.gz) in S3 by key and writes each
   * day's new version as one object under dev/_versions/; the days come back as those store keys (`storedFiles`) for
   * the pipeline to stage. No raw object and no Glue output passes through this machine; the one download is
   * dev.locations' current file (a small dimension table this machine built), for the Trino zone check.
   */
  async transformMeasurements(
    input: MeasurementsTransformInput & AwsTransformExtras,
  ): Promise<MeasurementsTransformOutput> {
    const out = await this.transformMeasurementsInPlace(input);
    const days: TransformedDay[] = out.days.map((d) => ({
      localDate: d.localDate,
      files: [],
      quarantineFiles: [],
      storedFiles: [
        ...(d.data ? [{ ...d.data, kind: 'data' as const }] : []),
        ...(d.quarantine ? [{ ...d.quarantine, kind: 'quarantine' as const }] : []),
      ],
      stats: d.stats,
    }));
    return { days, columns: out.columns, quarantineColumns: out.quarantineColumns };
  }

  /** Runs the Glue job; its output stays where it wrote it, one version object per day (GlueTransformedDay.data). */
  async transformMeasurementsInPlace(
    input: Omit<MeasurementsTransformInput, 'workDir' | 'locationFiles'> &
      AwsTransformExtras & { runId?: string; versionTag?: string },
  ): Promise<GlueTransformOutput> {
    const runId = input.runId ?? this.options.newRunId?.() ?? newRunId();
    const locationKeys = input.locationKeys ?? [];
    if (locationKeys.length === 0 && !input.locations?.length && input.objects.length > 0)
      throw new EngineError(
        'the Glue job needs the store keys of dev.locations (locationKeys) to give rows their time zone',
        'Configuration',
      );
    await this.checkLocationZones(input, locationKeys);
    return transformMeasurementsOnGlue(
      {
        glue: this.clients.glue,
        s3: this.clients.s3,
        settings: this.settings,
        poll: { ...GLUE_POLL, ...this.options.poll?.glue },
        onDpuSeconds: (n) => this.addCost(glueRunCost(n, this.settings.glueWorkers)),
      },
      {
        fromDate: input.fromDate,
        toDate: input.toDate,
        objects: input.objects,
        archiveObjects: (input.archiveObjects ?? []).map((o) => ({
          rawKey: o.rawKey,
          locationId: o.locationId,
          localDate: o.localDate,
          fetchedAt: o.fetchedAt,
          valid: o.valid,
          validationError: o.validationError,
        })),
        parameterKeys: input.parameterKeys ?? [],
        locationKeys,
        ...(input.locations ? { locations: input.locations } : {}),
        runId,
        ...(input.versionTag ? { versionTag: input.versionTag } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        ...((input.timeoutMs ?? this.options.glueTimeoutMs)
          ? { timeoutMs: input.timeoutMs ?? this.options.glueTimeoutMs }
          : {}),
      },
    );
  }

  /**
   * Before the Glue job (and so before any Athena query of the run): every time zone of a location this transform
   * reads must be one Trino knows, or the checks and views would fail on AT TIME ZONE after Glue has been paid for.
   */
  private async checkLocationZones(
    input: Pick<MeasurementsTransformInput, 'objects' | 'archiveObjects'> & AwsTransformExtras,
    locationKeys: readonly string[],
  ): Promise<void> {
    const involved = new Set<number | null>([
      ...input.objects.map((o) => o.locationId),
      ...(input.archiveObjects ?? []).map((o) => o.locationId),
    ]);
    if (involved.size === 0) return;
    const zones: LocationZone[] = input.locations
      ? input.locations.map((l) => ({ locationId: l.location_id, timezone: l.timezone }))
      : await readLocationZones(this.clients.s3, this.settings.bucket, locationKeys);
    // An object without a location id could be any location's: then every location counts.
    this.trinoZones ??= loadTrinoZoneIndex();
    assertTrinoZones(
      involved.has(null) ? zones : zones.filter((z) => involved.has(z.locationId)),
      this.trinoZones,
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
   * After a commit: nothing to register — the Glue tables use partition projection, so Athena reads each day's key
   * as soon as the commit has copied it there. With AQLAKE_GLUE_CRAWLER=true the crawler (over the tables' own
   * locations) is run too, for Glue consumers that list partitions.
   */
  async refreshCatalog(options: { signal?: AbortSignal } = {}): Promise<'projection' | 'crawled'> {
    if (!this.settings.useCrawler) return 'projection';
    await runCrawler(this.clients.glue, this.settings.crawlerName, this.glueWait(options.signal));
    return 'crawled';
  }

  // --- validate, publish, query ---------------------------------------------------------------------------------

  async checkPartition(
    input: PartitionCheckInput & { keys?: readonly string[]; signal?: AbortSignal },
  ): Promise<CheckOutcome[]> {
    const table =
      input.partition.table === MEASUREMENTS_TABLE.name
        ? MEASUREMENTS_TABLE
        : dimensionTable(input.partition.table, input.partition.columns);
    const keys = input.keys ?? input.partition.keys;
    if (!keys)
      throw new EngineError(
        `the aws engine checks objects in the store: give the store keys of dev.${input.partition.table}'s files`,
        'Configuration',
      );
    return runAthenaChecks(
      {
        glue: this.clients.glue,
        athena: this.clients.athena,
        settings: this.settings,
        poll: this.athenaWait(input.signal),
        onBytes: (n, billed) => this.addCost(athenaQueryCost(n, billed)),
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
    return publishProdViews(
      this.clients.athena,
      this.settings,
      this.athenaWait(options.signal),
      (n, billed) => this.addCost(athenaQueryCost(n, billed)),
    );
  }

  /** Not yet on AWS: the prod views there compute every table from dev.* (issue 13 materialises them locally). */
  async buildProdDay(input: ProdDayInput): Promise<ProdDayOutput> {
    throw new EngineError(
      `prod tables materialised per day are not yet implemented on the aws engine (day ${input.localDate}); its prod views compute them from dev.*`,
      'Not Implemented',
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
      (n, billed) => this.addCost(athenaQueryCost(n, billed)),
    );
  }

  /** Also closes the `local` engine it was given (createEngine builds it for this engine alone). */
  async close(): Promise<void> {
    if (this.ownsClients) destroyAwsClients(this.clients);
    await this.options.local?.close();
  }

  // --- helpers -----------------------------------------------------------------------------------------------

  /**
   * This engine for one task: the same clients and settings, its priced calls also told to `onCost` (the pipeline
   * records them against the task). Not to be closed: the engine it came from owns the clients.
   */
  withCostListener(onCost: (call: PricedCall) => void): AwsEngine {
    return new AwsEngine({
      ...this.options,
      clients: this.clients,
      onCost: (c) => {
        this.addCost(c);
        onCost({ ...c, usd: costUsd(addCost(zeroCost(), c)) });
      },
    });
  }

  private addCost(c: Partial<AwsCost>): void {
    this.totals = addCost(this.totals, c);
    this.options.onCost?.(c);
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
}

function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomUUID().slice(0, 8)}`;
}

async function readRules(path: string | undefined): Promise<QualityRulesSpec> {
  return JSON.parse(await readFile(path ?? QUALITY_RULES_PATH, 'utf8')) as QualityRulesSpec;
}
