import { describe, expect, it } from 'vitest';
import { currentObjectKey } from '../keys.js';
import { openMemoryMetaDb } from '../meta/meta-db.js';
import { athenaDdl, athenaType, duckDbType, partitionProjection, projectedYears } from './athena-ddl.js';
import { finishCommit, recordCatalogScan, recordCommitIntent, stagePartition } from './catalog.js';

describe('athenaDdl', () => {
  it('declares a day-partitioned dev table with Hive types, year/month/day partitions and Snappy Parquet', () => {
    const meta = openMemoryMetaDb();
    const columns = [
      { name: 'sensor_id', type: 'BIGINT' },
      { name: 'parameter_id', type: 'INTEGER' },
      { name: 'value', type: 'DOUBLE' },
      { name: 'period_end_utc', type: 'TIMESTAMP' },
      { name: 'local_date', type: 'DATE' },
      { name: 'quality', type: 'VARCHAR' },
      { name: 'has_flags', type: 'BOOLEAN' },
    ];
    const id = stagePartition(meta, {
      table: 'measurements',
      localDate: '2024-07-20',
      files: [],
      schema: columns,
    });
    recordCatalogScan(meta, id, { columns, rows: 0 });
    // The projection covers OpenAQ's first year (2016) to ten years after now: projectedYears, as the Glue tables.
    finishCommit(
      meta,
      recordCommitIntent(meta, [{ table: 'measurements', localDate: '2024-07-20', versionId: id }], {
        owner: 'test',
        kind: 'publish',
      })!,
    );
    expect(
      athenaDdl(meta, 'measurements', { bucket: 'my-lake', now: new Date('2025-03-01T00:00:00Z') }),
    ).toBe(
      [
        'CREATE EXTERNAL TABLE IF NOT EXISTS `dev`.`measurements` (',
        '  `sensor_id`      bigint,',
        '  `parameter_id`   int,',
        '  `value`          double,',
        '  `period_end_utc` timestamp,',
        '  `local_date`     date,',
        '  `quality`        string,',
        '  `has_flags`      boolean',
        ')',
        'PARTITIONED BY (`year` string, `month` string, `day` string)',
        'STORED AS PARQUET',
        "LOCATION 's3://my-lake/dev/measurements/'",
        'TBLPROPERTIES (',
        "  'parquet.compression'='SNAPPY',",
        "  'projection.enabled'='true',",
        "  'projection.year.type'='integer',",
        "  'projection.year.range'='2016,2035',",
        "  'projection.year.digits'='4',",
        "  'projection.month.type'='integer',",
        "  'projection.month.range'='1,12',",
        "  'projection.month.digits'='2',",
        "  'projection.day.type'='integer',",
        "  'projection.day.range'='1,31',",
        "  'projection.day.digits'='2',",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's placeholders, not JavaScript's
        "  'storage.location.template'='s3://my-lake/dev/measurements/year=${year}/month=${month}/day=${day}/'",
        ');',
      ].join('\n'),
    );
    meta.close();
  });

  it('maps Athena column types back to the DuckDB types they came from', () => {
    for (const t of [
      'BIGINT',
      'INTEGER',
      'DOUBLE',
      'VARCHAR',
      'DATE',
      'TIMESTAMP',
      'BOOLEAN',
      'DECIMAL(18,3)',
    ])
      expect(duckDbType(athenaType(t))).toBe(t);
    expect(() => duckDbType('array<int>')).toThrow(/no DuckDB type/);
  });

  it("projects from OpenAQ's first year to ten years after now, for the DDL and the Glue tables alike", () => {
    expect(projectedYears(new Date('2025-03-01T00:00:00Z'))).toEqual([2016, 2035]);
    expect(projectedYears(new Date('2031-12-31T23:00:00Z'))).toEqual([2016, 2041]);
  });

  it('projects exactly the folders the commit writes a day to', () => {
    const props = partitionProjection('b', 'measurements', [2020, 2030]);
    const template = props['storage.location.template']!;
    for (const day of ['2020-01-01', '2024-02-29', '2030-12-31']) {
      const [y, m, d] = day.split('-') as [string, string, string];
      // Athena fills each placeholder with the integer padded to its digits.
      const pad = (v: string, digits: number) => String(Number(v)).padStart(digits, '0');
      const location = template
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's placeholders, not JavaScript's
        .replace('${year}', pad(y, Number(props['projection.year.digits'])))
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's placeholders, not JavaScript's
        .replace('${month}', pad(m, Number(props['projection.month.digits'])))
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's placeholders, not JavaScript's
        .replace('${day}', pad(d, Number(props['projection.day.digits'])));
      expect(`${location}data.parquet`).toBe(`s3://b/${currentObjectKey('dev', 'measurements', day)}`);
      const [from, to] = props['projection.year.range']!.split(',').map(Number) as [number, number];
      expect(Number(y)).toBeGreaterThanOrEqual(from);
      expect(Number(y)).toBeLessThanOrEqual(to);
    }
    expect(() => partitionProjection('b', 'measurements', [2030, 2020])).toThrow(/bad projection years/);
  });

  it('declares an unpartitioned table without PARTITIONED BY, and refuses an uncataloged one', () => {
    const meta = openMemoryMetaDb();
    const columns = [{ name: 'location_id', type: 'BIGINT' }];
    const id = stagePartition(meta, { table: 'locations', localDate: null, files: [], schema: columns });
    expect(() => athenaDdl(meta, 'locations')).toThrow(/no cataloged schema/);
    recordCatalogScan(meta, id, { columns, rows: 0 });
    const ddl = athenaDdl(meta, 'locations', { bucket: 'b' });
    expect(ddl).not.toContain('PARTITIONED BY');
    expect(ddl).not.toContain('projection');
    expect(ddl).toContain("LOCATION 's3://b/dev/locations/'");
    meta.close();
  });

  it('maps decimals and refuses types Athena cannot read', () => {
    expect(athenaType('DECIMAL(18,3)')).toBe('decimal(18,3)');
    expect(() => athenaType('INTERVAL')).toThrow(/no Athena type/);
  });
});
