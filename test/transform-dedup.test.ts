// Overlapping fetches (re-runs, lookback) and revised values: the newest fetch wins, and the counts reconcile.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPartitionVersion, listTableFiles } from '../src/lake/catalog/index.js';
import { transformDay } from '../src/pipeline/transform.js';
import { currentPaths, transformAndCommit } from './helpers/lake-steps.js';
import { hourlyRecords, PM25, writeRawLocations, writeRawMeasurements } from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

let lake: TestLake;
beforeEach(async () => {
  lake = openTestLake();
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2024-03-01T00:00:00Z',
    locations: [
      { id: 7, timezone: 'UTC', latitude: 1, longitude: 2, sensors: [{ id: 70, parameter: PM25 }] },
    ],
  });
});
afterEach(() => removeTestLake(lake));

/** Raw page of sensor 70 covering period ends (from, to], value = hour index + offset. */
function page(from: string, to: string, fetchedAt: string, value: (i: number, end: string) => number) {
  return writeRawMeasurements(lake.store, lake.meta, {
    sensorId: 70,
    locationId: 7,
    window: { fromUtc: from, toUtc: to },
    records: hourlyRecords(from, to, value),
    fetchedAt,
  });
}

describe('dedup on (sensor_id, period_end_utc)', () => {
  it('keeps the newest fetch of each key, and raw rows = rows + quarantined + duplicates dropped', async () => {
    // A: days 03-04..03-06; B (later, overlaps 03-05..03-07) revises 03-05 10:00.
    const a = await page('2024-03-04T00:00:00Z', '2024-03-07T00:00:00Z', '2024-03-07T01:00:00Z', (i) => i);
    const b = await page('2024-03-05T00:00:00Z', '2024-03-08T00:00:00Z', '2024-03-08T01:00:00Z', (i, end) =>
      end === '2024-03-05T10:00:00.000Z' ? 999.5 : 24 + i,
    );
    const [day] = await transformAndCommit(lake, '2024-03-05');
    expect(day).toMatchObject({ rows: 24, rawRows: 48, duplicatesDropped: 24, quarantinedRows: 0 });

    const rows = await readParquetRows(await currentPaths(lake, 'measurements', '2024-03-05'));
    expect(rows).toHaveLength(24);
    expect(new Set(rows.map((r) => r.period_end_utc)).size).toBe(24);
    expect(rows.every((r) => r.raw_key === b)).toBe(true);
    expect(rows.find((r) => r.period_end_utc === '2024-03-05T10:00:00Z')?.value).toBe(999.5);
    expect(rows.find((r) => r.period_end_utc === '2024-03-05T11:00:00Z')?.value).toBe(24 + 10);
    expect(rows[0]?.ingested_at).toBe('2024-03-08T01:00:00.000Z');

    // 03-04 comes only from A: nothing to drop there.
    const [only] = await transformAndCommit(lake, '2024-03-04');
    expect(only).toMatchObject({ rows: 24, rawRows: 24, duplicatesDropped: 0 });
    const early = await readParquetRows(await currentPaths(lake, 'measurements', '2024-03-04'));
    expect(early.every((r) => r.raw_key === a)).toBe(true);
  });

  it('replaces the day with a new version when late or revised data arrives, leaving other days alone', async () => {
    await page('2024-03-04T00:00:00Z', '2024-03-06T00:00:00Z', '2024-03-06T01:00:00Z', () => 5);
    const first = await transformAndCommit(lake, '2024-03-04', '2024-03-05');
    const before = listTableFiles(lake.meta, 'measurements');
    expect(before.map((f) => f.localDate)).toEqual(['2024-03-04', '2024-03-05']);

    // A re-fetch a day later: two hours of 03-05 revised, one late hour added on 03-06.
    await page('2024-03-05T12:00:00Z', '2024-03-06T01:00:00Z', '2024-03-07T01:00:00Z', (_i, end) =>
      end <= '2024-03-05T14:00:00.000Z' ? 6 : 5,
    );
    const [again] = await transformAndCommit(lake, '2024-03-05');
    expect(again).toMatchObject({ rows: 24, rawRows: 36, duplicatesDropped: 12 });

    const after = listTableFiles(lake.meta, 'measurements');
    expect(after.find((f) => f.localDate === '2024-03-04')).toEqual(before[0]);
    const newKey = after.find((f) => f.localDate === '2024-03-05')!.key;
    expect(newKey).not.toBe(before[1]!.key);
    // The superseded file stays for readers that resolved it before the commit; its version is recorded as replaced.
    expect(await lake.store.head(before[1]!.key)).not.toBeNull();
    expect(getPartitionVersion(lake.meta, first[1]!.versionId)).toMatchObject({ state: 'superseded' });

    const rows = await readParquetRows(await currentPaths(lake, 'measurements', '2024-03-05'));
    expect(rows.map((r) => r.value)).toEqual([...Array(12).fill(5), 6, 6, ...Array(10).fill(5)]);
  });

  it('is idempotent: transforming the same raw input again gives the same rows', async () => {
    await page('2024-03-04T00:00:00Z', '2024-03-07T00:00:00Z', '2024-03-07T01:00:00Z', (i) => i * 1.5);
    await page('2024-03-05T00:00:00Z', '2024-03-06T00:00:00Z', '2024-03-07T01:00:00Z', (i) => i * 2);
    const one = await transformDay(lake, '2024-03-05');
    const two = await transformDay(lake, '2024-03-05');
    expect(two.versionId).not.toBe(one.versionId);
    const rowsOf = async (versionId: number) =>
      readParquetRows(
        await Promise.all(
          getPartitionVersion(lake.meta, versionId)!
            .files.filter((f) => f.kind === 'data')
            .map((f) => lake.store.localPath(f.key)),
        ),
      );
    const [a, b] = [await rowsOf(one.versionId), await rowsOf(two.versionId)];
    expect(a).toHaveLength(24);
    expect(b).toEqual(a);
    expect({ ...two, versionId: 0 }).toEqual({ ...one, versionId: 0 });
  });
});
