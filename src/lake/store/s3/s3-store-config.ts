// The S3 store's settings (no SDK import, so reading them costs nothing), read from the environment names the AWS SDK and aqlake document; no secrets are read here.
import { join } from 'node:path';
import { ConfigError } from '../../../errors.js';

const DEFAULT_AWS_REGION = 'ap-southeast-1';

export interface S3ClientSettings {
  region: string;
  /** An S3-compatible endpoint (`http://127.0.0.1:9000`); absent = AWS S3 of the region. */
  endpoint?: string;
  /** `bucket` in the path instead of the host name: needed by MinIO and s3rver. */
  forcePathStyle?: boolean;
  /** Explicit credentials (tests); absent = the SDK's default chain (env, profile, SSO, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts?: number;
}

export interface S3StoreSettings extends S3ClientSettings {
  bucket: string;
  cacheDir: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `AQLAKE_BUCKET` (required), `AWS_REGION` (default ap-southeast-1), `AWS_ENDPOINT_URL_S3` (MinIO, s3rver),
 * `AQLAKE_S3_FORCE_PATH_STYLE=true`, `AQLAKE_S3_CACHE_DIR` (default `{home}/_cache/s3/{bucket}`).
 * Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN of `env`, else the SDK's default chain.
 * They are never logged: they live only inside the client.
 */
export function s3StoreSettingsFromEnv(home: string, env: NodeJS.ProcessEnv = process.env): S3StoreSettings {
  const bucket = env.AQLAKE_BUCKET?.trim();
  if (!bucket)
    throw new ConfigError(
      'AQLAKE_BUCKET',
      'required when the store is s3 (the lake bucket name)',
      'environment',
    );
  if (!BUCKET_NAME.test(bucket))
    throw new ConfigError('AQLAKE_BUCKET', `not a valid S3 bucket name: "${bucket}"`, 'environment');
  const endpoint = env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint))
    throw new ConfigError(
      'AWS_ENDPOINT_URL_S3',
      `expected a URL like http://127.0.0.1:9000, got "${endpoint}"`,
      'environment',
    );
  // Keys in the given environment are used as they are (the SDK would find them in process.env anyway); without
  // them the SDK's default chain applies (profiles, SSO, instance roles).
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  return {
    bucket,
    region: awsRegionFromEnv(env),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: parseBooleanEnv('AQLAKE_S3_FORCE_PATH_STYLE', env.AQLAKE_S3_FORCE_PATH_STYLE),
    cacheDir: env.AQLAKE_S3_CACHE_DIR?.trim() || join(home, '_cache', 's3', bucket),
  };
}

export function awsRegionFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || DEFAULT_AWS_REGION;
}

export function parseBooleanEnv(name: string, value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return false;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(name, `expected true or false, got "${value}"`, 'environment');
}
