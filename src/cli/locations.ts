// aqlake locations search: finds OpenAQ location ids by country, point and radius, box, parameter and activity;
// --add puts chosen ids into the config scope.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addScopeLocations } from '../config/edit-scope.js';
import { DEFAULT_CONFIG_FILE } from '../config/index.js';
import { UsageError } from '../errors.js';
import { createLogger, environmentSecrets } from '../logging.js';
import {
  type FoundLocation,
  type LocationQuery,
  parameterIdsNamed,
  searchLocations,
} from '../openaq/location-search.js';
import { createOpenaqClient } from '../pipeline/openaq-client.js';
import { configFor, parseLocationIds, parsePositiveInt } from './options.js';

interface SearchFlags {
  country?: string;
  near?: string;
  radius?: string;
  bbox?: string;
  parameter?: string;
  activeSince?: string;
  limit?: string;
  json?: boolean;
  add?: string | boolean;
}

const NUMBER = /^[+-]?\d+(\.\d+)?$/;

function numbers(flag: string, value: string, count: number, example: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== count || parts.some((p) => !NUMBER.test(p)))
    throw new UsageError(`${flag}: expected ${example}, got "${value}"`);
  return parts.map(Number);
}

function parseNear(near: string, radius: string | undefined): NonNullable<LocationQuery['near']> {
  const [latitude, longitude] = numbers('--near', near, 2, 'LAT,LON like 40.69,-73.92') as [number, number];
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180)
    throw new UsageError(`--near: latitude must be within ±90 and longitude within ±180, got "${near}"`);
  const km = radius === undefined ? 10 : Number(radius);
  if (radius !== undefined && !NUMBER.test(radius))
    throw new UsageError(`--radius: expected kilometres, got "${radius}"`);
  if (!(km > 0 && km <= 25))
    throw new UsageError(`--radius: OpenAQ searches up to 25 km around a point, got ${radius}`);
  return { latitude, longitude, radiusMeters: km * 1000 };
}

function parseBbox(value: string): [number, number, number, number] {
  const box = numbers('--bbox', value, 4, 'minLon,minLat,maxLon,maxLat like -74.3,40.5,-73.7,40.9') as [
    number,
    number,
    number,
    number,
  ];
  const [minLon, minLat, maxLon, maxLat] = box;
  if (![minLon, maxLon].every((x) => Math.abs(x) <= 180) || ![minLat, maxLat].every((y) => Math.abs(y) <= 90))
    throw new UsageError(`--bbox: longitudes must be within ±180 and latitudes within ±90, got "${value}"`);
  if (!(minLon < maxLon && minLat < maxLat))
    throw new UsageError(`--bbox: expected minLon < maxLon and minLat < maxLat, got "${value}"`);
  return box;
}

function describeParameters(l: FoundLocation): string {
  return l.parameters.map((p) => `${p.name} ${p.units}`).join(', ');
}

