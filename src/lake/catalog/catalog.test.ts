import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MetaDb, openMemoryMetaDb } from '../meta/meta-db.js';
import {
  CatalogError,
  CommitBusyError,
  commitPlacements,
  finishCommit,
  getCurrentVersion,
  getPartitionVersion,
  getStagedVersion,
  listPartitions,
  listSchemaVersions,
  listTableFiles,
  listTables,
  openCommits,
  recordCatalogScan,
  recordCommitIntent,
  stagePartition,
} from './catalog.js';
import { SchemaDriftError } from './schema-evolution.js';

const COLUMNS = [
  { name: 'sensor_id', type: 'BIGINT' },
  { name: 'value', type: 'DOUBLE' },
];

let meta: MetaDb;
beforeEach(() => {
  meta = openMemoryMetaDb();
});
afterEach(() => meta.close());

function stage(localDate: string | null, keys: string[], rowsEach = 10, table = 'measurements'): number {
  return stagePartition(meta, {
    table,
    localDate,
    files: keys.map((key) => ({ key, rows: rowsEach, bytes: 100 })),
    schema: COLUMNS,
    stats: { rawRows: rowsEach * keys.length + 2, quarantinedRows: 1, duplicatesDropped: 1 },
    runId: 'run-1',
  });
}

function stageAndCatalog(localDate: string | null, keys: string[], table = 'measurements'): number {
  const id = stage(localDate, keys, 10, table);
  recordCatalogScan(meta, id, { columns: COLUMNS, rows: 10 * keys.length });
  return id;
}

/** The SQLite half of a commit (src/lake/commit.ts adds the object copies between the two steps). */
function commitPartition(table: string, localDate: string | null, versionId: number) {
  const commitId = recordCommitIntent(meta, [{ table, localDate, versionId }], {
    owner: 'test',
    kind: 'publish',
  });
  return commitId === null ? null : finishCommit(meta, commitId)[0]!;
}

