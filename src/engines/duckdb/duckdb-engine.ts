// The local Engine: an in-memory DuckDB per process, created on first use, behind the Engine seam.
import type { DuckDBInstance } from '@duckdb/node-api';
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
  ProdDayInput,
  ProdDayOutput,
  ReadOnlyQuerySession,
  ReadOnlySessionInput,
} from '../engine.js';
import { runPartitionChecks } from './checks.js';
import { createDuckDbInstance, type DuckDbSettings } from './duckdb-instance.js';
import { inspectParquet } from './parquet-inspect.js';
import { buildProdDay } from './prod-days.js';
import { QuerySession } from './query-session.js';
import { transformDimensions } from './transform-dimensions.js';
import { type TransformLimits, transformMeasurements } from './transform-measurements.js';

export class DuckDbEngine implements Engine {
  readonly name = 'duckdb' as const;
  private instance: Promise<DuckDBInstance> | null = null;

  /** transformLimits: smaller than memory_limit implies, so that a test runs the paths of a large input. */
  constructor(
    readonly settings: DuckDbSettings,
    private readonly options: { transformLimits?: Partial<TransformLimits> } = {},
  ) {}

  /** The process's instance for transforms and the crawler; every statement runs on its own connection. */
  db(): Promise<DuckDBInstance> {
    this.instance ??= createDuckDbInstance(this.settings);
    return this.instance;
  }

  async transformMeasurements(input: MeasurementsTransformInput): Promise<MeasurementsTransformOutput> {
    return transformMeasurements(await this.db(), input, this.options.transformLimits);
  }

  async transformDimensions(input: DimensionsTransformInput): Promise<DimensionsTransformOutput> {
    return transformDimensions(await this.db(), input);
  }

  async inspectParquet(
    paths: readonly string[],
    options?: { timeColumn?: string },
  ): Promise<ParquetInspection> {
    return inspectParquet(await this.db(), paths, options);
  }

  // Checks, prod views and user queries run in sessions of their own (query-session.ts): a locked-down session
  // must not share an instance whose configuration the transform needs to change.
  checkPartition(input: PartitionCheckInput): Promise<CheckOutcome[]> {
    return runPartitionChecks(input, this.settings);
  }

  async createProdViews(tables: readonly DevTableFiles[]): Promise<string[]> {
    const session = await QuerySession.create({ tables, settings: this.settings });
    try {
      return session.views.filter((v) => v.startsWith('prod.'));
    } finally {
      session.close();
    }
  }

  openReadOnlySession(input: ReadOnlySessionInput): Promise<ReadOnlyQuerySession> {
    return QuerySession.create({
      tables: input.tables,
      ...(input.prodTables ? { prodTables: input.prodTables } : {}),
      lockdown: { allowedDirectories: input.allowedDirectories },
      settings: this.settings,
    });
  }

  buildProdDay(input: ProdDayInput): Promise<ProdDayOutput> {
    return buildProdDay(input, this.settings);
  }

  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = null;
    if (instance) (await instance).closeSync();
  }
}
