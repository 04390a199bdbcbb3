// One ObjectStore suite, run against the filesystem store and against S3 over real HTTP (s3rver on 127.0.0.1).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import 'aws-sdk-client-mock-vitest/extend';
import {
  createObjectStore,
  LocalObjectStore,
  ObjectExistsError,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  s3StoreSettingsFromEnv,
  storeKind,
} from '../src/lake/store/index.js';
import { S3ObjectStore } from '../src/lake/store/s3/s3-store.js';
import { type S3rverHandle, s3rverClient, startS3rver } from './helpers/s3rver.js';

interface Backend {
  name: string;
  store: ObjectStore;
  /** HTTP requests the store sent, by command name (S3 only): proves paging and multipart really happened. */
  requests?: Map<string, number>;
  teardown(): Promise<void>;
}

/** ListObjectsV2 page size for the S3 backend: small, so the paging test crosses several pages. */
const S3_LIST_PAGE = 7;

const BACKENDS: { name: string; create(): Promise<Backend> }[] = [
  {
    name: 'filesystem',
    async create() {
      const root = await mkdtemp(join(tmpdir(), 'aqlake-fs-store-'));
      return {
        name: 'filesystem',
        store: new LocalObjectStore(root),
        teardown: () => rm(root, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 's3 (s3rver over HTTP)',
    async create() {
      const server: S3rverHandle = await startS3rver('lake');
      const cacheDir = await mkdtemp(join(tmpdir(), 'aqlake-s3-cache-'));
      const client = s3rverClient(server);
      const requests = new Map<string, number>();
      client.middlewareStack.add(
        (next, context) => (args) => {
          const name = context.commandName ?? '?';
          requests.set(name, (requests.get(name) ?? 0) + 1);
          return next(args);
        },
        { step: 'initialize', name: 'countRequests' },
      );
      return {
        name: 's3',
        store: new S3ObjectStore({ client, bucket: server.bucket, cacheDir, listPageSize: S3_LIST_PAGE }),
        requests,
        async teardown() {
          client.destroy();
          await server.stop();
          await rm(cacheDir, { recursive: true, force: true });
        },
      };
    },
  },
];

async function collect(it: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of it) out.push(info);
  return out;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Byte order of UTF-8 keys, which is S3's list order. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe.each(BACKENDS)('ObjectStore on $name', ({ create }) => {
  let backend: Backend;
  let store: ObjectStore;
  let scratch: string;
  let n = 0;
  /** A fresh key prefix per test: the server and its bucket are shared by the tests of one backend. */
  let p: string;

  beforeAll(async () => {
    backend = await create();
    store = backend.store;
    scratch = await mkdtemp(join(tmpdir(), 'aqlake-store-scratch-'));
  });
  afterAll(async () => {
    await backend?.teardown();
    await rm(scratch, { recursive: true, force: true });
  });
  beforeEach(() => {
    p = `t${++n}`;
    backend.requests?.clear();
  });

  it('puts and gets the exact bytes, from a string or a Uint8Array', async () => {
    const json = '{"meta":{"found":">1000"},"results":[{"value":-999,"unit":"µg/m³"}]}';
    const info = await store.put(`${p}/raw/a.json`, json, { contentType: 'application/json' });
    expect(info.key).toBe(`${p}/raw/a.json`);
    expect(info.bytes).toBe(Buffer.byteLength(json));
    expect(text(await store.get(`${p}/raw/a.json`))).toBe(json);

    const binary = new Uint8Array([0, 255, 13, 10, 0x1f, 0x8b]);
    await store.put(`${p}/raw/b.bin`, binary);
    expect([...(await store.get(`${p}/raw/b.bin`))]).toEqual([...binary]);
  });

  it('replaces an object on a second put without ifAbsent', async () => {
    await store.put(`${p}/k`, 'first version');
    const info = await store.put(`${p}/k`, 'second');
    expect(info.bytes).toBe(6);
    expect(text(await store.get(`${p}/k`))).toBe('second');
  });

  it('heads an object (size, modification time) and answers null for a missing key', async () => {
    const before = Date.now() - 5_000;
    await store.put(`${p}/x/y.json`, '12345');
    const info = await store.head(`${p}/x/y.json`);
    expect(info?.key).toBe(`${p}/x/y.json`);
    expect(info?.bytes).toBe(5);
    expect(info?.lastModified.getTime()).toBeGreaterThan(before);
    expect(await store.head(`${p}/x/missing.json`)).toBeNull();
    // a folder is not an object
    expect(await store.head(`${p}/x`)).toBeNull();
  });

  it('fails get of a missing key with ObjectNotFoundError naming the key', async () => {
    await expect(store.get(`${p}/nope.json`)).rejects.toThrow(ObjectNotFoundError);
    await expect(store.get(`${p}/nope.json`)).rejects.toMatchObject({ key: `${p}/nope.json` });
  });

  // Key order here is the same whether `/` sorts as a byte or as a folder boundary. It is not for `a.json` beside `a/…`:
  // S3 lists `a.json` first ('.' < '/'), while the filesystem store and s3rver (which walks folders) list it last.
  it('lists every object under a prefix, nested ones included, in key order', async () => {
    const keys = [
      `${p}/raw/openaq/locations_index.json`,
      `${p}/raw/openaq/locations/year=2024/month=03/day=05/b.json`,
      `${p}/raw/openaq/locations/year=2024/month=03/day=05/a.json`,
      `${p}/raw/openaq/locations/year=2024/month=03/day=04/z.json`,
      `${p}/raw/openaq/sensors_measurements/year=2024/month=03/day=05/s-1.json`,
      `${p}/raw/openaq-archive/locationid=1/x.csv.gz`,
      `${p}/dev/measurements/year=2024/month=03/day=05/part-1.parquet`,
    ];
    for (const k of keys) await store.put(k, k);

    const all = await collect(store.list(`${p}/raw/openaq/`));
    expect(all.map((o) => o.key)).toEqual(
      keys.filter((k) => k.startsWith(`${p}/raw/openaq/`)).sort(byteOrder),
    );
    expect(all.find((o) => o.key.endsWith('a.json'))?.bytes).toBe(Buffer.byteLength(keys[2]!));

    // A prefix is a string prefix, not a folder: `raw/openaq` also matches `raw/openaq-archive/…`.
    const loose = await collect(store.list(`${p}/raw/openaq`));
    expect(loose.map((o) => o.key)).toContain(`${p}/raw/openaq-archive/locationid=1/x.csv.gz`);

    const day = await collect(store.list(`${p}/raw/openaq/locations/year=2024/month=03/day=05/`));
    expect(day.map((o) => o.key)).toEqual([
      `${p}/raw/openaq/locations/year=2024/month=03/day=05/a.json`,
      `${p}/raw/openaq/locations/year=2024/month=03/day=05/b.json`,
    ]);
    expect(await collect(store.list(`${p}/nothing/`))).toEqual([]);
  });

  it('lists more objects than fit in one page, none lost or repeated', async () => {
    const keys = Array.from(
      { length: 3 * S3_LIST_PAGE + 4 },
      (_, i) => `${p}/many/part-${String(i).padStart(3, '0')}`,
    );
    await Promise.all(keys.map((k) => store.put(k, 'x')));
    backend.requests?.clear();
    const listed = (await collect(store.list(`${p}/many/`))).map((o) => o.key);
    expect(listed).toEqual(keys);
    if (backend.requests) expect(backend.requests.get('ListObjectsV2Command')).toBe(4);
  });

  it('deletes an object; deleting a missing key is not an error', async () => {
    await store.put(`${p}/d/one`, '1');
    await store.put(`${p}/d/two`, '2');
    await store.delete(`${p}/d/one`);
    expect(await store.head(`${p}/d/one`)).toBeNull();
    await expect(store.get(`${p}/d/one`)).rejects.toThrow(ObjectNotFoundError);
    expect((await collect(store.list(`${p}/d/`))).map((o) => o.key)).toEqual([`${p}/d/two`]);
    await expect(store.delete(`${p}/d/never-existed`)).resolves.toBeUndefined();
  });

  it('copies an object over another key in one step, leaving the source; a missing source is ObjectNotFoundError', async () => {
    await store.put(`${p}/_versions/v1.parquet`, 'version one');
    await store.put(`${p}/_versions/v2.parquet`, 'version two, longer');
    const first = await store.copy(`${p}/_versions/v1.parquet`, `${p}/table/day=01/data.parquet`);
    expect(first).toMatchObject({ key: `${p}/table/day=01/data.parquet`, bytes: 11 });
    expect(text(await store.get(`${p}/table/day=01/data.parquet`))).toBe('version one');
    // Replacing: the key now holds the other version, whole; both sources stay.
    await store.copy(`${p}/_versions/v2.parquet`, `${p}/table/day=01/data.parquet`);
    expect(text(await store.get(`${p}/table/day=01/data.parquet`))).toBe('version two, longer');
    expect(text(await store.get(`${p}/_versions/v1.parquet`))).toBe('version one');
    // The table folder holds the one object, nothing else (no temp file beside it).
    expect((await collect(store.list(`${p}/table/`))).map((o) => o.key)).toEqual([
      `${p}/table/day=01/data.parquet`,
    ]);
    await expect(store.copy(`${p}/_versions/none.parquet`, `${p}/table/day=02/data.parquet`)).rejects.toThrow(
      ObjectNotFoundError,
    );
    expect(await store.head(`${p}/table/day=02/data.parquet`)).toBeNull();
  });

  it('puts a multi-megabyte file from disk (multipart on S3) with every byte intact', async () => {
    const bytes = randomBytes(12 * 1024 * 1024 + 12_345);
    const file = join(scratch, `${p}-big.parquet`);
    await writeFile(file, bytes);
    const info = await store.putFile(`${p}/dev/big.parquet`, file);
    expect(info.bytes).toBe(bytes.length);
    expect(sha256(await store.get(`${p}/dev/big.parquet`))).toBe(sha256(bytes));
    if (backend.requests) {
      expect(backend.requests.get('CreateMultipartUploadCommand')).toBe(1);
      expect(backend.requests.get('UploadPartCommand')).toBe(3);
      expect(backend.requests.get('CompleteMultipartUploadCommand')).toBe(1);
    }
  });

  it('puts a small file from disk', async () => {
    const file = join(scratch, `${p}-small.json`);
    await writeFile(file, '{"results":[]}');
    const info = await store.putFile(`${p}/raw/small.json`, file);
    expect(info.bytes).toBe(14);
    expect(text(await store.get(`${p}/raw/small.json`))).toBe('{"results":[]}');
  });

  it('gives a local file path holding the object, refreshed when the object changes', async () => {
    await store.put(`${p}/raw/day/obj.json`, 'version one');
    const path = await store.localPath(`${p}/raw/day/obj.json`);
    expect(await readFile(path, 'utf8')).toBe('version one');

    const gets = backend.requests?.get('GetObjectCommand') ?? 0;
    const again = await store.localPath(`${p}/raw/day/obj.json`);
    expect(again).toBe(path);
    expect(await readFile(again, 'utf8')).toBe('version one');
    // The cached copy is reused: no second download.
    if (backend.requests) expect(backend.requests.get('GetObjectCommand') ?? 0).toBe(gets);

    await store.put(`${p}/raw/day/obj.json`, 'version two, longer');
    const fresh = await store.localPath(`${p}/raw/day/obj.json`);
    expect(await readFile(fresh, 'utf8')).toBe('version two, longer');
    expect((await stat(fresh)).size).toBe(19);

    await expect(store.localPath(`${p}/raw/day/missing.json`)).rejects.toThrow(ObjectNotFoundError);
  });

  it('refuses keys that escape the lake', async () => {
    await expect(store.put('../outside', 'x')).rejects.toThrow(/invalid object key/);
    await expect(store.get('/etc/passwd')).rejects.toThrow(/invalid object key/);
  });
});

describe('ObjectStore ifAbsent on the filesystem', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'aqlake-fs-ifabsent-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('creates once, then refuses and keeps the first bytes (raw is immutable)', async () => {
    const store = new LocalObjectStore(root);
    await store.put('raw/a.json', 'first', { ifAbsent: true });
    await expect(store.put('raw/a.json', 'second', { ifAbsent: true })).rejects.toThrow(ObjectExistsError);
    const file = join(root, 'f.json');
    await writeFile(file, 'third');
    await expect(store.putFile('raw/a.json', file, { ifAbsent: true })).rejects.toThrow(ObjectExistsError);
    expect(text(await store.get('raw/a.json'))).toBe('first');
  });
});

