// Objects the extract validated are read typed in bulk; invalid ones leaf by leaf. Both roads give the same rows, and
// a "valid" object that does not fit the typed read after all still lands (its bad record quarantined), not fails.
import { afterEach, describe, expect, it } from 'vitest';
import { listTableFiles } from '../src/lake/catalog/index.js';
import { currentPaths, transformAndCommit } from './helpers/lake-steps.js';
import {
  measurementRecord,
  O3_PPM,
  PM25,
  writeRawLocations,
  writeRawMeasurements,
} from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

const lakes: TestLake[] = [];
afterEach(async () => {
  for (const lake of lakes.splice(0)) await removeTestLake(lake);
});

const DAY = '2024-03-10';

/** A lake with two located sensors and one sensor of an unknown location, their pages flagged `valid`. */
async function lakeWithPages(valid: boolean): Promise<TestLake> {
  const lake = openTestLake();
  lakes.push(lake);
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2024-03-01T00:00:00Z',
    locations: [
      {
        id: 1,
        timezone: 'Asia/Kolkata',
        latitude: 1.5,
        longitude: 2.5,
        sensors: [{ id: 11, parameter: PM25 }],
      },
      {
        id: 2,
        timezone: 'America/New_York',
        latitude: 3,
        longitude: 4,
        sensors: [{ id: 21, parameter: O3_PPM }],
      },
    ],
  });
  const hours = (first: string, n: number, step = 3600) =>
    Array.from({ length: n }, (_, i) => new Date(Date.parse(first) + i * step * 1000).toISOString());
  const pages = [
    {
      sensorId: 11,
      locationId: 1,
      records: hours('2024-03-09T18:30:00Z', 30).map((end, i) =>
        measurementRecord({
          value: i % 7 === 0 ? -999 : i + 0.25,
          periodEndUtc: end,
          hasFlags: i % 5 === 0,
          coordinates: i % 3 === 0 ? { latitude: 9.75, longitude: 8 } : null,
          utcSuffix: i % 2 === 0 ? 'Z' : '+00:00',
        }),
      ),
    },
    {
      sensorId: 21,
      locationId: 2,
      records: hours('2024-03-10T04:15:00Z', 40, 900).map((end, i) =>
        measurementRecord({ value: i, periodEndUtc: end, intervalSeconds: 900, parameter: O3_PPM }),
      ),
    },
    // an older fetch of part of sensor 11: the newer page wins
    {
      sensorId: 11,
      locationId: 1,
      fetchedAt: '2024-03-11T00:00:00Z',
      records: hours('2024-03-10T00:30:00Z', 5).map((end) =>
        measurementRecord({ value: 1000, periodEndUtc: end }),
      ),
    },
    // no snapshot of location 99: every record quarantined with the reason
    {
      sensorId: 31,
      locationId: 99,
      records: hours('2024-03-10T06:00:00Z', 3).map((end) =>
        measurementRecord({ value: 4, periodEndUtc: end }),
      ),
    },
  ];
  for (const p of pages)
    await writeRawMeasurements(lake.store, lake.meta, {
      sensorId: p.sensorId,
      locationId: p.locationId,
      window: { fromUtc: '2024-03-09T00:00:00Z', toUtc: '2024-03-12T00:00:00Z' },
      records: p.records,
      fetchedAt: p.fetchedAt ?? '2024-03-12T00:00:00Z',
      valid,
      validationError: valid ? null : 'flagged for the test',
    });
  return lake;
}

/** A lake with one location in UTC and its sensor 11. */
async function utcLake(): Promise<TestLake> {
  const lake = openTestLake();
  lakes.push(lake);
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2024-03-01T00:00:00Z',
    locations: [
      { id: 1, timezone: 'UTC', latitude: 1, longitude: 2, sensors: [{ id: 11, parameter: PM25 }] },
    ],
  });
  return lake;
}

async function quarantinePaths(lake: TestLake): Promise<string[]> {
  const files = listTableFiles(lake.meta, 'measurements', { kind: 'quarantine' });
  return Promise.all(files.filter((f) => f.localDate === DAY).map((f) => lake.store.localPath(f.key)));
}

