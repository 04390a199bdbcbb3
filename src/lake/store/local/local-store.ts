// The ObjectStore on the local filesystem: keys are paths under the lake root; writes go to a temp file, then rename.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isNotFound } from '../../../errors.js';
import {
  ObjectExistsError,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type PutOptions,
} from '../object-store.js';

const TMP_SUFFIX = '.aqlake-tmp';
/** Under the root (the lake home), outside every zone: where copy() stages its link before the rename. */
export const COPY_TMP_DIR = '_tmp/commit';

export class LocalObjectStore implements ObjectStore {
  readonly url: string;

  constructor(readonly root: string) {
    this.url = root;
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<ObjectInfo> {
    return this.writeAside(key, options, (tmp) => writeFile(tmp, body));
  }

  async putFile(key: string, path: string, options: PutOptions = {}): Promise<ObjectInfo> {
    return this.writeAside(key, options, (tmp) => pipeline(createReadStream(path), createWriteStream(tmp)));
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { key, bytes: s.size, lastModified: s.mtime } : null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk from the deepest folder the prefix names fully, then filter by the prefix itself.
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    for await (const key of this.walk(base)) {
      if (!key.startsWith(prefix)) continue;
      const info = await this.head(key);
      if (info) yield info;
    }
  }

  async copy(fromKey: string, toKey: string): Promise<ObjectInfo> {
    const from = this.pathOf(fromKey);
    const to = this.pathOf(toKey);
    const tmpDir = join(this.root, COPY_TMP_DIR);
    await mkdir(tmpDir, { recursive: true });
    await mkdir(dirname(to), { recursive: true });
    const place = async (tmp: string) => {
      try {
        try {
          // A hard link costs no bytes; versions are never written in place, so sharing the inode is safe.
          await link(from, tmp);
        } catch (err) {
          if (isNotFound(err)) throw new ObjectNotFoundError(fromKey);
          await copyFile(from, tmp);
        }
        // rename(2) replaces the target atomically: a reader opens the old inode or the new one.
        await rename(tmp, to);
      } catch (err) {
        await unlink(tmp).catch(() => {});
        throw err;
      }
    };
    try {
      await place(join(tmpDir, `${randomUUID()}${TMP_SUFFIX}`));
    } catch (err) {
      // The target folder is on another filesystem than {root}/_tmp (a mounted dev/): stage beside the target,
      // under a name list() never shows, for the instant before the rename.
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await place(`${to}.${randomUUID()}${TMP_SUFFIX}`);
    }
    const info = await this.head(toKey);
    if (!info) throw new Error(`object vanished after copy: ${toKey}`);
    return info;
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async localPath(key: string): Promise<string> {
    const path = this.pathOf(key);
    if (!(await this.head(key))) throw new ObjectNotFoundError(key);
    return path;
  }

  pathOf(key: string): string {
    if (key.startsWith('/') || key.split('/').includes('..')) throw new Error(`invalid object key: ${key}`);
    return join(this.root, ...key.split('/'));
  }

  private async writeAside(
    key: string,
    options: PutOptions,
    write: (tmp: string) => Promise<void>,
  ): Promise<ObjectInfo> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}${TMP_SUFFIX}`;
    try {
      await write(tmp);
      if (options.ifAbsent) {
        // link() fails if the target exists: an atomic create-if-absent that rename() cannot give.
        try {
          await link(tmp, path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ObjectExistsError(key);
          throw err;
        }
        await unlink(tmp);
      } else {
        await rename(tmp, path);
      }
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    const info = await this.head(key);
    if (!info) throw new Error(`object vanished after write: ${key}`);
    return info;
  }

  private async *walk(relDir: string): AsyncIterable<string> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(relDir ? this.pathOf(relDir) : this.root, { withFileTypes: true });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    // Key order, as S3 lists: a folder sorts as its name plus '/', so `a.json` comes before `a/…`.
    const sortKey = (e: import('node:fs').Dirent) => (e.isDirectory() ? `${e.name}/` : e.name);
    entries.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) yield* this.walk(rel);
      else if (entry.isFile() && !entry.name.endsWith(TMP_SUFFIX)) yield rel.split(sep).join('/');
    }
  }
}
