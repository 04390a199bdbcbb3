import { describe, expect, it } from 'vitest';
import { canWiden, compareSchemas, evolvedColumns, SchemaDriftError } from './schema-evolution.js';

const v1 = [
  { name: 'sensor_id', type: 'BIGINT' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'interval_seconds', type: 'INTEGER' },
];

describe('compareSchemas', () => {
  it('treats the first schema as initial and the same columns in any order as the same', () => {
    expect(compareSchemas('measurements', null, v1).kind).toBe('initial');
    expect(compareSchemas('measurements', v1, [...v1].reverse()).kind).toBe('same');
  });

  it('evolves on a new column and keeps the old columns first', () => {
    const next = [...v1, { name: 'unit_system', type: 'VARCHAR' }];
    const change = compareSchemas('measurements', v1, next);
    expect(change).toEqual({
      kind: 'evolved',
      added: [{ name: 'unit_system', type: 'VARCHAR' }],
      widened: [],
    });
    expect(evolvedColumns(v1, [next[3]!, ...v1]).map((c) => c.name)).toEqual([
      'sensor_id',
      'value',
      'interval_seconds',
      'unit_system',
    ]);
  });

  it('evolves on a widened type, and reads older narrower files under the wider schema', () => {
    const widened = compareSchemas('measurements', v1, [
      v1[0]!,
      v1[1]!,
      { name: 'interval_seconds', type: 'BIGINT' },
    ]);
    expect(widened).toEqual({
      kind: 'evolved',
      added: [],
      widened: [{ name: 'interval_seconds', from: 'INTEGER', to: 'BIGINT' }],
    });
    const v2 = [v1[0]!, v1[1]!, { name: 'interval_seconds', type: 'BIGINT' }];
    expect(compareSchemas('measurements', v2, v1).kind).toBe('same');
  });

  it('refuses an incompatible type change, naming table, column and both types', () => {
    const next = [v1[0]!, { name: 'value', type: 'VARCHAR' }, v1[2]!];
    expect(() => compareSchemas('measurements', v1, next, 3)).toThrow(SchemaDriftError);
    expect(() => compareSchemas('measurements', v1, next, 3)).toThrow(
      'schema drift in dev.measurements: column value changed type from DOUBLE to VARCHAR, which is not compatible; dev.measurements (schema version 3) keeps DOUBLE',
    );
    try {
      compareSchemas('measurements', v1, next);
    } catch (err) {
      expect((err as SchemaDriftError).column).toBe('value');
      expect((err as SchemaDriftError).table).toBe('measurements');
    }
  });

  it('refuses a dropped column', () => {
    expect(() => compareSchemas('measurements', v1, [v1[0]!, v1[1]!])).toThrow(
      /column interval_seconds \(INTEGER\) is missing from the new files/,
    );
  });
});

describe('canWiden', () => {
  it('widens integers and floats along their chains only', () => {
    expect(canWiden('INTEGER', 'BIGINT')).toBe(true);
    expect(canWiden('FLOAT', 'DOUBLE')).toBe(true);
    expect(canWiden('BIGINT', 'INTEGER')).toBe(false);
    expect(canWiden('INTEGER', 'DOUBLE')).toBe(false);
    expect(canWiden('DOUBLE', 'VARCHAR')).toBe(false);
  });
});