/** The day's rows; raw keys differ between the lakes (they name the fetch), the rest must not. */
async function dayRows(lake: TestLake, kind: 'data' | 'quarantine') {
  if (kind === 'data')
    return (await readParquetRows(await currentPaths(lake, 'measurements', DAY))).map(
      ({ raw_key: _, ...row }) => row,
    );
  // value_raw is the number's text as read: typed, 4 reads back as 4.0
  return (await readParquetRows(await quarantinePaths(lake), 'sensor_id, period_end_utc')).map(
    ({ raw_key: _, value_raw: __, ...row }) => row,
  );
}

describe('typed bulk read of validated objects', () => {
  it('gives the same rows, flags, days, dedup and counts as the leaf-by-leaf read', async () => {
    const typed = await lakeWithPages(true);
    const leafByLeaf = await lakeWithPages(false);
    const [a] = await transformAndCommit(typed, DAY);
    const [b] = await transformAndCommit(leafByLeaf, DAY);
    expect(a).toMatchObject({ rawRows: b!.rawRows, rows: b!.rows, quarantinedRows: 3 });
    expect(a!.duplicatesDropped).toBe(b!.duplicatesDropped);
    expect(a!.duplicatesDropped).toBeGreaterThan(0);
    const rows = await dayRows(typed, 'data');
    expect(rows.length).toBe(a!.rows);
    expect(rows).toEqual(await dayRows(leafByLeaf, 'data'));
    const quarantined = await dayRows(typed, 'quarantine');
    expect(quarantined.map((r) => r.reason)).toEqual(
      Array(3).fill('unknown location: no snapshot of the location in dev.locations'),
    );
    expect(quarantined).toEqual(await dayRows(leafByLeaf, 'quarantine'));
    expect(new Set(rows.map((r) => r.quality))).toEqual(new Set(['ok', 'sentinel', 'out_of_range']));
    expect(rows.some((r) => r.latitude === 9.75)).toBe(true);
  });

  it('reads a validated page laid out on several lines as it reads one line of compact JSON', async () => {
    const lakesByLayout = [];
    for (const pretty of [false, true]) {
      const lake = await utcLake();
      const records = [1, 2, 3].map((h) =>
        measurementRecord({ value: h + 0.5, periodEndUtc: `2024-03-10T0${h}:00:00Z` }),
      );
      const envelope = { meta: { name: 'openaq-api', page: 1, limit: 1000, found: 3 }, results: records };
      await writeRawMeasurements(lake.store, lake.meta, {
        sensorId: 11,
        locationId: 1,
        window: { fromUtc: '2024-03-10T00:00:00Z', toUtc: '2024-03-11T00:00:00Z' },
        body: JSON.stringify(envelope, null, pretty ? 2 : undefined),
        fetchedAt: '2024-03-11T01:00:00Z',
      });
      const [day] = await transformAndCommit(lake, DAY);
      expect(day).toMatchObject({ rawRows: 3, rows: 3, quarantinedRows: 0 });
      lakesByLayout.push(lake);
    }
    const [compact, pretty] = await Promise.all(lakesByLayout.map((l) => dayRows(l, 'data')));
    expect(pretty).toEqual(compact);
    expect(compact!.map((r) => r.value)).toEqual([1.5, 2.5, 3.5]);
  });

  it('falls back to the leaf-by-leaf read when a validated object holds a record the types do not fit', async () => {
    const lake = await utcLake();
    await writeRawMeasurements(lake.store, lake.meta, {
      sensorId: 11,
      locationId: 1,
      window: { fromUtc: '2024-03-10T00:00:00Z', toUtc: '2024-03-11T00:00:00Z' },
      records: [
        measurementRecord({ value: 5, periodEndUtc: '2024-03-10T01:00:00Z' }),
        measurementRecord({ value: 'n/a', periodEndUtc: '2024-03-10T02:00:00Z' }),
      ],
      fetchedAt: '2024-03-11T01:00:00Z',
    });
    const [day] = await transformAndCommit(lake, DAY);
    expect(day).toMatchObject({ rawRows: 2, rows: 1, quarantinedRows: 1 });
    const quarantined = await readParquetRows(await quarantinePaths(lake), 'record_index');
    expect(quarantined).toMatchObject([
      { reason: 'value is not a number', record_index: 2, value_raw: '"n/a"' },
    ]);
    const [kept] = await readParquetRows(await currentPaths(lake, 'measurements', DAY));
    expect(kept).toMatchObject({ value: 5, period_end_utc: '2024-03-10T01:00:00Z' });
  });
});
