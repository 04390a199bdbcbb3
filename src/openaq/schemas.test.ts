import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { hasNextPage } from './paging.js';
import {
  countrySchema,
  latestSchema,
  locationSchema,
  measurementSchema,
  parameterSchema,
  parseEnvelope,
  sensorSchema,
} from './schemas.js';

const FIXTURES = new URL('../../test/fixtures/openaq/', import.meta.url);

/** The exact response body of a fixture: the file itself, or the `body` of a recorded request. */
function fixtureBody(path: string): Uint8Array {
  const bytes = readFileSync(new URL(path, FIXTURES));
  if (path.includes('openaq-python/')) return bytes;
  return new TextEncoder().encode(JSON.stringify(JSON.parse(bytes.toString('utf8')).body));
}

function parsed<T>(path: string, schema: z.ZodType<T>) {
  const result = parseEnvelope(fixtureBody(path), schema);
  if (!result.ok) throw new Error(`${path}: ${result.error}`);
  return result;
}

describe('schemas parse the real captured API responses', () => {
  const cases: [string, z.ZodType][] = [
    ['api-v3/openaq-python/responses/locations.json', locationSchema],
    ['api-v3/openaq-python/responses/locations_variation.json', locationSchema],
    ['api-v3/openaq-python/responses/sensors.json', sensorSchema],
    ['api-v3/openaq-python/responses/measurements.json', measurementSchema],
    ['api-v3/openaq-python/responses/parameters.json', parameterSchema],
    ['api-v3/openaq-python/responses/countries.json', countrySchema],
    ['api-v3/openaq-r-vcr/get_country_9.json', countrySchema],
    ['api-v3/openaq-r-vcr/list_countries.json', countrySchema],
    ['api-v3/openaq-r-vcr/get_location_1.json', locationSchema],
    ['api-v3/openaq-r-vcr/list_locations.json', locationSchema],
    ['api-v3/openaq-r-vcr/get_parameter_2.json', parameterSchema],
    ['api-v3/openaq-r-vcr/list_parameters.json', parameterSchema],
    ['api-v3/openaq-r-vcr/get_sensor_5.json', sensorSchema],
    ['api-v3/openaq-r-vcr/list_location_sensors_3.json', sensorSchema],
    ['api-v3/openaq-r-vcr/list_location_latest_1.json', latestSchema],
    ['api-v3/openaq-r-vcr/list_location_latest_1_min.json', latestSchema],
    ['api-v3/openaq-r-vcr/list_parameter_latest_2.json', latestSchema],
    ['api-v3/openaq-r-vcr/list_sensor_measurements_3.json', measurementSchema],
    ['api-v3/openaq-r-vcr/list_sensor_measurements_limit_5.json', measurementSchema],
    ['crosscheck-sensor-10017217/api_measurements_limit5.json', measurementSchema],
    ['crosscheck-sensor-10017217/api_days_limit7.json', measurementSchema],
    ['crosscheck-sensor-10017217/api_days_yearly_limit3.json', measurementSchema],
  ];
  it.each(cases)('%s', (path, schema) => {
    const result = parsed(path, schema);
    expect(result.meta.page).toBe(1);
  });
});

