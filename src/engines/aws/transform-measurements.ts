// The AWS side of the measurements transform: the Glue job job_raw_to_dev reads the raw objects in S3 and writes each
// day's Parquet into a new version folder; this module prepares its inputs, runs it, and reads back what it wrote.

import type { GlueClient } from '@aws-sdk/client-glue';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { EngineError } from '../../errors.js';
import type { ColumnSchema, DayStats } from '../engine.js';
import { QUALITY_RULES_PATH } from '../sql-files.js';
import type { AwsSettings } from './aws-settings.js';
import { GLUE_SCRIPT_PATH, rulesKey, scriptKey, syncArtifact } from './glue-artifacts.js';
import { runGlueJob } from './glue-job-run.js';
import { MEASUREMENTS_QUARANTINE_TABLE, MEASUREMENTS_TABLE } from './glue-tables.js';
import type { PollSettings } from './polling.js';

export interface GlueRawObject {
  rawKey: string;
  sensorId: number;
  locationId: number | null;
  fetchedAt: string;
  windowFromUtc: string | null;
  windowToUtc: string | null;
  valid: boolean;
  validationError: string | null;
}

/** A location's context for the job when dev.locations' files are not given (timezone is what local_date needs). */
export interface GlueLocationVersion {
  location_id: number;
  timezone: string | null;
  latitude: number | null;
  longitude: number | null;
  /** ISO UTC; null = valid since ever. */
  valid_from: string | null;
}

export interface GlueTransformInput {
  fromDate: string;
  toDate: string;
  objects: readonly GlueRawObject[];
  /** Store keys of dev.locations' current Parquet files: the job reads them itself (preferred). */
  locationKeys?: readonly string[];
  /** Or the location versions inline. */
  locations?: readonly GlueLocationVersion[];
  /** Names the new version folders; unique per call. */
  runId: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A file the engine wrote into the store itself. */
export interface StoredFile {
  key: string;
  rows: number;
  bytes: number;
}

export interface GlueTransformedDay {
  localDate: string;
  /** The day's new version folder (null when the day has no rows). */
  prefix: string | null;
  quarantinePrefix: string | null;
  files: StoredFile[];
  quarantineFiles: StoredFile[];
  stats: DayStats;
}

export interface GlueTransformOutput {
  runId: string;
  jobRunId: string;
  days: GlueTransformedDay[];
  columns: ColumnSchema[];
  quarantineColumns: ColumnSchema[];
  dpuSeconds: number;
}

export interface GlueTransformDeps {
  glue: GlueClient;
  s3: S3Client;
  settings: AwsSettings;
  poll: Omit<PollSettings, 'signal' | 'timeoutMs'>;
  onDpuSeconds?: (n: number) => void;
}

interface JobDayStats {
  local_date: string;
  raw_rows: number;
  rows: number;
  quarantined_rows: number;
  duplicates_dropped: number;
  min_period_end_utc: string | null;
  max_period_end_utc: string | null;
  data_prefix: string | null;
  quarantine_prefix: string | null;
}

/** The keys of one Glue run's inputs and outputs under the artifacts prefix. */
export function runKeys(settings: AwsSettings, runId: string): { manifest: string; stats: string } {
  const base = `${settings.glueArtifactsPrefix}runs/${runId}/`;
  return { manifest: `${base}manifest.json`, stats: `${base}stats.json` };
}

/** The job's arguments for one run (what StartJobRun sends; the script's argparse reads them). */
export function jobArguments(settings: AwsSettings, input: GlueTransformInput): Record<string, string> {
  const keys = runKeys(settings, input.runId);
  return {
    '--bucket': settings.bucket,
    '--manifest_key': keys.manifest,
    '--from_date': input.fromDate,
    '--to_date': input.toDate,
    '--output_prefix': MEASUREMENTS_TABLE.prefix,
    '--quarantine_prefix': MEASUREMENTS_QUARANTINE_TABLE.prefix,
    '--run_id': input.runId,
    '--rules_s3_key': rulesKey(settings.glueArtifactsPrefix),
    '--stats_key': keys.stats,
  };
}

export async function transformMeasurementsOnGlue(
  deps: GlueTransformDeps,
  input: GlueTransformInput,
): Promise<GlueTransformOutput> {
  const { s3, settings } = deps;
  const bucket = settings.bucket;
  await syncArtifact(s3, bucket, scriptKey(settings.glueArtifactsPrefix), GLUE_SCRIPT_PATH, 'text/x-python');
  await syncArtifact(
    s3,
    bucket,
    rulesKey(settings.glueArtifactsPrefix),
    QUALITY_RULES_PATH,
    'application/json',
  );

  const keys = runKeys(settings, input.runId);
  const manifest = {
    objects: input.objects.map((o) => ({
      raw_key: o.rawKey,
      sensor_id: o.sensorId,
      location_id: o.locationId,
      fetched_at: o.fetchedAt,
      window_from_utc: o.windowFromUtc,
      window_to_utc: o.windowToUtc,
      valid: o.valid,
      validation_error: o.validationError,
    })),
    location_keys: input.locationKeys ?? [],
    locations: input.locations ?? [],
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: keys.manifest,
      Body: JSON.stringify(manifest),
      ContentType: 'application/json',
    }),
  );

  const run = await runGlueJob(
    deps.glue,
    {
      jobName: settings.jobName,
      args: jobArguments(settings, input),
      timeoutMinutes: settings.glueTimeoutMinutes,
    },
    {
      ...deps.poll,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}),
    },
    deps.onDpuSeconds,
  );

  const stats = await readStats(s3, bucket, keys.stats, input.runId);
  const days: GlueTransformedDay[] = [];
  for (const d of stats) {
    const files = d.data_prefix ? await listParquet(s3, bucket, d.data_prefix) : [];
    const quarantineFiles = d.quarantine_prefix ? await listParquet(s3, bucket, d.quarantine_prefix) : [];
    days.push({
      localDate: d.local_date,
      prefix: d.data_prefix,
      quarantinePrefix: d.quarantine_prefix,
      files: oneFileOf(files, d.rows, d.local_date),
      quarantineFiles: oneFileOf(quarantineFiles, d.quarantined_rows, d.local_date),
      stats: {
        rawRows: d.raw_rows,
        rows: d.rows,
        quarantinedRows: d.quarantined_rows,
        duplicatesDropped: d.duplicates_dropped,
        minPeriodEndUtc: d.min_period_end_utc,
        maxPeriodEndUtc: d.max_period_end_utc,
      },
    });
  }
  return {
    runId: input.runId,
    jobRunId: run.runId,
    days,
    columns: [...MEASUREMENTS_TABLE.columns],
    quarantineColumns: [...MEASUREMENTS_QUARANTINE_TABLE.columns],
    dpuSeconds: run.dpuSeconds,
  };
}

