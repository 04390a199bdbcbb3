// The ObjectStore on S3 (or any S3-compatible server): keys are object keys in one bucket; reads into a local cache.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { isNotFound } from '../../../errors.js';
import {
  ObjectExistsError,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type PutOptions,
} from '../object-store.js';

const TMP_SUFFIX = '.aqlake-tmp';
/** Beside each cached file: the ETag of the object version it holds. */
const ETAG_SUFFIX = '.aqlake-etag';
/** S3's minimum part size; files up to this size go up in one PutObject. */
const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Where `localPath` downloads objects to: `{cacheDir}/{key}`. */
  cacheDir: string;
  /** Multipart part size in bytes (≥ 5 MiB). */
  partSize?: number;
  /** Keys per ListObjectsV2 page (S3's maximum and default is 1,000). */
  listPageSize?: number;
}

export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  readonly bucket: string;
  readonly cacheDir: string;
  private readonly client: S3Client;
  private readonly partSize: number;
  private readonly listPageSize: number | undefined;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.cacheDir = options.cacheDir;
    this.partSize = Math.max(options.partSize ?? MIN_PART_SIZE, MIN_PART_SIZE);
    this.listPageSize = options.listPageSize;
    this.url = `s3://${options.bucket}`;
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<ObjectInfo> {
    checkKey(key);
    try {
      await this.client.send(new PutObjectCommand(this.putInput(key, body, options)));
    } catch (err) {
      throw mapWriteError(err, key, options.ifAbsent === true);
    }
    return this.headAfterWrite(key);
  }

  async putFile(key: string, path: string, options: PutOptions = {}): Promise<ObjectInfo> {
    checkKey(key);
    const { size } = await stat(path);
    // lib-storage sends one PutObject when the body fits in one part, else a multipart upload whose completion
    // carries IfNoneMatch; parts never become visible, so a reader sees all bytes or none.
    const upload = new Upload({
      client: this.client,
      partSize: this.partSize,
      queueSize: 4,
      params: { ...this.putInput(key, createReadStream(path), options), ContentLength: size },
    });
    try {
      await upload.done();
    } catch (err) {
      throw mapWriteError(err, key, options.ifAbsent === true);
    }
    return this.headAfterWrite(key);
  }

  async get(key: string): Promise<Uint8Array> {
    checkKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) throw new Error(`S3 returned no body for ${key}`);
      return await out.Body.transformToByteArray();
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    checkKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        bytes: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? new Date(0),
        ...(out.ETag ? { etag: unquote(out.ETag) } : {}),
      };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // S3 lists keys in UTF-8 byte order, page after page; the continuation token carries the position.
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
          ...(this.listPageSize ? { MaxKeys: this.listPageSize } : {}),
        }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue; // folder placeholders some tools create
        yield {
          key: o.Key,
          bytes: o.Size ?? 0,
          lastModified: o.LastModified ?? new Date(0),
          ...(o.ETag ? { etag: unquote(o.ETag) } : {}),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async copy(fromKey: string, toKey: string): Promise<ObjectInfo> {
    checkKey(fromKey);
    checkKey(toKey);
    try {
      // One server-side copy: readers of toKey see the old object until S3 makes the new one visible, whole.
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(fromKey);
      throw err;
    }
    return this.headAfterWrite(toKey);
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  /**
   * Downloads the object to `{cacheDir}/{key}` (temp file + rename, so a reader never sees half a file) and reuses
   * the cached copy while the object's ETag and size are unchanged.
   */
  async localPath(key: string): Promise<string> {
    checkKey(key);
    const info = await this.head(key);
    if (!info) throw new ObjectNotFoundError(key);
    const path = join(this.cacheDir, ...key.split('/'));
    if (await this.cachedCopyMatches(path, info)) return path;

    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}${TMP_SUFFIX}`;
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          // The version we headed, or a 412 if it changed in between: the ETag we record belongs to the bytes.
          ...(info.etag ? { IfMatch: `"${info.etag}"` } : {}),
        }),
      );
      if (!out.Body) throw new Error(`S3 returned no body for ${key}`);
      await pipeline(out.Body as Readable, createWriteStream(tmp));
      await rename(tmp, path);
      await writeFile(`${path}${ETAG_SUFFIX}`, `${info.etag ?? ''}\n`);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      if (isMissing(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
    return path;
  }

  private putInput(
    key: string,
    body: PutObjectCommandInput['Body'],
    options: PutOptions,
  ): PutObjectCommandInput {
    return {
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ...(options.contentType ? { ContentType: options.contentType } : {}),
      // S3 conditional write: refused with 412 when the key exists. Atomic on AWS; s3rver ignores it.
      ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
    };
  }

  private async headAfterWrite(key: string): Promise<ObjectInfo> {
    const info = await this.head(key);
    if (!info) throw new Error(`object vanished after write: ${key}`);
    return info;
  }

  private async cachedCopyMatches(path: string, info: ObjectInfo): Promise<boolean> {
    try {
      const [s, etag] = await Promise.all([stat(path), readFile(`${path}${ETAG_SUFFIX}`, 'utf8')]);
      return s.isFile() && s.size === info.bytes && info.etag !== undefined && etag.trim() === info.etag;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

/** Keys that would escape the cache folder or collide in it (`a//b`, `a/./b`) are refused, as the filesystem store refuses `..`. */
function checkKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.' || s === ''))
    throw new Error(`invalid object key: ${key}`);
}

interface ServiceErrorShape {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function serviceError(err: unknown): ServiceErrorShape {
  return typeof err === 'object' && err !== null ? (err as ServiceErrorShape) : {};
}

function isMissing(err: unknown): boolean {
  const e = serviceError(err);
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/**
 * For a create-if-absent write: 412 = IfNoneMatch found the key; 409 ConditionalRequestConflict = another conditional
 * write to the same key is in flight, and one of the two will have created it.
 */
function mapWriteError(err: unknown, key: string, ifAbsent: boolean): unknown {
  if (!ifAbsent) return err;
  const e = serviceError(err);
  if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412)
    return new ObjectExistsError(key);
  if (e.name === 'ConditionalRequestConflict') return new ObjectExistsError(key);
  return err;
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
