import { describe, expect, it } from 'vitest';
import { describeRows } from './query-session.js';

describe('describeRows', () => {
  it("reads Athena's DESCRIBE text (one column, tab-separated, padded) as name, type, comment", () => {
    const pad = (...cells: string[]) => cells.map((c) => c.padEnd(20)).join('\t');
    // As Athena returns DESCRIBE of a partitioned table (Hive's format; e.g. grafana-aws-athena-datasource#39).
    const lines = [
      pad('sensor_id', 'bigint', ''),
      pad('value', 'double', 'from deserializer'),
      pad('tpep_pickup_datetime', 'string', ''),
      pad('year', 'string', ''),
      '\t \t ',
      '# Partition Information\t \t ',
      pad('# col_name', 'data_type', 'comment'),
      '\t \t ',
      pad('year', 'string', ''),
    ];
    expect(describeRows(lines)).toEqual([
      ['sensor_id', 'bigint', null],
      ['value', 'double', 'from deserializer'],
      ['tpep_pickup_datetime', 'string', null],
      ['year', 'string', null],
    ]);
  });
});