async function readStats(s3: S3Client, bucket: string, key: string, runId: string): Promise<JobDayStats[]> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await out.Body?.transformToString('utf-8')) ?? '';
  let parsed: { run_id?: string; days?: JobDayStats[] };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new EngineError(`the Glue job's stats file s3://${bucket}/${key} is not JSON`, 'Glue Error');
  }
  if (parsed.run_id !== runId || !Array.isArray(parsed.days))
    throw new EngineError(`the Glue job's stats file s3://${bucket}/${key} is not this run's`, 'Glue Error');
  return parsed.days;
}

async function listParquet(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<Omit<StoredFile, 'rows'>[]> {
  const files: Omit<StoredFile, 'rows'>[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of page.Contents ?? [])
      if (o.Key?.endsWith('.parquet')) files.push({ key: o.Key, bytes: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return files;
}

/** The job writes one file per day and folder, so the day's row count is the file's. */
function oneFileOf(files: Omit<StoredFile, 'rows'>[], rows: number, localDate: string): StoredFile[] {
  if (files.length === 0) {
    if (rows > 0)
      throw new EngineError(
        `the Glue job reported ${rows} rows for ${localDate} but wrote no file`,
        'Glue Error',
      );
    return [];
  }
  if (files.length > 1)
    throw new EngineError(
      `the Glue job wrote ${files.length} files for ${localDate}; expected one`,
      'Glue Error',
    );
  return [{ ...files[0]!, rows }];
}

/** Deletes everything under the given prefixes (a run's output that was copied elsewhere, or abandoned). */
export async function deletePrefixes(
  s3: S3Client,
  bucket: string,
  prefixes: readonly string[],
): Promise<number> {
  let deleted = 0;
  for (const prefix of prefixes) {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    for (let i = 0; i < keys.length; i += 1000) {
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
    deleted += keys.length;
  }
  return deleted;
}
