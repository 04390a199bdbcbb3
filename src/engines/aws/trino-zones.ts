// Time-zone names Athena (engine v3 is Trino) accepts. Trino resolves a zone through its own fixed list
// (sql/athena/trino-zone-index.properties, copied from trinodb/trino) and a few spellings of UTC and of fixed offsets;
// a name outside them fails `AT TIME ZONE` in the middle of a query. DuckDB, Python and Node know newer IANA names
// (Europe/Kyiv, America/Ciudad_Juarez, Pacific/Kanton), so a location can pass everywhere else and only fail there:
// the AWS engine checks every location's zone before it starts a Glue job or an Athena query.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EngineError } from '../../errors.js';
import { projectPath } from '../../paths.js';

export const TRINO_ZONE_INDEX_PATH = projectPath('sql', 'athena', 'trino-zone-index.properties');

/** The zone ids Trino's list holds: a value its owner (the AWS engine) loads once and passes, not a module cache. */
export type TrinoZoneIndex = ReadonlySet<string>;

export function loadTrinoZoneIndex(path: string = TRINO_ZONE_INDEX_PATH): TrinoZoneIndex {
  return parseZoneIndex(readFileSync(path, 'utf8'));
}

/** The zone ids of the file: `<key> <zone id>` lines; `#` lines are comments (removed ids are commented out). */
export function parseZoneIndex(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\s*\d+\s*[ =:]\s*(\S+)\s*$/.exec(line);
    if (m && !line.trimStart().startsWith('#')) out.add(m[1]!);
  }
  return out;
}

/** TimeZoneKey.UTC_EQUIVALENTS: names Trino maps to its UTC key. */
const UTC_EQUIVALENTS = new Set([
  'UTC',
  'GMT',
  'GMT0',
  'GMT+0',
  'GMT-0',
  'Etc/GMT',
  'Etc/GMT0',
  'Etc/GMT+0',
  'Etc/GMT-0',
  'UT',
  'UT+0',
  'UT-0',
  'Etc/UT',
  'Etc/UT+0',
  'Etc/UT-0',
  'UTC+0',
  'UTC-0',
  'Etc/UTC',
  'Etc/UTC+0',
  'Etc/UTC-0',
  '+0000',
  '+00:00',
  '-0000',
  '-00:00',
  'Z',
  'Zulu',
  'UCT',
  'Greenwich',
  'Universal',
  'Etc/Universal',
  'Etc/UCT',
]);

/**
 * TimeZoneKey.normalizeZoneId's offset spellings: `Etc/GMT+5` (sign inverted, as in tzdata), `GMT-7`, `UTC+05:30`
 * become `-05:00`, `-07:00`, `+05:30`, which are in the list when within ±14:00.
 */
function offsetForm(zone: string): string | null {
  const m = /^(Etc\/GMT|Etc\/UTC|Etc\/UT|GMT|UTC|UT)([+-])(\d{1,2})(?::(\d{1,2}))?$/.exec(zone);
  if (!m) return null;
  let hours = Number(m[3]) * (m[2] === '-' ? -1 : 1);
  const minutes = Number(m[4] ?? 0);
  if (hours === 0 && minutes === 0) return 'UTC';
  if (m[1] === 'Etc/GMT') hours = -hours;
  const two = (n: number) => String(Math.abs(n)).padStart(2, '0');
  // As Trino's formatZoneOffset: the sign is the hour's, so `UTC-00:30` is +00:30 there.
  return `${hours < 0 ? '-' : '+'}${two(hours)}:${two(minutes)}`;
}

/** True when Trino (Athena engine v3) resolves this zone name. */
export function isTrinoZone(zone: string, index: TrinoZoneIndex): boolean {
  if (UTC_EQUIVALENTS.has(zone) || index.has(zone)) return true;
  const offset = offsetForm(zone);
  return offset !== null && (offset === 'UTC' || index.has(offset));
}

/** A zone Trino does not know: retrying meets the same name, so the task fails at once. */
class TrinoZoneError extends EngineError {
  readonly retryable = false;
}

export interface LocationZone {
  locationId: number;
  timezone: string | null;
}

/**
 * Throws an EngineError naming every location whose zone Trino does not know (and what to do) — before a Glue job or
 * an Athena query would meet it. A location without a zone is not checked: its rows are quarantined by the transform.
 */
export function assertTrinoZones(locations: Iterable<LocationZone>, index: TrinoZoneIndex): void {
  const bad = new Map<number, string>();
  for (const l of locations)
    if (l.timezone !== null && !isTrinoZone(l.timezone, index)) bad.set(l.locationId, l.timezone);
  if (bad.size === 0) return;
  const list = [...bad]
    .sort(([a], [b]) => a - b)
    .map(([id, zone]) => `location ${id} ("${zone}")`)
    .join('; ');
  throw new TrinoZoneError(
    `Athena (Trino) does not know the time zone of ${list}: its AT TIME ZONE would fail in the middle of the checks and views. ` +
      'Nothing was started on Glue or Athena. Take the location out of this run (--locations, or scope.locations in ' +
      'aqlake.config.json), or run it with the local engine (AQLAKE_ENGINE=local); Trino knows the zone names in ' +
      'sql/athena/trino-zone-index.properties.',
    'Configuration',
  );
}

/**
 * Every (location, zone) of dev.locations' current files, read from the store by key (the dimension tables are
 * small, and built on this machine). DuckDB is imported here, not at module load: commands that never transform
 * do not load it.
 */
export async function readLocationZones(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
): Promise<LocationZone[]> {
  if (keys.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'aqlake-zones-'));
  try {
    const paths: string[] = [];
    for (const [i, key] of keys.entries()) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const path = join(dir, `${i}.parquet`);
      await writeFile(path, await got.Body!.transformToByteArray());
      paths.push(path);
    }
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { withSession } = await import('../duckdb/duckdb-instance.js');
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    try {
      const rows = await withSession(instance, (db) =>
        db.rows<{ location_id: number; timezone: string | null }>(
          `SELECT DISTINCT CAST(location_id AS BIGINT) AS location_id, timezone
           FROM read_parquet($paths, union_by_name = true)`,
          { paths },
        ),
      );
      return rows.map((r) => ({ locationId: Number(r.location_id), timezone: r.timezone }));
    } finally {
      instance.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
