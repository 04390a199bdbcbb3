// The simulator over real HTTP on 127.0.0.1: shapes against real OpenAQ fixtures, determinism, OpenAQ's time rules,
// /hours and /days against the test's own aggregation of /measurements, paging, filters, errors and faults.
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measurementsFor, type RunningSimulator, startSimulator } from '../src/simulator/index.js';

const NOW = new Date('2025-01-15T12:34:56Z');

interface Envelope<T = Record<string, unknown>> {
  meta: { name: string; website: string; page: number; limit: number; found: number | string };
  results: T[];
}

async function getJson<T = Record<string, unknown>>(base: string, path: string, init?: RequestInit) {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as Envelope<T> };
}

function fixture(name: string): Envelope {
  const file = new URL(`./fixtures/simulator/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { body: Envelope }).body;
}

/** Dotted key paths of a JSON value; arrays contribute their first element as "[]". */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length ? keyPaths(value[0], `${prefix}[]`) : [`${prefix}[]`];
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...keyPaths(v, `${prefix}.${k}`)]);
}

const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 42, now: () => NOW });
});
afterAll(async () => {
  await sim.close();
});

describe('response shapes match real OpenAQ v3 responses', () => {
  const cases: [string, string][] = [
    ['list_locations', '/locations?limit=3'],
    ['get_sensor_5', '/sensors/10011'],
    ['list_location_sensors_3', '/locations/1001/sensors'],
    ['list_sensor_measurements_3', '/sensors/10011/measurements?limit=3'],
    ['list_location_latest_1', '/locations/1001/latest'],
    ['list_countries', '/countries'],
    ['list_parameters', '/parameters'],
  ];
  for (const [name, path] of cases) {
    it(`${path} has the keys of ${name}`, async () => {
      const real = fixture(name);
      const { status, headers, body } = await getJson(sim.url, path);
      expect(status).toBe(200);
      expect(headers.get('content-type')).toBe('application/json');
      expect(Object.keys(body.meta).sort()).toEqual(Object.keys(real.meta).sort());
      expect(body.meta.name).toBe('openaq-api');
      expect(new Set(keyPaths(body.results[0]))).toEqual(new Set(keyPaths(real.results[0])));
    });
  }

  // /hours and /days key sets as in OpenAQ's answers for sensor 10017217 (shared fixtures, crosscheck folder)
  const datetime = (p: string) => [p, `${p}.utc`, `${p}.local`];
  const rollupKeys = [
    '.value',
    '.flagInfo',
    '.flagInfo.hasFlags',
    '.parameter',
    ...['id', 'name', 'units', 'displayName'].map((k) => `.parameter.${k}`),
    '.period',
    '.period.label',
    '.period.interval',
    ...datetime('.period.datetimeFrom'),
    ...datetime('.period.datetimeTo'),
    '.coordinates',
    '.summary',
    ...['min', 'q02', 'q25', 'median', 'q75', 'q98', 'max', 'avg', 'sd'].map((k) => `.summary.${k}`),
    '.coverage',
    ...[
      'expectedCount',
      'expectedInterval',
      'observedCount',
      'observedInterval',
      'percentComplete',
      'percentCoverage',
    ].map((k) => `.coverage.${k}`),
    ...datetime('.coverage.datetimeFrom'),
    ...datetime('.coverage.datetimeTo'),
  ];
  it('/days and /hours rows have the keys of real /days rows', async () => {
    const days = await getJson(sim.url, '/sensors/10011/days?date_from=2024-07-20&date_to=2024-07-22');
    const hours = await getJson(
      sim.url,
      '/sensors/10011/hours?datetime_from=2024-07-20&datetime_to=2024-07-21&limit=2',
    );
    for (const row of [days.body.results[0], hours.body.results[0]]) {
      expect(new Set(keyPaths(row))).toEqual(new Set(rollupKeys));
    }
    expect(days.body.results[0]).toMatchObject({
      period: { label: '1day', interval: '24:00:00' },
      coordinates: null,
    });
    expect(hours.body.results[0]).toMatchObject({
      period: { label: '1hour', interval: '01:00:00' },
      coordinates: null,
    });
  });

  it('writes datetimes as {utc: "…Z", local: "…±hh:mm"} with the offset of each instant', async () => {
    const { body } = await getJson<{ period: { datetimeTo: { utc: string; local: string } } }>(
      sim.url,
      '/sensors/10041/measurements?datetime_from=2024-10-05T15:00:00Z&datetime_to=2024-10-05T18:00:00Z',
    );
    const stamps = body.results.map((r) => r.period.datetimeTo);
    for (const s of stamps) {
      expect(s.utc).toMatch(UTC);
      expect(s.local).toMatch(LOCAL);
      expect(DateTime.fromISO(s.local).toMillis()).toBe(DateTime.fromISO(s.utc).toMillis());
    }
    // Adelaide moves from +09:30 to +10:30 at 16:30Z on 2024-10-05
    expect(new Set(stamps.map((s) => s.local.slice(-6)))).toEqual(new Set(['+09:30', '+10:30']));
  });
});

describe('determinism', () => {
  const paths = [
    '/locations',
    '/sensors/10071/measurements?datetime_from=2024-07-01&datetime_to=2024-07-08&limit=1000',
    '/sensors/10031/days?date_from=2024-06-01&date_to=2024-06-30',
    '/sensors/10011',
  ];

  it('serves identical bytes from two servers with the same seed and clock, and other data for another seed', async () => {
    const twin = await startSimulator({ seed: 42, now: () => NOW });
    const other = await startSimulator({ seed: 7, now: () => NOW });
    try {
      for (const path of paths) {
        const a = await getJson(sim.url, path);
        const b = await getJson(twin.url, path);
        expect(b.text).toBe(a.text);
      }
      const mine = await getJson(sim.url, paths[1]!);
      const theirs = await getJson(other.url, paths[1]!);
      expect(theirs.text).not.toBe(mine.text);
    } finally {
      await twin.close();
      await other.close();
    }
  });
});

type Measurement = {
  value: number;
  flagInfo: { hasFlags: boolean };
  period: {
    interval: string;
    datetimeFrom: { utc: string; local: string };
    datetimeTo: { utc: string; local: string };
  };
};

async function allPages<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const { status, body } = await getJson<T>(sim.url, `${path}&limit=1000&page=${page}`);
    expect(status).toBe(200);
    out.push(...body.results);
    if (body.results.length < 1000) return out;
  }
}

describe('time windows follow OpenAQ: period end in (from, to], naive values are local time', () => {
  const ends = (rows: Measurement[]) => rows.map((r) => r.period.datetimeTo.utc);

  it('excludes datetime_from and includes datetime_to', async () => {
    const { body } = await getJson<Measurement>(
      sim.url,
      '/sensors/10015/measurements?datetime_from=2024-07-20T14:00:00Z&datetime_to=2024-07-20T18:00:00Z',
    );
    expect(ends(body.results)).toEqual([
      '2024-07-20T15:00:00Z',
      '2024-07-20T16:00:00Z',
      '2024-07-20T17:00:00Z',
      '2024-07-20T18:00:00Z',
    ]);
    expect(body.results[0]!.period.datetimeFrom.utc).toBe('2024-07-20T14:00:00Z');
  });

  it('reads plain dates as local midnights: a New York day is 01:00 … 24:00 local', async () => {
    const { body } = await getJson<Measurement>(
      sim.url,
      '/sensors/10015/measurements?datetime_from=2024-07-20&datetime_to=2024-07-21',
    );
    expect(body.results).toHaveLength(24);
    expect(body.results[0]!.period.datetimeTo).toEqual({
      utc: '2024-07-20T05:00:00Z',
      local: '2024-07-20T01:00:00-04:00',
    });
    expect(body.results[23]!.period.datetimeTo).toEqual({
      utc: '2024-07-21T04:00:00Z',
      local: '2024-07-21T00:00:00-04:00',
    });
  });

  it('reads naive datetimes in the +05:30 zone of Delhi, the same as the explicit offset', async () => {
    const naive = await getJson<Measurement>(
      sim.url,
      '/sensors/10031/measurements?datetime_from=2024-07-20&datetime_to=2024-07-20T12:00:00',
    );
    const explicit = await getJson<Measurement>(
      sim.url,
      `/sensors/10031/measurements?datetime_from=${encodeURIComponent('2024-07-20T00:00:00+05:30')}&datetime_to=2024-07-20T06:30:00Z`,
    );
    expect(naive.text).toBe(explicit.text);
    const locals = naive.body.results.map((r) => r.period.datetimeTo.local);
    for (const l of locals) {
      expect(l.endsWith('+05:30')).toBe(true);
      expect(l.slice(0, 19) > '2024-07-20T00:00:00' && l.slice(0, 19) <= '2024-07-20T12:00:00').toBe(true);
    }
    expect(naive.body.results.length).toBeGreaterThan(6);
  });

  it('treats an unencoded + offset as the API does: the + becomes a space and the value is rejected', async () => {
    const res = await fetch(`${sim.url}/sensors/10031/measurements?datetime_from=2024-07-20T00:00:00+05:30`);
    expect(res.status).toBe(422);
  });

  it('has 23 local hours on the New York spring-forward day and 25 on the fall-back day', async () => {
    for (const [day, next, hours] of [
      ['2024-03-10', '2024-03-11', 23],
      ['2024-11-03', '2024-11-04', 25],
    ] as const) {
      const raw = await getJson<Measurement>(
        sim.url,
        `/sensors/10015/measurements?datetime_from=${day}&datetime_to=${next}`,
      );
      expect(raw.body.results).toHaveLength(hours);
      const hourly = await getJson(sim.url, `/sensors/10015/hours?datetime_from=${day}&datetime_to=${next}`);
      expect(hourly.body.results).toHaveLength(hours);
      const daily = await getJson<{
        coverage: { observedCount: number; expectedCount: number; percentComplete: number };
      }>(sim.url, `/sensors/10015/days?date_from=${day}&date_to=${next}`);
      expect(daily.body.results[0]!.coverage).toMatchObject({
        observedCount: hours,
        expectedCount: 24,
        percentComplete: Math.round((100 * hours) / 24),
      });
    }
  });

  it('clips to the simulated clock and returns ascending rows', async () => {
    const rows = await allPages<Measurement>(
      '/sensors/10071/measurements?datetime_from=2025-01-10T00:00:00Z',
    );
    const times = ends(rows);
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
    expect(Date.parse(times.at(-1)!)).toBeLessThanOrEqual(NOW.getTime());
    expect(rows[0]!.period.interval).toBe('00:15:00');
  });
});

/** PostgreSQL percentile_cont, written here independently of the simulator. */
function quantile(values: number[], f: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = f * (s.length - 1);
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
}

/**
 * sig_digits(x, 3) in openaq-db: round(x::numeric, 2 - floor(log(|x|))). PostgreSQL casts a double to numeric through
 * 15 significant digits and rounds numerics half away from zero, so 7.275 (a double just below) still becomes 7.28.
 */
function pgSig3(x: number): number {
  const [mantissa, exponent] = Math.abs(x).toExponential(14).split('e') as [string, string];
  const fifteen = BigInt(mantissa.replace('.', ''));
  const unit = 10n ** 12n;
  const kept = fifteen / unit + (fifteen % unit >= unit / 2n ? 1n : 0n);
  return Math.sign(x) * Number(`${kept}e${Number(exponent) - 2}`);
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The hour (end) and local day of each measurement by OpenAQ's documented rules, using luxon. */
function ownRollups(rows: Measurement[], zone: string) {
  const hours = new Map<string, number[]>();
  for (const r of rows) {
    const end = DateTime.fromISO(r.period.datetimeTo.utc, { zone: 'utc' });
    const hourEnd = end.plus({ hours: 1 }).minus({ seconds: 1 }).setZone(zone).startOf('hour');
    const key = hourEnd.toUTC().toISO()!;
    hours.set(key, [...(hours.get(key) ?? []), r.value]);
  }
  const days = new Map<string, { hourEnds: string[]; means: number[] }>();
  for (const [hourEnd, values] of hours) {
    const day = DateTime.fromISO(hourEnd).minus({ seconds: 1 }).setZone(zone).toISODate()!;
    const d = days.get(day) ?? { hourEnds: [], means: [] };
    d.hourEnds.push(hourEnd);
    d.means.push(mean(values));
    days.set(day, d);
  }
  return { hours, days };
}

type Rollup = {
  value: number;
  summary: Record<'min' | 'q02' | 'q25' | 'median' | 'q75' | 'q98' | 'max' | 'avg', number>;
  period: { datetimeFrom: { utc: string; local: string }; datetimeTo: { utc: string } };
  coverage: { observedCount: number; percentComplete: number; datetimeFrom: { utc: string } };
};

describe('/hours and /days equal an aggregation of /measurements done here', () => {
  const cases = [
    {
      sensor: 10071,
      zone: 'Asia/Kolkata',
      from: '2024-07-18',
      to: '2024-07-24',
      what: '15-minute data at +05:30',
    },
    {
      sensor: 10011,
      zone: 'America/New_York',
      from: '2024-10-30',
      to: '2024-11-06',
      what: 'hourly data across fall-back',
    },
    {
      sensor: 10041,
      zone: 'Australia/Adelaide',
      from: '2024-10-01',
      to: '2024-10-09',
      what: 'hourly :30 data across DST',
    },
  ];
  for (const c of cases) {
    it(`${c.sensor}: ${c.what}`, async () => {
      const next = DateTime.fromISO(c.to).plus({ days: 1 }).toISODate()!;
      const rows = await allPages<Measurement>(
        `/sensors/${c.sensor}/measurements?datetime_from=${c.from}&datetime_to=${next}`,
      );
      const own = ownRollups(rows, c.zone);
      const days = await allPages<Rollup>(`/sensors/${c.sensor}/days?date_from=${c.from}&date_to=${c.to}`);
      expect(days.map((d) => d.period.datetimeFrom.local.slice(0, 10))).toEqual([...own.days.keys()]);
      for (const d of days) {
        const date = d.period.datetimeFrom.local.slice(0, 10);
        const expected = own.days.get(date)!;
        const avg = mean(expected.means);
        expect(d.summary.avg).toBeCloseTo(avg, 9);
        expect(d.summary.min).toBeCloseTo(Math.min(...expected.means), 9);
        expect(d.summary.max).toBeCloseTo(Math.max(...expected.means), 9);
        for (const [k, f] of [
          ['q02', 0.02],
          ['q25', 0.25],
          ['median', 0.5],
          ['q75', 0.75],
          ['q98', 0.98],
        ] as const)
          expect(d.summary[k]).toBeCloseTo(quantile(expected.means, f), 9);
        expect(d.value).toBe(pgSig3(d.summary.avg));
        expect(Math.abs(d.value - avg)).toBeLessThanOrEqual(Math.abs(avg) * 0.005);
        expect(d.coverage.observedCount).toBe(expected.means.length);
        expect(d.coverage.percentComplete).toBe(Math.round((100 * expected.means.length) / 24));
        expect(d.coverage.datetimeFrom.utc.replace('Z', '.000Z')).toBe(
          DateTime.fromISO(expected.hourEnds[0]!).toUTC().toISO(),
        );
        const midnight = DateTime.fromISO(date, { zone: c.zone });
        expect(Date.parse(d.period.datetimeFrom.utc)).toBe(midnight.toMillis());
        expect(Date.parse(d.period.datetimeTo.utc)).toBe(midnight.plus({ days: 1 }).toMillis());
      }
      const hours = await allPages<Rollup>(
        `/sensors/${c.sensor}/hours?datetime_from=${c.from}&datetime_to=${next}`,
      );
      expect(hours.map((h) => Date.parse(h.period.datetimeTo.utc))).toEqual(
        [...own.hours.keys()].map((k) => Date.parse(k)),
      );
      for (const h of hours) {
        const values = own.hours.get(DateTime.fromISO(h.period.datetimeTo.utc).toUTC().toISO()!)!;
        expect(h.summary.avg).toBeCloseTo(mean(values), 9);
        expect(h.value).toBe(pgSig3(h.summary.avg));
        expect(h.coverage.observedCount).toBe(values.length);
      }
    });
  }

  it('includes negatives and −999 in the means, as OpenAQ does', async () => {
    // find a day with a sentinel from the dataset itself, then check the API's mean moved with it
    const sensor = sim.dataset.sensors.find((s) => s.id === 10011)!;
    const hit = measurementsFor(sensor, new Date('2024-01-01T00:00:00Z'), NOW).find((m) => m.value === -999)!;
    const day = DateTime.fromMillis(hit.periodEndMs - 1000, { zone: 'America/New_York' }).toISODate()!;
    const next = DateTime.fromISO(day).plus({ days: 1 }).toISODate()!;
    const { body } = await getJson<Rollup>(sim.url, `/sensors/10011/days?date_from=${day}&date_to=${next}`);
    expect(body.results[0]!.summary.min).toBeLessThanOrEqual(-999);
    expect(body.results[0]!.summary.avg).toBeLessThan(0);
  });
});

describe('paging', () => {
  it('pages /measurements by 1000 with found ">1000" on full pages and a short last page', async () => {
    const path = '/sensors/10071/measurements?datetime_from=2024-07-01&datetime_to=2024-07-31';
    const pages: Envelope[] = [];
    for (let page = 1; page <= 4; page++)
      pages.push((await getJson(sim.url, `${path}&limit=1000&page=${page}`)).body);
    const sensor = sim.dataset.sensors.find((s) => s.id === 10071)!;
    const expected = measurementsFor(
      sensor,
      DateTime.fromISO('2024-07-01', { zone: 'Asia/Kolkata' }).toJSDate(),
      DateTime.fromISO('2024-07-31', { zone: 'Asia/Kolkata' }).toJSDate(),
    ).length;
    expect(expected).toBeGreaterThan(2000);
    expect(expected).toBeLessThan(3000);
    expect(pages.map((p) => p.meta.found)).toEqual(['>1000', '>1000', expected - 2000, 0]);
    expect(pages.map((p) => p.meta.page)).toEqual([1, 2, 3, 4]);
    const all = pages.flatMap((p) => p.results as Measurement[]).map((r) => r.period.datetimeTo.utc);
    expect(all).toHaveLength(expected);
    expect(new Set(all).size).toBe(expected);
  });

  it('reports exact counts where OpenAQ counts (parameters) and page lengths elsewhere (locations)', async () => {
    const params = await Promise.all([1, 2, 3].map((p) => getJson(sim.url, `/parameters?limit=5&page=${p}`)));
    expect(params.map((p) => p.body.meta.found)).toEqual([11, 11, 11]);
    expect(params.map((p) => p.body.results.length)).toEqual([5, 5, 1]);
    const locations = await getJson(sim.url, '/locations?limit=1000');
    expect(locations.body.meta).toEqual({ name: 'openaq-api', website: '/', page: 1, limit: 1000, found: 8 });
    const full = await getJson(sim.url, '/locations?limit=4&page=2');
    expect(full.body.meta.found).toBe('>4');
    expect(full.body.results.map((l) => l.id)).toEqual([1005, 1006, 1007, 1008]);
  });
});

describe('location filters', () => {
  const ids = async (query: string) =>
    (await getJson<{ id: number; distance: number | null }>(sim.url, `/locations?${query}`)).body.results.map(
      (l) => l.id,
    );

  it('filters by bbox in lon,lat order', async () => {
    expect(await ids('bbox=-74.1,40.6,-73.7,40.8')).toEqual([1001, 1008]);
    expect(await ids('bbox=40.6,-74.1,40.8,-73.7')).toEqual([]);
  });

  it('filters by coordinates (lat,lon) and radius with a haversine distance', async () => {
    expect(await ids('coordinates=40.6965,-73.9173&radius=5000')).toEqual([1001]);
    const { body } = await getJson<{ id: number; distance: number }>(
      sim.url,
      '/locations?coordinates=40.6965,-73.9173&radius=12000',
    );
    expect(body.results.map((l) => l.id)).toEqual([1001, 1008]);
    // Brooklyn → Queens College, 9.3 km
    expect(body.results[1]!.distance).toBeGreaterThan(9000);
    expect(body.results[1]!.distance).toBeLessThan(9700);
    expect(body.results[0]!.distance).toBeLessThan(1);
    expect(
      (await getJson<{ distance: null }>(sim.url, '/locations?limit=1')).body.results[0]!.distance,
    ).toBeNull();
  });

  it('filters by iso, countries_id and parameters_id, and sorts', async () => {
    expect(await ids('iso=IN')).toEqual([1003, 1007]);
    expect(await ids('countries_id=155')).toEqual([1001, 1002, 1008]);
    expect(await ids('countries_id=26,111')).toEqual([1004, 1006]);
    expect(await ids('parameters_id=100')).toEqual([1001, 1004, 1007]);
    expect(await ids('parameters_id=1&iso=GB')).toEqual([1005]);
    expect(await ids('monitor=false')).toEqual([1007]);
    expect(await ids('sort_order=desc&limit=2')).toEqual([1008, 1007]);
  });
});

describe('errors', () => {
  it('answers 404 for unknown ids and routes, and empty results for an unknown sensor', async () => {
    expect(await getJson(sim.url, '/locations/999999')).toMatchObject({
      status: 404,
      body: { detail: 'Location not found' },
    });
    expect(await getJson(sim.url, '/sensors/999999')).toMatchObject({
      status: 404,
      body: { detail: 'Sensor not found' },
    });
    expect(await getJson(sim.url, '/nothing-here')).toMatchObject({
      status: 404,
      body: { detail: 'Not Found' },
    });
    const empty = await getJson(sim.url, '/sensors/999999/measurements');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      meta: { name: 'openaq-api', website: '/', page: 1, limit: 100, found: 0 },
      results: [],
    });
  });

  it('answers 410 with the WAF body for /v1 and /v2', async () => {
    const base = sim.url.replace(/\/v3$/, '');
    for (const path of ['/v2/locations', '/v1/measurements']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(410);
      expect(((await res.json()) as { message: string }).message).toMatch(/^Gone\. Version 1 and Version 2/);
    }
  });

  it('answers 422 {"detail": [...]} for violated constraints', async () => {
    for (const [query, loc] of [
      ['limit=1001', ['query', 'limit']],
      ['page=0', ['query', 'page']],
      ['coordinates=40.7,-73.9&radius=30000', ['query', 'radius']],
      ['bbox=-74,40,-73,41&coordinates=40.7,-73.9&radius=1000', ['query']],
      ['coordinates=40.7,-73.9', ['query']],
    ] as const) {
      const { status, body } = await getJson(sim.url, `/locations?${query}`);
      expect(status).toBe(422);
      const detail = (body as unknown as { detail: { loc: string[]; msg: string; type: string }[] }).detail;
      expect(detail.map((d) => d.loc)).toContainEqual(loc);
      expect(detail.every((d) => typeof d.msg === 'string' && typeof d.type === 'string')).toBe(true);
    }
  });

  it('answers 422 with a JSON string body for a reversed range and a malformed number', async () => {
    for (const path of [
      '/sensors/10011/measurements?datetime_from=2024-07-21&datetime_to=2024-07-20',
      '/sensors/10011/hours?datetime_from=2024-07-21T00:00:00Z&datetime_to=2024-07-21T00:00:00Z',
      '/sensors/10011/days?date_from=2024-07-21&date_to=2024-07-20',
      '/locations?limit=ten',
    ]) {
      const res = await fetch(`${sim.url}${path}`);
      expect(res.status).toBe(422);
      expect(typeof (await res.json())).toBe('string');
    }
  });

  it('answers 401 without a key (WAF body) and with a wrong key (app body) when a key is required', async () => {
    const locked = await startSimulator({ now: () => NOW, requireApiKey: 'secret-key' });
    try {
      const none = await getJson(locked.url, '/locations');
      expect(none).toMatchObject({
        status: 401,
        body: { message: 'Unauthorized. A valid API key must be provided in the X-API-Key header.' },
      });
      const wrong = await getJson(locked.url, '/locations', { headers: { 'X-API-Key': 'nope' } });
      expect(wrong).toMatchObject({ status: 401, body: { detail: 'Invalid credentials' } });
      const right = await getJson(locked.url, '/locations', { headers: { 'X-API-Key': 'secret-key' } });
      expect(right.status).toBe(200);
      expect(locked.stats().statusCounts).toEqual({ '200': 1, '401': 2 });
    } finally {
      await locked.close();
    }
  });

  it('limits per key and calendar minute with x-ratelimit-* headers, then lets requests through in the next minute', async () => {
    let now = new Date('2025-01-15T12:00:45Z');
    const limited = await startSimulator({ now: () => now, rateLimitPerMinute: 3 });
    try {
      const key = { headers: { 'X-API-Key': 'k1' } };
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await fetch(`${limited.url}/parameters`, key));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(await answers[3]!.json()).toEqual({ detail: 'Too many requests' });
      const h = (r: Response) =>
        ['limit', 'used', 'remaining', 'reset'].map((k) => r.headers.get(`x-ratelimit-${k}`));
      expect(h(answers[0]!)).toEqual(['3', '1', '2', '15']);
      expect(h(answers[3]!)).toEqual(['3', '3', '0', '15']);
      // another key has its own budget
      expect((await fetch(`${limited.url}/parameters`, { headers: { 'X-API-Key': 'k2' } })).status).toBe(200);
      now = new Date('2025-01-15T12:01:00Z');
      const next = await fetch(`${limited.url}/parameters`, key);
      expect(next.status).toBe(200);
      expect(h(next)).toEqual(['3', '1', '2', '60']);
    } finally {
      await limited.close();
    }
  });
});

describe('faults', () => {
  it('answers 500 {"detail": "..."} when errorRate is 1', async () => {
    const broken = await startSimulator({ now: () => NOW, faults: { errorRate: 1 } });
    try {
      const { status, body } = await getJson(broken.url, '/locations');
      expect(status).toBe(500);
      expect(typeof (body as unknown as { detail: unknown }).detail).toBe('string');
    } finally {
      await broken.close();
    }
  });

  it('cuts bodies short of their declared content-length when truncateRate is 1', async () => {
    const cut = await startSimulator({ now: () => NOW, faults: { truncateRate: 1, latencyMs: 5 } });
    try {
      const { declared, received } = await new Promise<{ declared: number; received: number }>(
        (resolve, reject) => {
          httpGet(`${cut.url}/locations`, (res) => {
            let received = 0;
            res.on('data', (chunk: Buffer) => {
              received += chunk.length;
            });
            const done = () => resolve({ declared: Number(res.headers['content-length']), received });
            res.on('error', done);
            res.on('aborted', done);
            res.on('close', done);
          }).on('error', reject);
        },
      );
      expect(declared).toBeGreaterThan(1000);
      expect(received).toBeLessThan(declared);
      await expect(fetch(`${cut.url}/locations`).then((r) => r.text())).rejects.toThrow();
    } finally {
      await cut.close();
    }
  });
});

describe('late and revised data', () => {
  it('shows more, and revised, recent values once the delay has passed', async () => {
    let now = new Date('2025-01-15T12:00:00Z');
    const late = await startSimulator({ now: () => now, lateData: { delayMs: 30 * 60_000, share: 0.3 } });
    try {
      const path =
        '/sensors/10011/measurements?datetime_from=2025-01-14T00:00:00Z&datetime_to=2025-01-15T12:00:00Z';
      const before = (await getJson<Measurement>(late.url, path)).body.results;
      now = new Date('2025-01-15T12:30:00Z');
      const after = (await getJson<Measurement>(late.url, path)).body.results;
      expect(after.length).toBeGreaterThan(before.length);
      const afterByEnd = new Map(after.map((r) => [r.period.datetimeTo.utc, r.value]));
      expect(before.every((r) => afterByEnd.has(r.period.datetimeTo.utc))).toBe(true);
      expect(before.some((r) => afterByEnd.get(r.period.datetimeTo.utc) !== r.value)).toBe(true);
    } finally {
      await late.close();
    }
  });
});

describe('stats', () => {
  it('counts requests by route template and status', async () => {
    const fresh = await startSimulator({ now: () => NOW });
    try {
      await fetch(`${fresh.url}/sensors/10011/measurements?limit=1`);
      await fetch(`${fresh.url}/sensors/10012/measurements?limit=1`);
      await fetch(`${fresh.url}/locations/424242`);
      expect(fresh.stats()).toEqual({
        requests: 3,
        byRoute: { '/v3/sensors/{id}/measurements': 2, '/v3/locations/{id}': 1 },
        statusCounts: { '200': 2, '404': 1 },
      });
    } finally {
      await fresh.close();
    }
  });
});
