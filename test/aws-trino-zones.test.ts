// `aqlake run` on the AWS engine with a location whose time zone Athena (Trino) does not know: OpenAQ names the zone
// as IANA does today (America/Ciudad_Juarez, tzdata 2022g), which Node, Python and DuckDB accept but Trino's zone list
// lacks, so Athena's AT TIME ZONE would fail in the middle of the checks. The run must stop before any Glue job or
// Athena query, naming the location and the zone and what to do, and not retry. The API is the simulator behind a
// proxy that renames location 1001's zone in its /v3/locations answers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../src/simulator/index.js';
import { runCli } from './helpers/cli.js';
import type { FakeAws } from './helpers/fake-aws.js';
import { type FakeAwsLake, startFakeAwsLake } from './helpers/fake-aws-lake.js';
import { tempDir } from './helpers/temp-dir.js';

const LOCATION = 1001;
const ZONE = 'America/Ciudad_Juarez';
const DAY = '2025-06-10';

/** Forwards to the simulator; in JSON answers, location LOCATION's `timezone` becomes ZONE. */
async function renamingZoneProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const base = new URL(target);
  const server: Server = createServer(async (req, res) => {
    const upstream = await fetch(new URL(req.url ?? '/', base.origin), {
      headers: { 'x-api-key': String(req.headers['x-api-key'] ?? ''), 'accept-encoding': 'identity' },
    });
    let body = await upstream.text();
    if ((upstream.headers.get('content-type') ?? '').includes('json')) {
      const json = JSON.parse(body) as { results?: { id?: number; timezone?: string }[] };
      for (const r of json.results ?? []) if (r.id === LOCATION && 'timezone' in r) r.timezone = ZONE;
      body = JSON.stringify(json);
    }
    const headers: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))
        headers[k] = v;
    });
    res.writeHead(upstream.status, headers);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base.pathname}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the AWS engine and a location zone Trino does not know', () => {
  let sim: RunningSimulator;
  let proxy: Awaited<ReturnType<typeof renamingZoneProxy>>;
  let lake: FakeAwsLake;
  let aws: FakeAws;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 11, now: () => new Date('2025-06-12T12:00:00Z') });
    proxy = await renamingZoneProxy(sim.url);
    lake = await startFakeAwsLake({
      home: tempDir('aqlake-trino-zone-'),
      apiUrl: proxy.url,
      archiveUrl: sim.archiveUrl,
    });
    ({ aws, env } = lake);
  }, 120_000);

  afterAll(async () => {
    await lake?.close();
    await Promise.all([sim?.close(), proxy?.close()]);
  });

  it('aqlake run stops before Glue and Athena, naming the location, its zone and what to do', async () => {
    const callsBefore = aws.calls.length;
    const out = await runCli(
      ['run', '--from', DAY, '--to', DAY, '--locations', String(LOCATION), '--source', 'api'],
      { env, timeoutMs: 300_000 },
    );
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(
      new RegExp(
        `${DAY}: task transform failed: Athena \\(Trino\\) does not know the time zone of location ${LOCATION} \\("America/Ciudad_Juarez"\\)`,
      ),
    );
    const run = `openaq_daily__${DAY}`;
    const tasks = await runCli(['tasks', run, '--json'], { env });
    expect(tasks.code, tasks.stderr).toBe(0);
    const transform = (
      JSON.parse(tasks.stdout) as {
        tasks: { taskId: string; state: string; tries: unknown[]; error: string }[];
      }
    ).tasks.find((t) => t.taskId === 'transform')!;
    // Failed at once: retrying meets the same zone name.
    expect(transform.state).toBe('failed');
    expect(transform.tries).toHaveLength(1);
    expect(transform.error).toMatch(
      /--locations, or scope\.locations in aqlake\.config\.json.*AQLAKE_ENGINE=local/,
    );
    // Nothing was started on Glue or Athena by the run.
    const ops = aws.calls.slice(callsBefore).map((c) => `${c.service}:${c.operation}`);
    expect(ops.filter((op) => op === 'glue:StartJobRun' || op === 'athena:StartQueryExecution')).toEqual([]);
    expect(aws.rejected).toEqual([]);
  }, 300_000);
});
