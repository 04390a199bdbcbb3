// Starts a real S3-compatible server (s3rver) on 127.0.0.1:0 in a child process, with one bucket, for store tests.
//
// Why a child process: s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 refuses
// (ERR_OSSL_EVP_UNSUPPORTED → 500 on the second page). `node --openssl-legacy-provider` re-enables it, and the flag
// must be given when the process starts, so the server runs in its own node process and pagination is tested over HTTP.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/lake/store/s3/s3-client.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs inside the child: start s3rver, print its port as one JSON line, stop on SIGTERM. */
const CHILD_SCRIPT = `
const S3rver = require('s3rver');
const [directory, bucket] = process.argv.slice(1);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
server.run().then(
  (addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'),
  (err) => { process.stderr.write(String(err && err.stack || err) + '\\n'); process.exit(1); },
);
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
`;

export interface S3rverHandle {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects (deleted by stop). */
  directory: string;
  /** The credentials s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export async function startS3rver(bucket = 'lake'): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), 'aqlake-s3rver-'));
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '-e', CHILD_SCRIPT, directory, bucket],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening: ${stderr}`)));
    child.on('error', reject);
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    directory,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** An S3 client of the server (path-style, its credentials), as the lake's S3 store makes one. */
export function s3rverClient(s3: Pick<S3rverHandle, 'endpoint' | 'credentials'>): S3Client {
  return createS3Client({
    region: 'ap-southeast-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: s3.credentials,
  });
}

/** The environment that points the CLI's S3 store at the server's bucket (path-style, its credentials). */
export function s3rverEnv(s3: Pick<S3rverHandle, 'endpoint' | 'bucket' | 'credentials'>): NodeJS.ProcessEnv {
  return {
    AQLAKE_BUCKET: s3.bucket,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AQLAKE_S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  };
}
