// The HTTP API's handlers through app.request (no socket): validation, 404s, the token, CSV, the SQL guard.
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/server/app.js';
import { fakeServices } from './helpers/fake-services.js';

function setup(token?: string) {
  const services = fakeServices();
  return { services, app: createApp(services, { token }) };
}

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('runs', () => {
  it('lists runs with the grid rows and each run’s task states', async () => {
    const { app } = setup();
    const res = await app.request('/api/runs');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { tasks: string[]; runs: { runId: string; taskStates: object }[] };
    expect(body.tasks[0]).toBe('extract_locations');
    expect(body.runs).toHaveLength(3);
    expect(body.runs[1]!.taskStates).toMatchObject({ validate: 'failed', publish: 'upstream_failed' });
  });

  it('filters runs by state and date', async () => {
    const { app } = setup();
    const failed = (await (await app.request('/api/runs?state=failed')).json()) as { runs: unknown[] };
    expect(failed.runs).toHaveLength(1);
    const since = (await (await app.request('/api/runs?from=2024-03-06&to=2024-03-06')).json()) as {
      runs: { logicalDate: string }[];
    };
    expect(since.runs.map((r) => r.logicalDate)).toEqual(['2024-03-06']);
  });

  it.each([
    ['/api/runs?state=exploded', 'state'],
    ['/api/runs?from=2024-13-01', 'from'],
    ['/api/runs?from=2024-03-07&to=2024-03-01', 'to'],
    ['/api/runs?limit=0', 'limit'],
  ])('answers 400 naming the field for %s', async (url, field) => {
    const { app } = setup();
    const res = await app.request(url);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(new RegExp(`^${field}: `));
  });

  it('gives a run’s task instances with their tries, and 404 for an unknown run', async () => {
    const { app } = setup();
    const res = await app.request('/api/runs/scheduled__2024-03-06/tasks');
    const { tasks } = (await res.json()) as { tasks: { taskId: string; tries: unknown[] }[] };
    expect(tasks.find((t) => t.taskId === 'validate')!.tries).toHaveLength(3);
    const missing = await app.request('/api/runs/nope/tasks');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no run nope' });
  });

  it('serves a try’s log as text, the latest try by default, 404 for a try that does not exist', async () => {
    const { app } = setup();
    const url = '/api/runs/scheduled__2024-03-06/tasks/validate/logs';
    const latest = await app.request(url);
    expect(latest.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await latest.text()).toContain('validate try 3 of scheduled__2024-03-06');
    expect(await (await app.request(`${url}?try=2`)).text()).toContain('try 2');
    expect((await app.request(`${url}?try=4`)).status).toBe(404);
    expect((await app.request(`${url}?try=x`)).status).toBe(400);
    expect((await app.request('/api/runs/scheduled__2024-03-06/tasks/nope/logs')).status).toBe(404);
  });

  it('triggers a run for a day and answers 201 with it', async () => {
    const { app, services } = setup();
    const res = await app.request('/api/trigger', post({ date: '2024-03-08', locations: [1, 2] }));
    expect(res.status).toBe(201);
    expect(((await res.json()) as { logicalDate: string }).logicalDate).toBe('2024-03-08');
    expect(services.calls.trigger).toEqual([{ date: '2024-03-08', locations: [1, 2] }]);
  });

  it.each([
    [{}, 'date'],
    [{ date: '2024-02-30' }, 'date'],
    [{ date: '2024-03-08', locations: [0] }, 'locations.0'],
    [{ date: '2024-03-08', extra: 1 }, ''],
    ['{not json', ''],
  ])('refuses a bad trigger body %j with 400', async (body, field) => {
    const { app, services } = setup();
    const res = await app.request('/api/trigger', post(body));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    if (field) expect(error).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    expect(services.calls.trigger).toEqual([]);
  });

  it('clears a task with its downstream; 404 for an unknown run or task, 400 for downstream without task', async () => {
    const { app, services } = setup();
    const ok = await app.request(
      '/api/clear',
      post({ runId: 'scheduled__2024-03-06', task: 'validate', downstream: true }),
    );
    expect(ok.status).toBe(200);
    expect(services.calls.clear).toEqual([
      { runId: 'scheduled__2024-03-06', task: 'validate', downstream: true },
    ]);
    expect((await app.request('/api/clear', post({ runId: 'nope' }))).status).toBe(404);
    expect(
      (await app.request('/api/clear', post({ runId: 'scheduled__2024-03-06', task: 'nope' }))).status,
    ).toBe(404);
    expect(
      (await app.request('/api/clear', post({ runId: 'scheduled__2024-03-06', downstream: true }))).status,
    ).toBe(400);
    expect(services.calls.clear).toHaveLength(1);
  });

  it('starts a backfill (202) and reports its progress; refuses reversed or too long ranges', async () => {
    const { app, services } = setup();
    expect(await (await app.request('/api/backfill')).json()).toEqual({ backfill: null });
    const res = await app.request('/api/backfill', post({ from: '2024-03-01', to: '2024-03-03' }));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(
      ((await (await app.request(`/api/backfill/${id}`)).json()) as { totalRuns: number }).totalRuns,
    ).toBe(3);
    expect((await app.request('/api/backfill/other')).status).toBe(404);
    expect((await app.request('/api/backfill', post({ from: '2024-03-03', to: '2024-03-01' }))).status).toBe(
      400,
    );
    expect((await app.request('/api/backfill', post({ from: '2020-01-01', to: '2024-01-01' }))).status).toBe(
      400,
    );
    expect(services.calls.backfill).toHaveLength(1);
  });
});

