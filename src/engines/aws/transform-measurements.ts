// The AWS side of the measurements transform: the Glue job job_raw_to_dev reads the raw objects (API pages and archive
// .csv.gz) in S3 and writes each day's new version as one Parquet object under dev/_versions/; this module prepares
// its manifest, runs it, and reads its stats. Nothing is downloaded to this machine: the result is store keys.

import { readFile } from 'node:fs/promises';
import type { GlueClient } from '@aws-sdk/client-glue';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EngineError } from '../../errors.js';
import type { ColumnSchema, DayStats, RawMeasurementsObject } from '../engine.js';
import { QUALITY_RULES_PATH } from '../sql-files.js';
import type { AwsSettings } from './aws-settings.js';
import { assertDeployedScript, currentRulesKey, rulesKey, syncBytes } from './glue-artifacts.js';
import { runGlueJob } from './glue-job-run.js';
import { MEASUREMENTS_QUARANTINE_TABLE, MEASUREMENTS_TABLE, versionKeyTemplate } from './glue-tables.js';
import type { PollSettings } from './polling.js';

/** The job reads raw objects from S3 itself: no local path. */
type GlueRawObject = Omit<RawMeasurementsObject, 'path'>;

/** A location's context for the job when dev.locations' files are not given (timezone is what local_date needs). */
export interface GlueLocationVersion {
  location_id: number;
  timezone: string | null;
  latitude: number | null;
  longitude: number | null;
  /** ISO UTC; null = valid since ever. */
  valid_from: string | null;
}

/** One raw archive object (.csv.gz of a location's local day), by store key. */
interface GlueArchiveObject {
  rawKey: string;
  locationId: number;
  localDate: string;
  fetchedAt: string;
  valid: boolean;
  validationError: string | null;
}

