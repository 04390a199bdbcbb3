// Files the Glue job needs in S3 — its script and the quality rules — uploaded only when their sha256 changed.
// The script sits at the fixed ScriptLocation of the job definition, so only `aqlake aws deploy` writes it and a run
// refuses to start when it is not this checkout's; the rules are content-addressed (their key holds their sha256),
// so a run uploads its own and hands the job that key: concurrent runs of different checkouts cannot swap them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EngineError } from '../../errors.js';
import { projectPath } from '../../paths.js';
import { QUALITY_RULES_PATH } from '../sql-files.js';

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

/** `bytes` at `key`, put only when the object's recorded sha256 differs (or it is missing). */
export async function syncBytes(
  s3: S3Client,
  bucket: string,
  key: string,
  bytes: Uint8Array,
  contentType: string,
  options: { dryRun?: boolean } = {},
): Promise<Artifact> {
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

/** The quality rules' key: content-addressed, `{prefix}quality-rules/{sha256}.json`. */
export function rulesKey(prefix: string, bytes: Uint8Array | string): string {
  return `${prefix}quality-rules/${sha256(bytes)}.json`;
}

/** The key of this checkout's quality rules (sql/dev/quality-rules.json). */
export function currentRulesKey(prefix: string): string {
  return rulesKey(prefix, readFileSync(QUALITY_RULES_PATH));
}

/**
 * Refuses to start the job when the script at its ScriptLocation is not this checkout's (by the sha256 deploy
 * records on it): a run never overwrites it, since another checkout's runs may be using it.
 */
export async function assertDeployedScript(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const key = scriptKey(prefix);
  const local = sha256(await readFile(GLUE_SCRIPT_PATH));
  const deployed = await remoteSha256(s3, bucket, key);
  if (deployed === local) return;
  throw new EngineError(
    deployed === null
      ? `the Glue job's script s3://${bucket}/${key} is missing (or was not put there by aqlake): run \`aqlake aws deploy\``
      : `the Glue job's script s3://${bucket}/${key} (sha256 ${deployed.slice(0, 12)}…) is not this checkout's ` +
          `glue_jobs/job_raw_to_dev.py (${local.slice(0, 12)}…): run \`aqlake aws deploy\` to deploy this one ` +
          '(runs of another checkout then use it too)',
    'Configuration',
  );
}
