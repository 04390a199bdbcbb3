import { describe, expect, it } from 'vitest';
import { openMemoryMetaDb } from '../meta/meta-db.js';
import { athenaDdl, athenaType } from './athena-ddl.js';
import { recordCatalogScan, stagePartition } from './catalog.js';

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
    expect(athenaDdl(meta, 'measurements', { bucket: 'my-lake' })).toBe(
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
        "TBLPROPERTIES ('parquet.compression'='SNAPPY');",
      ].join('\n'),
    );
    meta.close();
  });

  it('declares an unpartitioned table without PARTITIONED BY, and refuses an uncataloged one', () => {
    const meta = openMemoryMetaDb();
    const columns = [{ name: 'location_id', type: 'BIGINT' }];
    const id = stagePartition(meta, { table: 'locations', localDate: null, files: [], schema: columns });
    expect(() => athenaDdl(meta, 'locations')).toThrow(/no cataloged schema/);
    recordCatalogScan(meta, id, { columns, rows: 0 });
    const ddl = athenaDdl(meta, 'locations', { bucket: 'b' });
    expect(ddl).not.toContain('PARTITIONED BY');
    expect(ddl).toContain("LOCATION 's3://b/dev/locations/'");
    meta.close();
  });

  it('maps decimals and refuses types Athena cannot read', () => {
    expect(athenaType('DECIMAL(18,3)')).toBe('decimal(18,3)');
    expect(() => athenaType('INTERVAL')).toThrow(/no Athena type/);
  });
});
