// The AWS SDK clients the engine talks through (the mirror of duckdb-instance.ts): Glue, Athena and S3, one region.
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lake/store/s3/s3-client.js';
import type { AwsSettings } from './aws-settings.js';

export interface AwsClients {
  glue: GlueClient;
  athena: AthenaClient;
  s3: S3Client;
}

/** Credentials come from the SDK's default chain (env, profile, SSO, instance role); none are read or logged here. */
export function createAwsClients(settings: AwsSettings): AwsClients {
  return {
    glue: new GlueClient({ region: settings.region, maxAttempts: 5 }),
    athena: new AthenaClient({ region: settings.region, maxAttempts: 5 }),
    s3: createS3Client(settings.s3),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.glue.destroy();
  clients.athena.destroy();
  clients.s3.destroy();
}
