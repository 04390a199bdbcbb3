// The AWS engine's names and knobs (bucket, Glue database/job/crawler, Athena workgroup), from the environment.
import { ConfigError } from '../../errors.js';
import {
  awsRegionFromEnv,
  parseBooleanEnv,
  type S3ClientSettings,
  s3StoreSettingsFromEnv,
} from '../../lake/store/s3/s3-store-config.js';

export interface AwsSettings {
  region: string;
  bucket: string;
  /** S3-compatible endpoint for the lake's S3 calls (MinIO); Glue and Athena always use AWS. */
  s3: S3ClientSettings;
  /** Glue database holding the dev tables (the SQL's `dev.` schema). */
  devDatabase: string;
  /** Glue database holding the prod views (the SQL's `prod.` schema). */
  prodDatabase: string;
  /** Scratch database for checks: one temporary table per checked partition version. */
  checkDatabase: string;
  jobName: string;
  /** IAM role the Glue job and crawler run as (deploy needs it; the job reads and writes the bucket with it). */
  glueRoleArn: string | null;
  /** Glue workers: G.1X (1 DPU each) × this many. */
  glueWorkers: number;
  glueTimeoutMinutes: number;
  /** Register partitions with the Glue Crawler of the original design instead of the partition API. */
  useCrawler: boolean;
  crawlerName: string;
  workgroup: string;
  /** Where Athena writes query results: `s3://{bucket}/{athenaOutputPrefix}`. */
  athenaOutputPrefix: string;
  /** Athena stops a query that scans more than this (the workgroup's cutoff), a guard on cost. */
  bytesScannedCutoff: number;
  /** Where the Glue script, the rules file, manifests and stats go in the bucket. */
  glueArtifactsPrefix: string;
}

const NAME = /^[a-z][a-z0-9_]{0,254}$/;

/** BytesScannedCutoffPerQuery's minimum in Athena's model (10,000,000 bytes). */
const ATHENA_MIN_SCAN_CUTOFF = 10_000_000;

/**
 * `AQLAKE_BUCKET`, `AWS_REGION` (default ap-southeast-1), `AQLAKE_GLUE_ROLE_ARN`, and optional overrides:
 * `AQLAKE_GLUE_DATABASE` (openaq_dev), `AQLAKE_PROD_DATABASE` (openaq_prod), `AQLAKE_GLUE_JOB` (job_raw_to_dev),
 * `AQLAKE_GLUE_WORKERS` (2), `AQLAKE_GLUE_CRAWLER=true`, `AQLAKE_ATHENA_WORKGROUP` (aqlake),
 * `AQLAKE_ATHENA_SCAN_LIMIT_BYTES` (10 GiB).
 */
export function awsSettingsFromEnv(home: string, env: NodeJS.ProcessEnv = process.env): AwsSettings {
  const s3 = s3StoreSettingsFromEnv(home, env);
  const name = (key: string, fallback: string) => {
    const v = env[key]?.trim() || fallback;
    if (!NAME.test(v))
      throw new ConfigError(key, `expected a lower-case name like ${fallback}, got "${v}"`, 'environment');
    return v;
  };
  const positive = (key: string, fallback: number) => {
    const raw = env[key]?.trim();
    if (!raw) return fallback;
    if (!/^[1-9]\d*$/.test(raw))
      throw new ConfigError(key, `expected a positive whole number, got "${raw}"`, 'environment');
    return Number(raw);
  };
  const role = env.AQLAKE_GLUE_ROLE_ARN?.trim() || null;
  if (role && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(role))
    throw new ConfigError('AQLAKE_GLUE_ROLE_ARN', `not an IAM role ARN: "${role}"`, 'environment');
  const cutoff = positive('AQLAKE_ATHENA_SCAN_LIMIT_BYTES', 10 * 1024 ** 3);
  if (cutoff < ATHENA_MIN_SCAN_CUTOFF)
    throw new ConfigError(
      'AQLAKE_ATHENA_SCAN_LIMIT_BYTES',
      `Athena's smallest per-query scan limit is ${ATHENA_MIN_SCAN_CUTOFF} bytes (10 MB), got ${cutoff}`,
      'environment',
    );
  return {
    region: awsRegionFromEnv(env),
    bucket: s3.bucket,
    s3,
    devDatabase: name('AQLAKE_GLUE_DATABASE', 'openaq_dev'),
    prodDatabase: name('AQLAKE_PROD_DATABASE', 'openaq_prod'),
    checkDatabase: name('AQLAKE_CHECK_DATABASE', 'openaq_check'),
    jobName: name('AQLAKE_GLUE_JOB', 'job_raw_to_dev'),
    glueRoleArn: role,
    glueWorkers: Math.max(2, positive('AQLAKE_GLUE_WORKERS', 2)),
    glueTimeoutMinutes: positive('AQLAKE_GLUE_TIMEOUT_MINUTES', 60),
    useCrawler: parseBooleanEnv('AQLAKE_GLUE_CRAWLER', env.AQLAKE_GLUE_CRAWLER),
    crawlerName: name('AQLAKE_GLUE_CRAWLER_NAME', 'aqlake_dev_crawler'),
    workgroup: env.AQLAKE_ATHENA_WORKGROUP?.trim() || 'aqlake',
    athenaOutputPrefix: '_aws/athena-results/',
    bytesScannedCutoff: cutoff,
    glueArtifactsPrefix: '_aws/glue/',
  };
}

/** Settings for tests and examples: every name at its default. */
export function defaultAwsSettings(overrides: Partial<AwsSettings> = {}): AwsSettings {
  return {
    ...awsSettingsFromEnv('/tmp/aqlake', { AQLAKE_BUCKET: overrides.bucket ?? 'aqlake-lake' }),
    ...overrides,
  };
}