describe('the commit protocol (catalog side)', () => {
  it('keeps a staged version invisible until it is committed', () => {
    const v1 = stageAndCatalog('2024-07-20', ['a1']);
    expect(listTableFiles(meta, 'measurements')).toEqual([]);
    expect(getStagedVersion(meta, 'measurements', '2024-07-20')?.versionId).toBe(v1);

    const result = commitPartition('measurements', '2024-07-20', v1);
    expect(result).toEqual({
      table: 'measurements',
      localDate: '2024-07-20',
      versionId: v1,
      previousVersionId: null,
    });
    expect(listTableFiles(meta, 'measurements').map((f) => f.key)).toEqual(['a1']);
    expect(getCurrentVersion(meta, 'measurements', '2024-07-20')?.state).toBe('current');
  });

  it('swaps a partition to the new version and reports the one it replaced', () => {
    const v1 = stageAndCatalog('2024-07-20', ['a1']);
    commitPartition('measurements', '2024-07-20', v1);
    const other = stageAndCatalog('2024-07-21', ['b1']);
    commitPartition('measurements', '2024-07-21', other);

    const v2 = stageAndCatalog('2024-07-20', ['c1']);
    // Staged, not committed: readers still see v1 entirely.
    expect(listTableFiles(meta, 'measurements').map((f) => f.key)).toEqual(['a1', 'b1']);
    const result = commitPartition('measurements', '2024-07-20', v2);
    expect(result?.previousVersionId).toBe(v1);
    expect(listTableFiles(meta, 'measurements').map((f) => [f.localDate, f.key])).toEqual([
      ['2024-07-20', 'c1'],
      ['2024-07-21', 'b1'],
    ]);
    expect(getPartitionVersion(meta, v1)?.state).toBe('superseded');
    // Committing again is a no-op, not a second swap.
    expect(commitPartition('measurements', '2024-07-20', v2)).toBeNull();
    // Rollback: an earlier version whose object is kept becomes current again.
    expect(commitPartition('measurements', '2024-07-20', v1)?.previousVersionId).toBe(v2);
    expect(getPartitionVersion(meta, v1)).toMatchObject({ state: 'current', retiredAt: null });
    expect(getPartitionVersion(meta, v2)?.state).toBe('superseded');
  });

  it('plans one copy per current key, and a delete when the version has no object of a kind', () => {
    const id = stagePartition(meta, {
      table: 'measurements',
      localDate: '2024-07-20',
      files: [{ key: 'dev/_versions/measurements/2024-07-20/t.parquet', rows: 5, bytes: 50 }],
      schema: COLUMNS,
    });
    recordCatalogScan(meta, id, { columns: COLUMNS, rows: 5 });
    const commitId = recordCommitIntent(
      meta,
      [{ table: 'measurements', localDate: '2024-07-20', versionId: id }],
      {
        owner: 'test',
        kind: 'publish',
      },
    )!;
    expect(commitPlacements(meta, commitId)).toEqual([
      {
        versionId: id,
        sourceKey: 'dev/_versions/measurements/2024-07-20/t.parquet',
        targetKey: 'dev/measurements/year=2024/month=07/day=20/data.parquet',
      },
      {
        versionId: id,
        sourceKey: null,
        targetKey: 'dev/_quarantine/measurements/year=2024/month=07/day=20/data.parquet',
      },
    ]);
    // While it is open, another commit of the partition must wait (or roll it forward).
    const v2 = stageAndCatalog('2024-07-20', ['b1']);
    expect(() =>
      recordCommitIntent(meta, [{ table: 'measurements', localDate: '2024-07-20', versionId: v2 }], {
        owner: 'other',
        kind: 'publish',
      }),
    ).toThrow(CommitBusyError);
    expect(openCommits(meta).map((c) => c.commitId)).toEqual([commitId]);
    finishCommit(meta, commitId);
    expect(openCommits(meta)).toEqual([]);
  });

  it('refuses a version with more than one object of a kind (one object per partition)', () => {
    expect(() => stage('2024-07-20', ['a1', 'a2'])).toThrow(/one object per kind/);
  });

  it('keeps the intent open and the catalog unchanged when the finishing transaction fails before its end', () => {
    const v1 = stageAndCatalog('2024-07-20', ['a1']);
    commitPartition('measurements', '2024-07-20', v1);
    const v2 = stageAndCatalog('2024-07-20', ['b1']);
    const commitId = recordCommitIntent(
      meta,
      [{ table: 'measurements', localDate: '2024-07-20', versionId: v2 }],
      {
        owner: 'test',
        kind: 'publish',
      },
    )!;
    expect(() =>
      finishCommit(meta, commitId, {
        beforeFinish: () => {
          throw new Error('power cut');
        },
      }),
    ).toThrow('power cut');
    expect(listTableFiles(meta, 'measurements').map((f) => f.key)).toEqual(['a1']);
    expect(getPartitionVersion(meta, v1)?.state).toBe('current');
    expect(getPartitionVersion(meta, v2)?.state).toBe('staged');
    expect(openCommits(meta).map((c) => c.commitId)).toEqual([commitId]);
    // Rolled forward: finishing it again completes it.
    finishCommit(meta, commitId);
    expect(getPartitionVersion(meta, v2)?.state).toBe('current');
  });

  it('refuses to commit an uncataloged version, or one of another partition', () => {
    const v1 = stage('2024-07-20', ['a1']);
    expect(() => commitPartition('measurements', '2024-07-20', v1)).toThrow(/has not been cataloged/);
    recordCatalogScan(meta, v1, { columns: COLUMNS, rows: 10 });
    expect(() => commitPartition('measurements', '2024-07-21', v1)).toThrow(
      'version 1 belongs to dev.measurements/2024-07-20, not to dev.measurements/2024-07-21',
    );
    expect(() => commitPartition('measurements', '2024-07-20', 99)).toThrow(CatalogError);
  });

  it('lets a reader look at a staged version in place of the current one', () => {
    const v1 = stageAndCatalog('2024-07-20', ['a1']);
    commitPartition('measurements', '2024-07-20', v1);
    const v2 = stage('2024-07-20', ['b1']);
    const v3 = stage('2024-07-22', ['c1']);
    expect(listTableFiles(meta, 'measurements', { versionOverrides: [v2, v3] }).map((f) => f.key)).toEqual([
      'b1',
      'c1',
    ]);
    expect(
      listTableFiles(meta, 'measurements', { versionOverrides: { '2024-07-20': v2 } }).map((f) => f.key),
    ).toEqual(['b1']);
    expect(listTableFiles(meta, 'measurements').map((f) => f.key)).toEqual(['a1']);
  });

  it('keeps quarantine files with their version but out of the table', () => {
    const id = stagePartition(meta, {
      table: 'measurements',
      localDate: '2024-07-20',
      files: [
        { key: 'd1', rows: 5, bytes: 50 },
        { key: 'q1', rows: 2, bytes: 20, kind: 'quarantine' },
      ],
      schema: COLUMNS,
    });
    recordCatalogScan(meta, id, { columns: COLUMNS, rows: 5 });
    commitPartition('measurements', '2024-07-20', id);
    expect(listTableFiles(meta, 'measurements').map((f) => f.key)).toEqual(['d1']);
    expect(listTableFiles(meta, 'measurements', { kind: 'quarantine' }).map((f) => f.key)).toEqual(['q1']);
    expect(getPartitionVersion(meta, id)).toMatchObject({ rows: 5, bytes: 50, fileCount: 1 });
  });

  it('handles an unpartitioned table as one partition', () => {
    const v1 = stageAndCatalog(null, ['loc1'], 'locations');
    commitPartition('locations', null, v1);
    const v2 = stageAndCatalog(null, ['loc2'], 'locations');
    expect(commitPartition('locations', null, v2)?.previousVersionId).toBe(v1);
    expect(listTableFiles(meta, 'locations')).toEqual([
      { localDate: null, key: 'loc2', rows: 10, bytes: 100, versionId: v2 },
    ]);
    expect(() => stage('2024-07-20', ['x'], 10, 'locations')).toThrow(/unpartitioned/);
  });
});

