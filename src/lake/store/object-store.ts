// The ObjectStore seam: put/get/list/head/delete by key, the same for the filesystem and S3.

export interface ObjectInfo {
  key: string;
  bytes: number;
  lastModified: Date;
  etag?: string;
}

export interface PutOptions {
  contentType?: string;
  /** Fail with ObjectExistsError instead of replacing an existing object (raw is immutable). */
  ifAbsent?: boolean;
}

export interface ObjectStore {
  /** Human-readable location, e.g. `/home/me/lake` or `s3://bucket`. */
  readonly url: string;
  /** Writes all bytes or nothing: a reader never sees a partial object. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<ObjectInfo>;
  /** Writes a local file's bytes under `key` (large Parquet files go up without being read into memory). */
  putFile(key: string, path: string, options?: PutOptions): Promise<ObjectInfo>;
  /** Throws ObjectNotFoundError when absent. */
  get(key: string): Promise<Uint8Array>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /**
   * Makes `toKey` hold `fromKey`'s bytes in ONE step a reader can observe: before it, a reader of `toKey` sees the
   * previous object (or none); after it, the new one; never a partial or missing object in between. The filesystem
   * hard-links (or copies) the source to a temp name in `{root}/_tmp/` and rename(2)s it over the target; S3 sends
   * one server-side CopyObject. Throws ObjectNotFoundError when `fromKey` is absent.
   */
  copy(fromKey: string, toKey: string): Promise<ObjectInfo>;
  /** Deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * A local filesystem path holding the object's bytes, for engines that read files directly.
   * The filesystem store returns the object itself; a remote store downloads it into a cache.
   */
  localPath(key: string): Promise<string>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super(`object already exists and is immutable: ${key}`);
    this.name = 'ObjectExistsError';
  }
}
