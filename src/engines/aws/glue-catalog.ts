// The Glue Data Catalog side of the AWS engine: databases and tables declared in code, partitions pointed at the
// folder of their current version, and the original design's crawler as an option.
import {
  BatchCreatePartitionCommand,
  CreateTableCommand,
  DeleteTableCommand,
  EntityNotFoundException,
  GetCrawlerCommand,
  GetTableCommand,
  type GlueClient,
  type PartitionInput,
  StartCrawlerCommand,
  StopCrawlerCommand,
  type StorageDescriptor,
  type TableInput,
  UpdatePartitionCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { EngineError } from '../../errors.js';
import { type GlueTableDef, glueType, PARTITION_KEYS, partitionValues } from './glue-tables.js';
import { abortedError, PollAborted, type PollSettings, pollUntil } from './polling.js';

const PARQUET_FORMAT = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: {
    SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    Parameters: { 'serialization.format': '1' },
  },
};

function storage(table: GlueTableDef, location: string): StorageDescriptor {
  return {
    Columns: table.columns.map((c) => ({ Name: c.name, Type: glueType(c.type) })),
    Location: location,
    ...PARQUET_FORMAT,
  };
}

/** Years partition projection enumerates (OpenAQ's data starts in 2016); a query without a date filter lists them all. */
export const PROJECTED_YEARS = '2016,2035';

/**
 * Partition projection (Athena computes the partitions from these settings, no partition calls and no crawler):
 * year/month/day as zero-padded integers, each partition at `{location}year=YYYY/month=MM/day=DD/` — the open-lake
 * layout's key of the day's one current object. A day without an object is an empty partition.
 */
export function projectionParameters(location: string): Record<string, string> {
  const base = location.endsWith('/') ? location : `${location}/`;
  return {
    'projection.enabled': 'true',
    'projection.year.type': 'integer',
    'projection.year.range': PROJECTED_YEARS,
    'projection.year.digits': '4',
    'projection.month.type': 'integer',
    'projection.month.range': '1,12',
    'projection.month.digits': '2',
    'projection.day.type': 'integer',
    'projection.day.range': '1,31',
    'projection.day.digits': '2',
    'storage.location.template': `${base}year=\${year}/month=\${month}/day=\${day}/`,
  };
}

export function tableInput(table: GlueTableDef, bucket: string, location?: string): TableInput {
  const where = location ?? `s3://${bucket}/${table.prefix}`;
  return {
    Name: table.name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: 'parquet',
      'parquet.compression': 'SNAPPY',
      EXTERNAL: 'TRUE',
      ...(table.partitioned ? projectionParameters(where) : {}),
    },
    StorageDescriptor: storage(table, where),
    PartitionKeys: table.partitioned ? PARTITION_KEYS.map((k) => ({ Name: k, Type: 'string' })) : [],
  };
}

export type TableChange = 'created' | 'updated' | 'unchanged';

/** GetTable, then CreateTable or UpdateTable when the declared columns, partition keys or location differ. */
export async function ensureTable(
  glue: GlueClient,
  database: string,
  table: GlueTableDef,
  bucket: string,
  options: { location?: string; dryRun?: boolean } = {},
): Promise<TableChange> {
  const wanted = tableInput(table, bucket, options.location);
  let current: TableInput | undefined;
  try {
    const out = await glue.send(new GetTableCommand({ DatabaseName: database, Name: table.name }));
    current = out.Table as TableInput | undefined;
  } catch (err) {
    if (!(err instanceof EntityNotFoundException)) throw err;
  }
  if (!current) {
    if (!options.dryRun)
      await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: wanted }));
    return 'created';
  }
  if (sameTable(current, wanted)) return 'unchanged';
  if (!options.dryRun)
    await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: wanted }));
  return 'updated';
}

function sameTable(a: TableInput, b: TableInput): boolean {
  const cols = (t: TableInput) =>
    JSON.stringify((t.StorageDescriptor?.Columns ?? []).map((c) => [c.Name, c.Type]));
  const keys = (t: TableInput) => JSON.stringify((t.PartitionKeys ?? []).map((c) => [c.Name, c.Type]));
  // Only the parameters the code declares: AWS (or a crawler) may add its own.
  const params = Object.entries(b.Parameters ?? {}).every(([k, v]) => a.Parameters?.[k] === v);
  return (
    params &&
    cols(a) === cols(b) &&
    keys(a) === keys(b) &&
    a.StorageDescriptor?.Location === b.StorageDescriptor?.Location &&
    a.StorageDescriptor?.SerdeInfo?.SerializationLibrary ===
      b.StorageDescriptor?.SerdeInfo?.SerializationLibrary
  );
}