describe('the crawler record', () => {
  it('fails when the files do not hold the rows the transform claimed', () => {
    const id = stage('2024-07-20', ['a1']);
    expect(() => recordCatalogScan(meta, id, { columns: COLUMNS, rows: 9 })).toThrow(
      'version 1 of dev.measurements/2024-07-20: its files hold 9 rows but the transform recorded 10',
    );
  });

  it('records a new schema version for a new column and refuses an incompatible type change', () => {
    const v1 = stageAndCatalog('2024-07-20', ['a1']);
    expect(getPartitionVersion(meta, v1)?.schemaVersion).toBe(1);
    const v2 = stage('2024-07-21', ['b1']);
    const withColumn = [...COLUMNS, { name: 'flag', type: 'BOOLEAN' }];
    expect(recordCatalogScan(meta, v2, { columns: withColumn, rows: 10 }).schemaVersion).toBe(2);
    expect(listSchemaVersions(meta, 'measurements').map((s) => s.columns.length)).toEqual([2, 3]);

    const v3 = stage('2024-07-22', ['c1']);
    const changed = [{ name: 'sensor_id', type: 'VARCHAR' }, ...withColumn.slice(1)];
    expect(() => recordCatalogScan(meta, v3, { columns: changed, rows: 10 })).toThrow(SchemaDriftError);
    expect(() => recordCatalogScan(meta, v3, { columns: changed, rows: 10 })).toThrow(
      /column sensor_id changed type from BIGINT to VARCHAR/,
    );
    expect(getPartitionVersion(meta, v3)?.schemaVersion).toBeNull();
    expect(listSchemaVersions(meta, 'measurements')).toHaveLength(2);
  });
});

describe('listing', () => {
  it('sums current partitions per table and lists them with their reconciliation counts', () => {
    for (const [date, keys] of [
      ['2024-07-20', ['a1']],
      ['2024-07-21', ['b1']],
    ] as const) {
      const id = stagePartition(meta, {
        table: 'measurements',
        localDate: date,
        files: keys.map((key) => ({ key, rows: 10, bytes: 100 })),
        schema: COLUMNS,
        stats: {
          minPeriodEndUtc: `${date}T01:00:00Z`,
          maxPeriodEndUtc: `${date}T23:00:00Z`,
          rawRows: 10 * keys.length + 3,
          quarantinedRows: 1,
          duplicatesDropped: 2,
        },
      });
      recordCatalogScan(meta, id, { columns: COLUMNS, rows: 10 * keys.length });
      commitPartition('measurements', date, id);
    }
    stage('2024-07-22', ['c1']);
    expect(listTables(meta)).toEqual([
      {
        table: 'measurements',
        zone: 'dev',
        partitioned: true,
        schemaVersion: 1,
        partitions: 2,
        rows: 20,
        bytes: 200,
        files: 2,
        stagedVersions: 1,
        minPeriodEndUtc: '2024-07-20T01:00:00Z',
        maxPeriodEndUtc: '2024-07-21T23:00:00Z',
      },
    ]);
    const partitions = listPartitions(meta, 'measurements');
    expect(partitions.map((p) => [p.localDate, p.rows, p.files, p.rawRows, p.duplicatesDropped])).toEqual([
      ['2024-07-20', 10, 1, 13, 2],
      ['2024-07-21', 10, 1, 13, 2],
    ]);
  });
});
