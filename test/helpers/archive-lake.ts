// A throwaway lake (temp folder, SQLite meta, local store) and the context the archive tasks take, for archive tests.
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/index.js';
import { type MetaDb, openMetaDb } from '../../src/lake/meta/meta-db.js';
import { LocalObjectStore } from '../../src/lake/store/index.js';
import { createLogger } from '../../src/logging.js';
import { ArchiveClient } from '../../src/openaq/archive.js';
import { type Location, locationSchema } from '../../src/openaq/index.js';
import type { ArchiveExtractContext } from '../../src/pipeline/extract-archive.js';
import { tempDir } from './temp-dir.js';

const LOCATIONS = new URL('../fixtures/openaq/api-v3/openaq-r-vcr/list_locations.json', import.meta.url);

/** OpenAQ's mock-database locations (openaq-r fixtures): New York, Kolkata (+05:30), Los Angeles, London, Tahiti. */
export function fixtureLocations(): Location[] {
  const body = (JSON.parse(readFileSync(LOCATIONS, 'utf8')) as { body: { results: unknown[] } }).body;
  return body.results.map((r) => locationSchema.parse(r));
}

export interface ArchiveLake {
  home: string;
  meta: MetaDb;
  store: LocalObjectStore;
  ctx: ArchiveExtractContext & { archive: ArchiveClient };
  close(): void;
}

export function openArchiveLake(archiveUrl: string, options: { lagDays?: number } = {}): ArchiveLake {
  const home = tempDir('aqlake-archive-');
  const config = parseConfig({
    home,
    scope: { locations: [3] },
    archive: { url: archiveUrl, lagDays: options.lagDays ?? 4 },
  });
  const meta = openMetaDb(home);
  const store = new LocalObjectStore(home);
  const logger = createLogger({ level: 'warn' });
  const archive = new ArchiveClient({
    baseUrl: archiveUrl,
    timeoutMs: 5000,
    maxRetries: 2,
    logger,
    sleep: async () => {},
  });
  return {
    home,
    meta,
    store,
    ctx: {
      config: { ...config, home },
      store,
      meta,
      logger,
      now: () => new Date(),
      signal: new AbortController().signal,
      runId: null,
      archive,
    },
    close: () => meta.close(),
  };
}