describe('catalog and checks', () => {
  it('lists tables, partitions and schema versions; 404 for an unknown table', async () => {
    const { app } = setup();
    const { tables } = (await (await app.request('/api/catalog/tables')).json()) as {
      tables: { name: string }[];
    };
    expect(tables.map((t) => t.name)).toEqual(['measurements']);
    const { partitions } = (await (
      await app.request('/api/catalog/tables/measurements/partitions')
    ).json()) as {
      partitions: unknown[];
    };
    expect(partitions).toHaveLength(2);
    const { versions } = (await (await app.request('/api/catalog/tables/measurements/schemas')).json()) as {
      versions: { version: number }[];
    };
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect((await app.request('/api/catalog/tables/nope/partitions')).status).toBe(404);
    expect((await app.request('/api/catalog/tables/nope/schemas')).status).toBe(404);
  });

  it('puts failed checks first, errors before warnings', async () => {
    const { app } = setup();
    const body = (await (await app.request('/api/checks')).json()) as {
      failed: number;
      results: { check: string; status: string }[];
    };
    expect(body.failed).toBe(2);
    expect(body.results.map((r) => r.check)).toEqual([
      'unique_sensor_period',
      'coverage',
      'not_null_keys',
      'value_range',
    ]);
    const onlyFailed = (await (await app.request('/api/checks?status=fail&date=2024-03-06')).json()) as {
      results: { check: string }[];
    };
    expect(onlyFailed.results.map((r) => r.check)).toEqual(['unique_sensor_period']);
  });
});

