// aqlake init: writes a commented starting configuration.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../config/index.js';
import { UsageError } from '../errors.js';
import { ENV_EXAMPLE, ENV_FILE, ensureEnvIgnored } from './env-file.js';

export const STARTER_CONFIG = `// aqlake configuration (JSON with comments). Every key is optional; shown values are the defaults
// unless marked "example". Environment overrides: OPENAQ_API_KEY, OPENAQ_API_URL, AQLAKE_HOME, AQLAKE_ENGINE.
{
  // Where the lake lives: raw/, dev/, _meta/aqlake.db. AQLAKE_HOME overrides.
  "home": "./lake",
  // "local" = filesystem + DuckDB; "aws" = S3 + Glue + Athena.
  "engine": "local",
  "scope": {
    // example: OpenAQ location ids to extract. Instead of ids you may discover locations with
    // "countries": ["US"], "bbox": [minLon, minLat, maxLon, maxLat],
    // "coordinates": {"latitude": 43.65, "longitude": -79.38, "radiusMeters": 10000},
    // and/or "parameters": [2] (parameter ids: pm25 µg/m³ = 2, pm10 = 1, o3 ppm = 10, no2 µg/m³ = 5).
    "locations": [2178],
    // Upper bound on discovered locations.
    "maxLocations": 100
  },
  // When the openaq_daily DAG runs (cron in the given IANA zone) and whether it catches up from startDate
  // (add "startDate": "YYYY-MM-DD"; default: yesterday).
  "schedule": { "cron": "30 3 * * *", "timezone": "UTC", "catchup": false, "maxActiveRuns": 1 },
  // Days before the logical date a scheduled run re-reads: OpenAQ data arrives late.
  "lookbackDays": 3,
  "api": {
    "url": "https://api.openaq.org/v3",
    // Client-side limits; OpenAQ's free tier allows 60 requests a minute and 2,000 an hour.
    "rateLimit": { "perMinute": 60, "perHour": 2000 },
    "timeoutMs": 30000,
    "maxRetries": 6
    // The API key is read from OPENAQ_API_KEY (or a .env in this folder); keep it out of this file.
  },
  // OpenAQ's public archive: days older than lagDays come from there (no API requests). OPENAQ_ARCHIVE_URL overrides.
  "archive": { "url": "https://openaq-data-archive.s3.amazonaws.com", "lagDays": 4 },
  // DuckDB settings for the local engine (add "tempDirectory" for spills; default: {home}/_tmp/duckdb).
  "duckdb": { "memoryLimit": "1GB", "threads": 2 },
  "checks": { "minCoveragePct": 50, "maxStalenessHours": 72 },
  "orchestrator": { "parallelism": 2, "retries": 2, "retryDelaySeconds": 30, "taskTimeoutSeconds": 3600 }
}
`;

export function registerInit(command: Command): void {
  command.option('--force', 'overwrite an existing file').action((opts: { force?: boolean }) => {
    const file = resolve(DEFAULT_CONFIG_FILE);
    if (existsSync(file) && !opts.force) throw new UsageError(`${file} exists; use --force to overwrite it`);
    writeFileSync(file, STARTER_CONFIG);
    process.stdout.write(`wrote ${file}\n`);
    const example = resolve(ENV_FILE + '.example');
    if (!existsSync(example) || opts.force) {
      writeFileSync(example, ENV_EXAMPLE);
      process.stdout.write(`wrote ${example} (copy it to ${ENV_FILE} for your API key)\n`);
    }
    const ignored = ensureEnvIgnored();
    if (ignored !== 'already')
      process.stdout.write(
        `${ignored === 'created' ? 'created' : 'added .env to'} ${resolve('.gitignore')}\n`,
      );
  });
}