// s3rver ignores IfNoneMatch (tech-notes §2), so S3's answer to a conditional write is played by a mocked client.
describe('S3ObjectStore ifAbsent (S3 answers mocked)', () => {
  const client = new S3Client({
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const s3 = mockClient(client);
  const store = new S3ObjectStore({
    client,
    bucket: 'lake',
    cacheDir: join(tmpdir(), 'aqlake-unused-cache'),
  });
  const preconditionFailed = () =>
    new S3ServiceException({
      name: 'PreconditionFailed',
      $fault: 'client',
      $metadata: { httpStatusCode: 412 },
      message: 'At least one of the pre-conditions you specified did not hold',
    });

  afterEach(() => s3.reset());

  it('sends IfNoneMatch: * and turns 412 PreconditionFailed into ObjectExistsError', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    const err = await store.put('raw/a.json', 'x', { ifAbsent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectExistsError);
    expect((err as ObjectExistsError).key).toBe('raw/a.json');
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'lake',
      Key: 'raw/a.json',
      IfNoneMatch: '*',
    });
  });

  it('sends no IfNoneMatch without ifAbsent, and passes other errors through unchanged', async () => {
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });
    s3.on(PutObjectCommand).rejects(denied);
    await expect(store.put('raw/a.json', 'x')).rejects.toBe(denied);
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input.IfNoneMatch).toBeUndefined();
  });

  it('maps the 412 of a multipart completion (putFile of a large file) to ObjectExistsError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aqlake-mpu-'));
    try {
      const file = join(dir, 'big.parquet');
      await writeFile(file, randomBytes(6 * 1024 * 1024));
      s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
      s3.on(UploadPartCommand).resolves({ ETag: '"p"' });
      s3.on(CompleteMultipartUploadCommand).rejects(preconditionFailed());
      await expect(store.putFile('dev/big.parquet', file, { ifAbsent: true })).rejects.toThrow(
        ObjectExistsError,
      );
      expect(s3).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, {
        Key: 'dev/big.parquet',
        UploadId: 'u1',
        IfNoneMatch: '*',
      });
      expect(s3).toHaveReceivedCommandTimes(UploadPartCommand, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('createObjectStore from the environment', () => {
  const config = (engine: 'local' | 'aws' = 'local') => ({
    home: join(tmpdir(), 'aqlake-factory-home'),
    engine,
  });

  it('is the filesystem store by default and the S3 store for the aws engine or AQLAKE_STORE=s3', () => {
    expect(storeKind(config(), {})).toBe('local');
    expect(storeKind(config('aws'), {})).toBe('s3');
    expect(storeKind(config(), { AQLAKE_STORE: 'S3' })).toBe('s3');
    expect(() => storeKind(config(), { AQLAKE_STORE: 'gcs' })).toThrow(
      /AQLAKE_STORE: expected local or s3, got "gcs"/,
    );
  });

  it('fails with one line naming the variable when the S3 settings are missing or wrong', async () => {
    await expect(createObjectStore(config(), { AQLAKE_STORE: 's3' })).rejects.toThrow(
      /AQLAKE_BUCKET: required/,
    );
    await expect(
      createObjectStore(config(), { AQLAKE_STORE: 's3', AQLAKE_BUCKET: 'Not_A_Bucket' }),
    ).rejects.toThrow(/not a valid S3 bucket name/);
    await expect(
      createObjectStore(config(), {
        AQLAKE_STORE: 's3',
        AQLAKE_BUCKET: 'lake',
        AQLAKE_S3_FORCE_PATH_STYLE: 'yes',
      }),
    ).rejects.toThrow(/AQLAKE_S3_FORCE_PATH_STYLE: expected true or false/);
    await expect(createObjectStore(config('aws'), { AQLAKE_STORE: 'local' })).rejects.toThrow(
      /needs the s3 store/,
    );
  });

  it('defaults the region to ap-southeast-1 and the cache to the lake home', () => {
    const s = s3StoreSettingsFromEnv('/home/me/lake', { AQLAKE_BUCKET: 'lake' });
    expect(s).toMatchObject({ bucket: 'lake', region: 'ap-southeast-1', forcePathStyle: false });
    expect(s.cacheDir).toBe('/home/me/lake/_cache/s3/lake');
    expect(s.endpoint).toBeUndefined();
  });

  it('builds an S3 store that talks to the endpoint of AWS_ENDPOINT_URL_S3 (a real s3rver) with path-style URLs', async () => {
    const server = await startS3rver('factory-lake');
    const home = await mkdtemp(join(tmpdir(), 'aqlake-factory-'));
    try {
      const store = await createObjectStore(
        { home, engine: 'local' },
        {
          AQLAKE_STORE: 's3',
          AQLAKE_BUCKET: 'factory-lake',
          AWS_ENDPOINT_URL_S3: server.endpoint,
          AQLAKE_S3_FORCE_PATH_STYLE: 'true',
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        },
      );
      expect(store.url).toBe('s3://factory-lake');
      await store.put('raw/x.json', '{"results":[]}');
      expect(text(await store.get('raw/x.json'))).toBe('{"results":[]}');
      const path = await store.localPath('raw/x.json');
      expect(path).toBe(join(home, '_cache', 's3', 'factory-lake', 'raw', 'x.json'));
      // listed back by the server
      expect((await collect(store.list('raw/'))).map((o) => o.key)).toEqual(['raw/x.json']);
    } finally {
      await server.stop();
      await rm(home, { recursive: true, force: true });
    }
  });
});