describe('what the pipeline reads from them', () => {
  it('locations: time zone and the embedded sensors with parameter name and units', () => {
    const { results } = parsed('api-v3/openaq-python/responses/locations.json', locationSchema);
    const delNorte = results[0]!;
    expect(delNorte.id).toBe(2178);
    expect(delNorte.timezone).toBe('America/Denver');
    expect(delNorte.sensors).toHaveLength(8);
    expect(delNorte.sensors.find((s) => s.id === 3917)?.parameter).toMatchObject({
      id: 10,
      name: 'o3',
      units: 'ppm',
    });
    expect(
      parsed('api-v3/openaq-python/responses/locations_variation.json', locationSchema).results[0]!.locality,
    ).toBeNull();
  });

  it('sensors: lifetime summary with a real negative minimum', () => {
    const { results } = parsed('api-v3/openaq-python/responses/sensors.json', sensorSchema);
    expect(results.find((s) => s.id === 3920)?.summary?.min).toBe(-4.9);
  });

  it('raw measurements: value, period end in UTC, and found as a number or ">5"', () => {
    const day = parsed('api-v3/openaq-r-vcr/list_sensor_measurements_3.json', measurementSchema);
    expect(day.meta.found).toBe(48);
    expect(day.results).toHaveLength(48);
    expect(day.results[0]).toMatchObject({
      value: 7,
      flagInfo: { hasFlags: false },
      period: { label: 'raw', interval: '00:30:00', datetimeTo: { utc: '2023-03-07T05:30:00Z' } },
    });
    expect(day.results.at(-1)!.value).toBe(7.23);
    expect(hasNextPage(day.results.length, day.meta.limit)).toBe(false);

    const page = parsed('api-v3/openaq-r-vcr/list_sensor_measurements_limit_5.json', measurementSchema);
    expect(page.meta.found).toBe('>5');
    expect(hasNextPage(page.results.length, page.meta.limit)).toBe(true);
  });

  it('hourly aggregates written with +00:00 instead of Z', () => {
    const { results } = parsed('api-v3/openaq-python/responses/measurements.json', measurementSchema);
    expect(results[0]!.period.datetimeTo.utc).toBe('2023-10-16T13:00:00+00:00');
  });

  it('days: rounded value, full-precision summary.avg and observed hours', () => {
    const { results } = parsed('crosscheck-sensor-10017217/api_days_limit7.json', measurementSchema);
    expect(results).toHaveLength(7);
    expect(results[0]).toMatchObject({
      value: 9.96,
      summary: { avg: 9.956071395533424 },
      coverage: { observedCount: 14 },
      period: { label: '1day', datetimeTo: { utc: '2024-07-21T04:00:00Z' } },
    });
  });

  it('latest: sensor and location ids', () => {
    const { results } = parsed('api-v3/openaq-r-vcr/list_parameter_latest_2.json', latestSchema);
    expect(results[0]).toMatchObject({ sensorsId: 1, locationsId: 1, value: 8.15 });
  });
});

describe('parseEnvelope failures name the JSON path and the problem', () => {
  const page = () =>
    JSON.parse(new TextDecoder().decode(fixtureBody('api-v3/openaq-r-vcr/list_sensor_measurements_3.json')));

  it('a missing period end', () => {
    const body = page();
    delete body.results[3].period.datetimeTo.utc;
    const result = parseEnvelope(JSON.stringify(body), measurementSchema);
    expect(result).toEqual({
      ok: false,
      error: 'results[3].period.datetimeTo.utc: Invalid input: expected string, received undefined',
    });
  });

  it('a value that is not a number, a bad instant, an unknown time zone', () => {
    const body = page();
    body.results[0].value = '7.0';
    body.results[1].period.datetimeTo.utc = '2023-03-07 05:30';
    const result = parseEnvelope(JSON.stringify(body), measurementSchema);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(
      /^results\[0\]\.value: .*expected number.* \(and 1 more issue\)$/,
    );

    const locations = JSON.parse(
      new TextDecoder().decode(fixtureBody('api-v3/openaq-r-vcr/list_locations.json')),
    );
    locations.results[2].timezone = 'Mars/Olympus_Mons';
    const bad = parseEnvelope(JSON.stringify(locations), locationSchema);
    expect(bad).toEqual({ ok: false, error: 'results[2].timezone: expected an IANA time zone' });
  });

  it('not JSON, not UTF-8, or not an envelope', () => {
    expect(parseEnvelope('{"meta":', measurementSchema)).toMatchObject({
      ok: false,
      error: /^not valid JSON/,
    });
    expect(parseEnvelope(new Uint8Array([0x7b, 0xff, 0x7d]), measurementSchema)).toMatchObject({ ok: false });
    expect(parseEnvelope('{"detail":"Too many requests"}', measurementSchema)).toMatchObject({
      ok: false,
      error: /^meta: /,
    });
  });

  it('tolerates harmless new fields upstream', () => {
    const body = page();
    body.meta.license = 'CC BY 4.0';
    body.results[0].newField = { anything: true };
    body.results[0].period.newField = 1;
    const result = parseEnvelope(JSON.stringify(body), measurementSchema);
    expect(result.ok && result.results).toHaveLength(48);
  });
});