describe('prod views and SQL', () => {
  it('passes the filters to the prod service as typed values', async () => {
    const { app, services } = setup();
    const res = await app.request(
      '/api/prod/daily_averages?location_id=1&sensor_id=11&parameter=pm25&from=2024-03-01&to=2024-03-31',
    );
    expect(res.status).toBe(200);
    expect(services.calls.prod[0]).toEqual({
      view: 'daily_averages',
      filter: {
        locationId: 1,
        sensorId: 11,
        parameter: 'pm25',
        from: '2024-03-01',
        to: '2024-03-31',
        limit: 10_000,
      },
    });
  });

  it('answers 404 for a view it does not know, and 400 for a filter that is not a value', async () => {
    const { app, services } = setup();
    expect((await app.request('/api/prod/secret_table')).status).toBe(404);
    expect((await app.request("/api/prod/daily_averages?parameter=pm25'%20OR%201=1")).status).toBe(400);
    expect((await app.request('/api/prod/daily_averages?location_id=1;drop')).status).toBe(400);
    expect((await app.request('/api/prod/daily_averages?format=xml')).status).toBe(400);
    expect(services.calls.prod).toEqual([]);
  });

  it('gives CSV with a header and quoted fields', async () => {
    const { app } = setup();
    const res = await app.request('/api/prod/daily_averages?location_id=1&format=csv');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe('location_id,sensor_id,parameter,units,local_date,value_avg');
    expect(lines[1]).toBe('1,11,pm25,µg/m³,2024-03-05,12.5');
    expect(lines[3]).toBe('1,12,no2,µg/m³,2024-03-06,"a ""quoted"", value"');
    expect(lines).toHaveLength(5); // header, 3 rows, and the final line end
  });

  it('runs read-only SQL and surfaces the guard’s refusal as 400', async () => {
    const { app } = setup();
    const ok = await app.request('/api/query', post({ sql: 'SELECT 1 AS n' }));
    expect(await ok.json()).toEqual({ columns: ['n'], rows: [{ n: 1 }], rowCount: 1 });
    const refused = await app.request('/api/query', post({ sql: "COPY prod.latest TO '/tmp/x.csv'" }));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/read-only/);
    expect((await app.request('/api/query', post({ sql: '   ' }))).status).toBe(400);
  });

  it('lists locations and the air-quality standards the page draws', async () => {
    const { app } = setup();
    const { locations } = (await (await app.request('/api/locations')).json()) as {
      locations: { id: number; parameters: unknown[] }[];
    };
    expect(locations[0]!.parameters).toHaveLength(2);
    const standards = (await (await app.request('/api/standards')).json()) as { who: { value: number }[] };
    expect(standards.who.map((w) => w.value)).toEqual([15, 45, 25]);
  });

  it('answers 404 JSON for an unknown API path and 500 without internals for an unexpected error', async () => {
    const services = fakeServices();
    services.catalog.tables = async () => {
      throw new Error('SQLITE_CORRUPT at /home/secret/path');
    };
    const app = createApp(services);
    const missing = await app.request('/api/nothing-here');
    expect(missing.status).toBe(404);
    const broken = await app.request('/api/catalog/tables');
    expect(broken.status).toBe(500);
    expect(await broken.text()).not.toContain('secret');
  });
});

describe('the token', () => {
  it('is not needed when none is set', async () => {
    const { app } = setup();
    expect((await app.request('/api/runs')).status).toBe(200);
  });

  it('is checked on every API request: missing or wrong → 401, right → 200', async () => {
    const { app, services } = setup('s3cret-token-123');
    for (const [url, init] of [
      ['/api/runs', {}],
      ['/api/catalog/tables', {}],
      ['/api/prod/daily_averages?format=csv', {}],
      ['/api/trigger', post({ date: '2024-03-08' })],
      ['/api/nothing-here', {}],
    ] as const) {
      const missing = await app.request(url, init);
      expect(missing.status, url).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      const wrong = await app.request(url, {
        ...init,
        headers: { ...('headers' in init ? init.headers : {}), Authorization: 'Bearer s3cret-token-124' },
      });
      expect(wrong.status, url).toBe(401);
      expect(await wrong.text()).not.toContain('s3cret');
    }
    expect(services.calls.trigger).toEqual([]);
    const right = await app.request('/api/runs', { headers: { Authorization: 'Bearer s3cret-token-123' } });
    expect(right.status).toBe(200);
  });

  it('does not accept the token in the query string for the API', async () => {
    const { app } = setup('s3cret-token-123');
    expect((await app.request('/api/runs?token=s3cret-token-123')).status).toBe(401);
  });
});