function table(rows: FoundLocation[], withDistance: boolean): string {
  const header = [
    'id',
    'name',
    'provider',
    'parameters',
    'first',
    'last (UTC)',
    ...(withDistance ? ['km'] : []),
  ];
  const lines = rows.map((l) => [
    String(l.id),
    l.name,
    l.provider ?? '',
    describeParameters(l),
    l.firstMeasurement?.slice(0, 10) ?? '',
    l.lastMeasurement?.slice(0, 16).replace('T', ' ') ?? '',
    ...(withDistance ? [l.distanceKm === null ? '' : l.distanceKm.toFixed(1)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((r) => (r[i] ?? '').length)));
  return [header, ...lines]
    .map((r) =>
      r
        .map((cell, i) =>
          i === 0 || (i === r.length - 1 && withDistance)
            ? cell.padStart(widths[i]!)
            : cell.padEnd(widths[i]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function registerLocations(locations: Command): void {
  locations
    .command('search')
    .description(
      'search OpenAQ locations (v3 /locations) by country, point and radius, box, parameter, activity',
    )
    .option('--country <code>', 'ISO 3166-1 alpha-2 country code, e.g. US')
    .option('--near <lat,lon>', 'around a point (latitude,longitude), nearest first')
    .option('--radius <km>', 'with --near: radius in kilometres, at most 25 (default 10)')
    .option('--bbox <minLon,minLat,maxLon,maxLat>', 'inside a bounding box')
    .option(
      '--parameter <name|id>',
      'measuring a parameter: a name (pm25, o3, …: every unit) or a parameter id',
    )
    .option('--active-since <date>', 'with a measurement on or after this day (YYYY-MM-DD, UTC)')
    .option('--limit <n>', 'at most this many locations (default 100)')
    .option('--json', 'print the locations as JSON')
    .option(
      '--add [ids]',
      'add the found locations (or only these comma-separated ids among them) to the config scope',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  aqlake locations search --near 40.69,-73.92 --radius 10 --parameter pm25\n' +
        '  aqlake locations search --country GB --active-since 2025-01-01 --json\n' +
        '  aqlake locations search --near 40.69,-73.92 --radius 5 --add      (writes scope.locations, keeping comments)\n' +
        'Uses OPENAQ_API_URL / OPENAQ_API_KEY and the configured rate limits.',
    )
    .action(async (flags: SearchFlags, command: Command) => {
      const query = queryOf(flags);
      const config = configFor(command);
      const logger = createLogger({ secrets: [...environmentSecrets(), config.api.key] });
      const client = createOpenaqClient(config, logger);
      if (flags.parameter !== undefined) {
        const ids = /^\d+$/.test(flags.parameter)
          ? [Number(flags.parameter)]
          : await parameterIdsNamed(client, flags.parameter);
        if (ids.length === 0)
          throw new UsageError(`--parameter: OpenAQ knows no parameter named "${flags.parameter}"`);
        query.parameterIds = ids;
      }
      const found = await searchLocations(client, query);
      if (flags.json) process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
      else if (found.length === 0) process.stdout.write('no locations found\n');
      else process.stdout.write(`${table(found, query.near !== undefined)}\n`);
      if (flags.add !== undefined && flags.add !== false) addToScope(command, found, flags.add);
    });
}

function queryOf(flags: SearchFlags): LocationQuery {
  if (flags.radius !== undefined && flags.near === undefined)
    throw new UsageError('--radius needs --near LAT,LON');
  if (flags.near !== undefined && flags.bbox !== undefined)
    throw new UsageError('use either --near or --bbox, not both (OpenAQ takes one area)');
  let country: string | undefined;
  if (flags.country !== undefined) {
    if (!/^[A-Za-z]{2}$/.test(flags.country))
      throw new UsageError(`--country: expected a two-letter ISO code like US, got "${flags.country}"`);
    country = flags.country.toUpperCase();
  }
  if (flags.activeSince !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(flags.activeSince))
    throw new UsageError(`--active-since: expected a date YYYY-MM-DD, got "${flags.activeSince}"`);
  return {
    country,
    near: flags.near !== undefined ? parseNear(flags.near, flags.radius) : undefined,
    bbox: flags.bbox !== undefined ? parseBbox(flags.bbox) : undefined,
    activeSince: flags.activeSince,
    limit: flags.limit !== undefined ? parsePositiveInt('--limit', flags.limit) : 100,
  };
}

function addToScope(command: Command, found: FoundLocation[], chosen: string | true): void {
  const foundIds = found.map((l) => l.id);
  const ids = chosen === true ? foundIds : (parseLocationIds(chosen) ?? []);
  const missing = ids.filter((id) => !foundIds.includes(id));
  if (missing.length > 0)
    throw new UsageError(`--add: ${missing.join(', ')} not among the locations found; nothing was added`);
  if (ids.length === 0) {
    process.stderr.write('nothing to add\n');
    return;
  }
  const { config } = command.optsWithGlobals<{ config?: string }>();
  const file = resolve(config ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file))
    throw new UsageError(`--add: ${file} does not exist; create it with \`aqlake init\``);
  const edit = addScopeLocations(file, ids);
  process.stderr.write(
    edit.added.length === 0
      ? `scope.locations in ${file} already has ${ids.join(', ')}\n`
      : `added ${edit.added.join(', ')} to scope.locations in ${file} (${edit.locations.length} locations)\n`,
  );
  if (edit.overridden.length > 0)
    process.stderr.write(
      `note: with scope.locations set, the scope's ${edit.overridden.join(', ')} no longer discover locations\n`,
    );
}
