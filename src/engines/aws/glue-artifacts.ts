// Files the Glue job needs in S3 — its script and the quality rules — uploaded only when their sha256 changed.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { projectPath } from '../../paths.js';

export const GLUE_SCRIPT_PATH = projectPath('glue_jobs', 'job_raw_to_dev.py');

export interface Artifact {
  key: string;
  sha256: string;
  /** False when S3 already held these bytes (by the sha256 recorded in the object's metadata). */
  uploaded: boolean;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of `path` at `key`, put only when the object's recorded sha256 differs (or it is missing). */
export async function syncArtifact(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  contentType: string,
  options: { dryRun?: boolean } = {},
): Promise<Artifact> {
  const bytes = await readFile(path);
  const digest = sha256(bytes);
  const current = await remoteSha256(s3, bucket, key);
  if (current === digest) return { key, sha256: digest, uploaded: false };
  if (!options.dryRun)
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        Metadata: { sha256: digest },
      }),
    );
  return { key, sha256: digest, uploaded: true };
}

async function remoteSha256(s3: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.Metadata?.sha256 ?? null;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return null;
    throw err;
  }
}

export function scriptKey(prefix: string): string {
  return `${prefix}job_raw_to_dev.py`;
}

export function rulesKey(prefix: string): string {
  return `${prefix}quality-rules.json`;
}
