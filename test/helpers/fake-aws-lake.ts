// A lake on the AWS engine, offline: s3rver for S3, the stateful fake Glue + Athena (fake-aws.ts), the environment the
// CLI needs to reach them (AQLAKE_ENGINE=aws, AWS_ENDPOINT_URL_*), and `aqlake aws deploy` already run.
import type { S3Client } from '@aws-sdk/client-s3';
import { runCli } from './cli.js';
import { type FakeAws, startFakeAws } from './fake-aws.js';
import { type S3rverHandle, s3rverClient, s3rverEnv, startS3rver } from './s3rver.js';

export interface FakeAwsLake {
  s3: S3rverHandle;
  /** A client of the bucket, for the test's own reads. */
  client: S3Client;
  aws: FakeAws;
  /** The CLI's environment for this lake. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function startFakeAwsLake(input: {
  home: string;
  apiUrl: string;
  archiveUrl: string;
}): Promise<FakeAwsLake> {
  const s3 = await startS3rver('aq-lake');
  const client = s3rverClient(s3);
  const aws = await startFakeAws({ s3: client, bucket: s3.bucket });
  const env = {
    AQLAKE_HOME: input.home,
    AQLAKE_ENGINE: 'aws',
    AQLAKE_STORE: 's3',
    ...s3rverEnv(s3),
    OPENAQ_API_URL: input.apiUrl,
    OPENAQ_ARCHIVE_URL: input.archiveUrl,
    AWS_REGION: 'ap-southeast-1',
    AWS_ENDPOINT_URL_GLUE: aws.endpoint,
    AWS_ENDPOINT_URL_ATHENA: aws.endpoint,
    AQLAKE_GLUE_ROLE_ARN: 'arn:aws:iam::123456789012:role/aqlake-glue',
  };
  const close = async () => {
    await aws.close();
    client.destroy();
    await s3.stop();
  };
  const deployed = await runCli(['aws', 'deploy'], { env });
  if (deployed.code !== 0) {
    await close();
    throw new Error(`aqlake aws deploy failed (${deployed.code}): ${deployed.stderr}`);
  }
  return { s3, client, aws, env, close };
}