export interface GlueTransformInput {
  fromDate: string;
  toDate: string;
  objects: readonly GlueRawObject[];
  /** Archive objects whose rows join the API's before the dedup. */
  archiveObjects?: readonly GlueArchiveObject[];
  /** Store keys of the newest /v3/parameters snapshot: archive rows get their parameter id from name and units. */
  parameterKeys?: readonly string[];
  /** Store keys of dev.locations' current Parquet files: the job reads them itself (preferred). */
  locationKeys?: readonly string[];
  /** Or the location versions inline. */
  locations?: readonly GlueLocationVersion[];
  /** Names this run's staging folder and manifest; unique per call. */
  runId: string;
  /** Names the versions written (`…/{date}/{versionTag}.parquet`); default: the run id. */
  versionTag?: string;
  /** The quality rules' (content-addressed) key; default: this checkout's rules. */
  rulesKey?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** An object the engine wrote into the store itself. */
interface StoredFile {
  key: string;
  rows: number;
  bytes: number;
}

interface GlueTransformedDay {
  localDate: string;
  /** The day's new version of dev.measurements: one Snappy Parquet object under dev/_versions/ (null without rows). */
  data: StoredFile | null;
  quarantine: StoredFile | null;
  stats: DayStats;
}

export interface GlueTransformOutput {
  runId: string;
  jobRunId: string;
  days: GlueTransformedDay[];
  columns: ColumnSchema[];
  quarantineColumns: ColumnSchema[];
  dpuSeconds: number;
  /** The quality rules the job ran with (also recorded in the run's manifest as `rules_key`). */
  rulesKey: string;
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
  data_key: string | null;
  data_bytes: number | null;
  quarantine_key: string | null;
  quarantine_bytes: number | null;
}

/** The keys of one Glue run's inputs and outputs under the artifacts prefix. */
function runKeys(settings: AwsSettings, runId: string): { manifest: string; stats: string } {
  const base = `${settings.glueArtifactsPrefix}runs/${runId}/`;
  return { manifest: `${base}manifest.json`, stats: `${base}stats.json` };
}

/** The job's arguments for one run (what StartJobRun sends; the script's argparse reads them). */
export function jobArguments(settings: AwsSettings, input: GlueTransformInput): Record<string, string> {
  const keys = runKeys(settings, input.runId);
  const tag = input.versionTag ?? input.runId;
  return {
    '--bucket': settings.bucket,
    '--manifest_key': keys.manifest,
    '--from_date': input.fromDate,
    '--to_date': input.toDate,
    '--output_key_template': versionKeyTemplate(MEASUREMENTS_TABLE, tag),
    '--quarantine_key_template': versionKeyTemplate(MEASUREMENTS_QUARANTINE_TABLE, tag),
    '--tmp_prefix': `${settings.glueArtifactsPrefix}tmp/`,
    '--run_id': input.runId,
    '--rules_s3_key': input.rulesKey ?? currentRulesKey(settings.glueArtifactsPrefix),
    '--stats_key': keys.stats,
  };
}

export async function transformMeasurementsOnGlue(
  deps: GlueTransformDeps,
  input: GlueTransformInput,
): Promise<GlueTransformOutput> {
  const { s3, settings } = deps;
  const bucket = settings.bucket;
  // The script only deploy writes (its key is the job's); the rules this run uploads under their own sha256.
  await assertDeployedScript(s3, bucket, settings.glueArtifactsPrefix);
  const rulesBytes = await readFile(QUALITY_RULES_PATH);
  const rules = await syncBytes(
    s3,
    bucket,
    rulesKey(settings.glueArtifactsPrefix, rulesBytes),
    rulesBytes,
    'application/json',
  );

  const keys = runKeys(settings, input.runId);
  const archive = input.archiveObjects ?? [];
  if (archive.length > 0 && !input.parameterKeys?.length)
    throw new EngineError(
      `${archive.length} archive objects need the /v3/parameters snapshot's keys (parameterKeys) for their parameter ids`,
      'Configuration',
    );
  const manifest = { ...jobManifest(input), rules_key: rules.key };
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
      args: jobArguments(settings, { ...input, rulesKey: rules.key }),
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
  const days: GlueTransformedDay[] = stats.map((d) => ({
    localDate: d.local_date,
    data: written(d.data_key, d.data_bytes, d.rows, d.local_date),
    quarantine: written(d.quarantine_key, d.quarantine_bytes, d.quarantined_rows, d.local_date),
    stats: {
      rawRows: d.raw_rows,
      rows: d.rows,
      quarantinedRows: d.quarantined_rows,
      duplicatesDropped: d.duplicates_dropped,
      minPeriodEndUtc: d.min_period_end_utc,
      maxPeriodEndUtc: d.max_period_end_utc,
    },
  }));
  return {
    runId: input.runId,
    jobRunId: run.runId,
    days,
    columns: [...MEASUREMENTS_TABLE.columns],
    quarantineColumns: [...MEASUREMENTS_QUARANTINE_TABLE.columns],
    dpuSeconds: run.dpuSeconds,
    rulesKey: rules.key,
  };
}

/** The version object a day's stats name: present exactly when the day has rows of that kind. */
function written(
  key: string | null,
  bytes: number | null,
  rows: number,
  localDate: string,
): StoredFile | null {
  if (rows === 0) return null;
  if (!key || !bytes)
    throw new EngineError(
      `the Glue job reported ${rows} rows for ${localDate} but wrote no object`,
      'Glue Error',
    );
  return { key, rows, bytes };
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

/**
 * The manifest the Glue job reads (`--manifest_key`): every raw object with its request context, the archive objects,
 * and the keys of the snapshots it joins. The job's `main()` test feeds the job exactly this. Its object fields are
 * the DuckDB transform's file rows (classifyObjects) on purpose: two engines' inputs, one column list.
 */
export function jobManifest(
  input: Pick<
    GlueTransformInput,
    'objects' | 'archiveObjects' | 'parameterKeys' | 'locationKeys' | 'locations'
  >,
): Record<string, unknown> {
  return {
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
    archive_objects: (input.archiveObjects ?? []).map((o) => ({
      raw_key: o.rawKey,
      location_id: o.locationId,
      file_date: o.localDate,
      fetched_at: o.fetchedAt,
      valid: o.valid,
      validation_error: o.validationError,
    })),
    parameter_keys: input.parameterKeys ?? [],
    location_keys: input.locationKeys ?? [],
    locations: input.locations ?? [],
  };
}
