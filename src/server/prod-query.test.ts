import { describe, expect, it } from 'vitest';
import { prodRowsQuery } from './prod-query.js';

describe('prodRowsQuery', () => {
  it('binds every filter value as a parameter and never splices it into the SQL', () => {
    const evil = "pm25' OR 1=1 --";
    const q = prodRowsQuery('daily_averages', {
      locationId: 8118,
      sensorId: 7,
      parameter: evil,
      from: '2024-03-01',
      to: '2024-03-31',
      limit: 50,
    });
    expect(q.sql).not.toContain(evil);
    expect(q.sql).not.toContain('8118');
    expect(q.sql).toBe(
      'SELECT * FROM prod.daily_averages WHERE location_id = $location_id AND sensor_id = $sensor_id' +
        ' AND parameter = $parameter AND local_date >= CAST($from AS DATE) AND local_date <= CAST($to AS DATE)' +
        ' ORDER BY ALL LIMIT $limit',
    );
    expect(q.params).toEqual({
      location_id: 8118,
      sensor_id: 7,
      parameter: evil,
      from: '2024-03-01',
      to: '2024-03-31',
      limit: 50,
    });
  });

  it('has no WHERE without filters, and a default limit', () => {
    expect(prodRowsQuery('latest', {}, 123)).toEqual({
      sql: 'SELECT * FROM prod.latest ORDER BY ALL LIMIT $limit',
      params: { limit: 123 },
    });
  });

  it('refuses a view name that is not a plain identifier', () => {
    expect(() => prodRowsQuery('latest; DROP TABLE x', {})).toThrow(/not a view name/);
    expect(() => prodRowsQuery('../etc', {})).toThrow(/not a view name/);
  });
});
