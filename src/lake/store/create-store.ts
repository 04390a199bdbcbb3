// Picks the lake's ObjectStore from the configuration and environment: the filesystem, or an S3 bucket.
import type { AqlakeConfig } from '../../config/index.js';
import { ConfigError } from '../../errors.js';
import { LocalObjectStore } from './local/local-store.js';
import type { ObjectStore } from './object-store.js';
import { s3StoreSettingsFromEnv } from './s3/s3-store-config.js';

export type StoreKind = 'local' | 's3';

/**
 * `AQLAKE_STORE=local|s3`; unset means s3 for the aws engine (Glue cannot read a laptop's disk) and local otherwise.
 */
export function storeKind(
  config: Pick<AqlakeConfig, 'engine'>,
  env: NodeJS.ProcessEnv = process.env,
): StoreKind {
  const value = env.AQLAKE_STORE?.trim().toLowerCase();
  if (!value) return config.engine === 'aws' ? 's3' : 'local';
  if (value === 'local' || value === 's3') return value;
  throw new ConfigError('AQLAKE_STORE', `expected local or s3, got "${env.AQLAKE_STORE}"`, 'environment');
}

/**
 * The store for `config.home` (local) or for `AQLAKE_BUCKET` (s3, settings from `s3StoreSettingsFromEnv`).
 * Async because the AWS SDK (~0.6 s to load) is imported only when the S3 store is chosen.
 */
export async function createObjectStore(
  config: Pick<AqlakeConfig, 'home' | 'engine'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ObjectStore> {
  const kind = storeKind(config, env);
  if (kind === 'local') {
    if (config.engine === 'aws')
      throw new ConfigError(
        'AQLAKE_STORE',
        'the aws engine needs the s3 store (Glue and Athena read S3)',
        'environment',
      );
    return new LocalObjectStore(config.home);
  }
  const settings = s3StoreSettingsFromEnv(config.home, env);
  const [{ createS3Client }, { S3ObjectStore }] = await Promise.all([
    import('./s3/s3-client.js'),
    import('./s3/s3-store.js'),
  ]);
  return new S3ObjectStore({
    client: createS3Client(settings),
    bucket: settings.bucket,
    cacheDir: settings.cacheDir,
  });
}

export { s3StoreSettingsFromEnv } from './s3/s3-store-config.js';
