// extract_parameters against a real HTTP server: /v3/parameters lands byte for byte, and name + units map to the id.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_PARAMETERS_ENDPOINT } from '../src/lake/keys.js';
import { findRawObjects, latestParametersObjects } from '../src/lake/manifest.js';
import { parameterLookup } from '../src/openaq/archive-parameters.js';
import { OpenAQClient } from '../src/openaq/index.js';
import { extractParameters } from '../src/pipeline/extract-archive-parameters.js';
import { latestParameters } from '../src/pipeline/raw-snapshots.js';
import { type ArchiveLake, openArchiveLake } from './helpers/archive-lake.js';

/** Real ids from openaq-db lookups/measurands.sql: o3 is 10 in ppm, 3 in µg/m³, 32 in ppb. */
const PARAMETERS = [
  { id: 2, name: 'pm25', units: 'µg/m³', displayName: 'PM2.5', description: 'Particulate matter < 2.5 µm' },
  { id: 3, name: 'o3', units: 'µg/m³', displayName: 'O₃ mass', description: 'Ozone mass concentration' },
  { id: 10, name: 'o3', units: 'ppm', displayName: 'O₃', description: 'Ozone' },
  { id: 32, name: 'o3', units: 'ppb', displayName: 'O₃', description: 'Ozone' },
  { id: 100, name: 'temperature', units: 'c', displayName: 'Temperature (C)', description: null },
];

let server: Server;
let url: string;
let version = 1;
const served: string[] = [];
let lake: ArchiveLake;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/v3/parameters') {
      res.writeHead(404).end('{"detail":"Not Found"}');
      return;
    }
    const results = version === 1 ? PARAMETERS.slice(0, 4) : PARAMETERS;
    const body = Buffer.from(
      JSON.stringify({ meta: { name: 'openaq-api', page: 1, limit: 1000, found: results.length }, results }),
    );
    served.push(createHash('sha256').update(body).digest('hex'));
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
  lake = openArchiveLake('http://127.0.0.1:9');
});
afterAll(async () => {
  lake?.close();
  await new Promise((resolve) => server?.close(resolve));
});

function ctx() {
  const openaq = new OpenAQClient({
    baseUrl: url,
    rateLimit: { perMinute: 60, perHour: 2000 },
    timeoutMs: 5000,
    maxRetries: 0,
  });
  return { ...lake.ctx, openaq };
}

describe('extractParameters', () => {
  it('lands /v3/parameters in raw/ byte for byte, in one request', async () => {
    const snapshot = await extractParameters(ctx());
    expect(snapshot.requests).toBe(1);
    expect(snapshot.parameters).toHaveLength(4);
    const [o] = findRawObjects(lake.meta, { endpoint: RAW_PARAMETERS_ENDPOINT });
    expect(o!.rawKey).toMatch(
      /^raw\/openaq\/parameters\/year=\d{4}\/month=\d{2}\/day=\d{2}\/parameters_p1_.+\.json$/,
    );
    expect(
      createHash('sha256')
        .update(readFileSync(join(lake.home, o!.rawKey)))
        .digest('hex'),
    ).toBe(served[0]);
  });

  it('reads the newest snapshot back, and maps name + units to the id', async () => {
    version = 2;
    await extractParameters(ctx());
    expect(latestParametersObjects(lake.meta)).toHaveLength(1);
    const lookup = parameterLookup(await latestParameters(lake));
    expect(lookup('o3', 'ppm')).toBe(10);
    expect(lookup('o3', 'µg/m³')).toBe(3);
    expect(lookup('o3', 'ppb')).toBe(32);
    expect(lookup('temperature', 'c')).toBe(100);
    expect(lookup('temperature', 'f')).toBeUndefined();
    expect(lookup('pm25', 'ug/m3')).toBeUndefined();
  });
});
