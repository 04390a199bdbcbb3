// The Glue Data Catalog side of the AWS engine: tables declared in code, read by Athena through partition projection
// over the open-lake layout's keys, and the original design's crawler as an option.
import {
  CreateTableCommand,
  DeleteTableCommand,
  EntityNotFoundException,
  GetCrawlerCommand,
  GetTableCommand,
  type GlueClient,
  StartCrawlerCommand,
  StopCrawlerCommand,
  type StorageDescriptor,
  type TableInput,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { EngineError } from '../../errors.js';
import { projectedYears, projectionProperties } from '../../lake/catalog/athena-ddl.js';
import { type GlueTableDef, glueType, PARTITION_KEYS } from './glue-tables.js';
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

function tableInput(table: GlueTableDef, bucket: string, location?: string): TableInput {
  const where = location ?? `s3://${bucket}/${table.prefix}`;
  return {
    Name: table.name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: 'parquet',
      'parquet.compression': 'SNAPPY',
      EXTERNAL: 'TRUE',
      ...(table.partitioned ? projectionProperties(where, projectedYears()) : {}),
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
