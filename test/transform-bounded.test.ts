// A long range is transformed within duckdb.memoryLimit: rows staged in a DuckDB file instead of memory, the dedup in
// passes over shares of the sensors, the days written a few at a time. Limits shrunk to a few rows run every one of
// those paths on a small input, and must give exactly what the one-pass in-memory transform gives.
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../src/engines/duckdb/duckdb-engine.js';
import { duckDbSettings } from '../src/engines/duckdb/duckdb-instance.js';
import type { TransformLimits } from '../src/engines/duckdb/transform-measurements.js';
import { listTableFiles } from '../src/lake/catalog/index.js';
import { currentPaths, transformAndCommit } from './helpers/lake-steps.js';
import {
  hourlyRecords,
  measurementRecord,
  PM25,
  writeRawLocations,
  writeRawMeasurements,
} from './helpers/raw-objects.js';
import { openTestLake, readParquetRows, removeTestLake, type TestLake } from './helpers/transform-lake.js';

const lakes: TestLake[] = [];
afterEach(async () => {
  for (const lake of lakes.splice(0)) await removeTestLake(lake);
});

const FROM = '2024-03-10';
const TO = '2024-03-14';

/** Three sensors in three zones over five days, a re-fetched overlap (duplicates) and records to quarantine. */
async function lake(limits?: Partial<TransformLimits>): Promise<TestLake> {
  const lake = openTestLake();
  lakes.push(lake);
  if (limits) {
    await lake.engine.close();
    lake.engine = new DuckDbEngine(duckDbSettings(lake.config), { transformLimits: limits });
  }
  const zones = ['Asia/Kolkata', 'America/New_York', 'UTC'];
  await writeRawLocations(lake.store, lake.meta, {
    fetchedAt: '2024-03-01T00:00:00Z',
    locations: zones.map((timezone, i) => ({
      id: i + 1,
      timezone,
      latitude: i,
      longitude: -i,
      sensors: [{ id: 10 + i, parameter: PM25 }],
    })),
  });
  for (const [i] of zones.entries()) {
    // two pages a sensor, in the order an extract lands them
    for (const [from, to] of [
      ['2024-03-08T00:00:00Z', '2024-03-12T12:00:00Z'],
      ['2024-03-12T12:00:00Z', '2024-03-16T00:00:00Z'],
    ] as const)
      await writeRawMeasurements(lake.store, lake.meta, {
        sensorId: 10 + i,
        locationId: i + 1,
        window: { fromUtc: from, toUtc: to },
        records: hourlyRecords(from, to, (n) => (n % 11 === 0 ? null : (n % 37) - 2 + i)),
        fetchedAt: '2024-03-16T01:00:00Z',
      });
  }
  // a later look at a day of sensor 10 (the newer values win), with a record the types do not fit
  await writeRawMeasurements(lake.store, lake.meta, {
    sensorId: 10,
    locationId: 1,
    window: { fromUtc: '2024-03-11T00:00:00Z', toUtc: '2024-03-12T00:00:00Z' },
    records: [
      ...hourlyRecords('2024-03-11T00:00:00Z', '2024-03-12T00:00:00Z', (n) => 500 + n),
      measurementRecord({ value: 'n/a', periodEndUtc: '2024-03-11T05:30:00Z' }),
    ],
    fetchedAt: '2024-03-17T00:00:00Z',
  });
  return lake;
}

/** Every day's kept and quarantined rows (raw keys name the fetch, which differs between lakes). */
async function lakeRows(l: TestLake) {
  const quarantine = await Promise.all(
    listTableFiles(l.meta, 'measurements', { kind: 'quarantine' }).map((f) => l.store.localPath(f.key)),
  );
  const strip = ({ raw_key: _, ...row }: Record<string, unknown>) => row;
  return {
    kept: (await readParquetRows(await currentPaths(l, 'measurements'))).map(strip),
    quarantined: (await readParquetRows(quarantine, 'sensor_id, period_end_utc, record_index')).map(strip),
  };
}

describe('transform bounded by memory', () => {
  it('gives the same days, rows, dedup and quarantine with the rows staged on disk and written a few at a time', async () => {
    const inMemory = await lake();
    const bounded = await lake({ stageAboveJsonBytes: 0, copyChunkRows: 30, dedupPassRows: 40 });
    const a = await transformAndCommit(inMemory, FROM, TO);
    const b = await transformAndCommit(bounded, FROM, TO);
    const counts = (days: typeof a) =>
      days.map(({ localDate, rows, rawRows, quarantinedRows, duplicatesDropped, files }) => ({
        localDate,
        rows,
        rawRows,
        quarantinedRows,
        duplicatesDropped,
        files,
      }));
    expect(counts(b)).toEqual(counts(a));
    // every day has rows, one file, and the dedup and the quarantine had work to do
    expect(a.every((d) => d.rows > 0 && d.files === 1)).toBe(true);
    // 24 hours looked at again; two of the first look's were null (quarantined, so not duplicates)
    expect(a.reduce((s, d) => s + d.duplicatesDropped, 0)).toBe(22);
    expect(a.reduce((s, d) => s + d.quarantinedRows, 0)).toBeGreaterThan(10);
    const rows = await lakeRows(inMemory);
    expect(rows.kept.length).toBe(a.reduce((s, d) => s + d.rows, 0));
    expect(await lakeRows(bounded)).toEqual(rows);
    expect(rows.kept.filter((r) => r.sensor_id === 10 && (r.value as number) >= 500)).toHaveLength(24);
  });

  it('stages two transforms at once on one DuckDB instance, each in a file of its own', async () => {
    const one = await lake({ stageAboveJsonBytes: 0, copyChunkRows: 30, dedupPassRows: 40 });
    const two = await lake();
    await two.engine.close();
    two.engine = one.engine;
    const [a, b] = await Promise.all([transformAndCommit(one, FROM, TO), transformAndCommit(two, FROM, TO)]);
    expect(b!.map((d) => d.rows)).toEqual(a!.map((d) => d.rows));
    expect(await lakeRows(two)).toEqual(await lakeRows(one));
  });
});