export async function dropTable(glue: GlueClient, database: string, name: string): Promise<void> {
  try {
    await glue.send(new DeleteTableCommand({ DatabaseName: database, Name: name }));
  } catch (err) {
    if (!(err instanceof EntityNotFoundException)) throw err;
  }
}

export interface PartitionLocation {
  localDate: string;
  /** The version's folder, a key prefix ending in `/`. */
  prefix: string;
}

export interface PartitionRegistration {
  created: string[];
  updated: string[];
}

/**
 * Points each day's partition at its version folder: BatchCreatePartition for all (100 a call), then UpdatePartition
 * for those that existed. The switch of one partition is one Glue call: Athena sees the old folder or the new one.
 */
export async function registerPartitions(
  glue: GlueClient,
  database: string,
  table: GlueTableDef,
  bucket: string,
  partitions: readonly PartitionLocation[],
): Promise<PartitionRegistration> {
  if (!table.partitioned) throw new EngineError(`dev.${table.name} is not partitioned`, 'Glue Error');
  const input = (p: PartitionLocation): PartitionInput => ({
    Values: partitionValues(p.localDate),
    StorageDescriptor: storage(table, `s3://${bucket}/${p.prefix}`),
  });
  const created: string[] = [];
  const updated: string[] = [];
  for (let i = 0; i < partitions.length; i += 100) {
    const batch = partitions.slice(i, i + 100);
    const out = await glue.send(
      new BatchCreatePartitionCommand({
        DatabaseName: database,
        TableName: table.name,
        PartitionInputList: batch.map(input),
      }),
    );
    const failed = new Map(
      (out.Errors ?? []).map((e) => [(e.PartitionValues ?? []).join('-'), e.ErrorDetail]),
    );
    for (const p of batch) {
      const error = failed.get(partitionValues(p.localDate).join('-'));
      if (!error) {
        created.push(p.localDate);
        continue;
      }
      if (error.ErrorCode !== 'AlreadyExistsException')
        throw new EngineError(
          `Glue could not create partition ${p.localDate} of ${database}.${table.name}: ${error.ErrorCode}: ${error.ErrorMessage}`,
          'Glue Error',
        );
      await glue.send(
        new UpdatePartitionCommand({
          DatabaseName: database,
          TableName: table.name,
          PartitionValueList: partitionValues(p.localDate),
          PartitionInput: input(p),
        }),
      );
      updated.push(p.localDate);
    }
  }
  return { created, updated };
}

/** The original design's catalog step: StartCrawler, then GetCrawler until it is READY again; fails on a failed crawl. */
export async function runCrawler(glue: GlueClient, name: string, poll: PollSettings): Promise<void> {
  const idle = async () => {
    const out = await glue.send(new GetCrawlerCommand({ Name: name }));
    if (!out.Crawler)
      throw new EngineError(`Glue crawler ${name} not found; run aqlake aws deploy`, 'Glue Error');
    return out.Crawler;
  };
  try {
    try {
      await glue.send(new StartCrawlerCommand({ Name: name }));
    } catch (err) {
      if ((err as { name?: string }).name !== 'CrawlerRunningException') throw err;
      // Someone else's crawl is on: wait for it, then crawl again so this run's folders are seen.
      await pollUntil(idle, (c) => c.State === 'READY', poll);
      await glue.send(new StartCrawlerCommand({ Name: name }));
    }
    const crawler = await pollUntil(idle, (c) => c.State === 'READY', poll);
    if (crawler.LastCrawl?.Status === 'FAILED' || crawler.LastCrawl?.Status === 'CANCELLED')
      throw new EngineError(
        `Glue crawler ${name} ${crawler.LastCrawl.Status}: ${crawler.LastCrawl.ErrorMessage ?? 'no message'}`,
        'Glue Crawler Failed',
      );
  } catch (err) {
    if (err instanceof PollAborted) {
      await glue.send(new StopCrawlerCommand({ Name: name })).catch(() => {});
      throw abortedError(err, `Glue crawler ${name}`);
    }
    throw err;
  }
}
