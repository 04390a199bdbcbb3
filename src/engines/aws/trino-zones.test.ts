import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../errors.js';
import { createDataset } from '../../simulator/dataset.js';
import {
  assertTrinoZones,
  isTrinoZone as isTrinoZoneIn,
  loadTrinoZoneIndex,
  parseZoneIndex,
  TRINO_ZONE_INDEX_PATH,
} from './trino-zones.js';

const INDEX = loadTrinoZoneIndex();
const isTrinoZone = (zone: string) => isTrinoZoneIn(zone, INDEX);

// IANA names newer than Trino's list (tzdata 2022b, 2022g, 2021b): Node, Python and DuckDB know them, Trino does not.
const NEWER_THAN_TRINO = ['Europe/Kyiv', 'America/Ciudad_Juarez', 'Pacific/Kanton'];

describe("Trino's zone list (sql/athena/trino-zone-index.properties)", () => {
  const zones = parseZoneIndex(readFileSync(TRINO_ZONE_INDEX_PATH, 'utf8'));

  it('holds every id of the copied file but the commented-out ones, and every fixed offset to ±14:00', () => {
    // 2230 keys, five of them commented out in Trino's own file (removed from tzdata or not in java.time).
    expect(zones.size).toBe(2225);
    for (const z of [
      'Africa/Abidjan',
      'Asia/Kolkata',
      'Europe/Kiev',
      'America/Nuuk',
      'W-SU',
      '-14:00',
      '+05:45',
    ])
      expect(zones.has(z), z).toBe(true);
    for (const z of ['Canada/East-Saskatchewan', 'US/Pacific-New', 'EST', 'HST', 'MST', '+00:00', 'UTC'])
      expect(zones.has(z), z).toBe(false);
  });

  it('the names newer than it are real zones elsewhere (Node knows them), so only Athena would fail on them', () => {
    for (const z of NEWER_THAN_TRINO) {
      expect(() => new Intl.DateTimeFormat('en', { timeZone: z }), z).not.toThrow();
      expect(isTrinoZone(z), z).toBe(false);
    }
  });
});

describe('isTrinoZone', () => {
  it("accepts the list's names and Trino's spellings of UTC and of fixed offsets", () => {
    for (const z of [
      'Europe/London',
      'Asia/Kolkata',
      'UTC',
      'Etc/UTC',
      'GMT',
      'Z',
      'Zulu',
      'Etc/GMT+0',
      '+05:30',
    ])
      expect(isTrinoZone(z), z).toBe(true);
    // Etc/GMT+5 is five hours WEST of Greenwich (tzdata's inverted sign): Trino maps it to -05:00.
    for (const z of ['Etc/GMT+5', 'Etc/GMT-14', 'GMT-7', 'UTC+05:30', 'UT+3'])
      expect(isTrinoZone(z), z).toBe(true);
  });

  it('refuses names Trino cannot resolve', () => {
    for (const z of ['Etc/GMT+15', 'GMT7', 'EST', 'Mars/Olympus', 'europe/london', '', ...NEWER_THAN_TRINO])
      expect(isTrinoZone(z), z).toBe(false);
  });

  it("knows every zone of the simulator's locations", () => {
    for (const l of createDataset({ seed: 1, now: new Date('2025-01-01T00:00:00Z') }).locations)
      expect(isTrinoZone(l.timezone), `${l.id} ${l.timezone}`).toBe(true);
  });
});

describe('assertTrinoZones', () => {
  it('passes when every zone is known; a location without a zone is left to the transform (quarantine)', () => {
    expect(() =>
      assertTrinoZones(
        [
          { locationId: 1, timezone: 'Europe/London' },
          { locationId: 2, timezone: null },
        ],
        INDEX,
      ),
    ).not.toThrow();
  });

  it('names every location and zone Trino lacks, says nothing was started and what to do; not retryable', () => {
    let err: unknown;
    try {
      assertTrinoZones(
        [
          { locationId: 9, timezone: 'America/Ciudad_Juarez' },
          { locationId: 3, timezone: 'Europe/Kyiv' },
          { locationId: 4, timezone: 'Europe/Kiev' },
        ],
        INDEX,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect((err as { retryable?: boolean }).retryable).toBe(false);
    const message = (err as Error).message;
    expect(message).toMatch(
      /^Athena \(Trino\) does not know the time zone of location 3 \("Europe\/Kyiv"\); location 9 \("America\/Ciudad_Juarez"\):/,
    );
    expect(message).not.toMatch(/location 4/);
    expect(message).toMatch(/Nothing was started on Glue or Athena/);
    expect(message).toMatch(/--locations.*scope\.locations.*AQLAKE_ENGINE=local/);
  });
});
