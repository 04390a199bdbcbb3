// The SELECT behind /api/prod/:view: the view name comes from a fixed list, every filter value is a bound parameter.
import type { ProdFilter } from './services.js';

export interface BoundQuery {
  sql: string;
  params: Record<string, string | number>;
}

const VIEW_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * @example
 * prodRowsQuery('daily_averages', { locationId: 8118, from: '2024-03-01' })
 * // { sql: 'SELECT * FROM prod.daily_averages WHERE location_id = $location_id AND local_date >= CAST($from AS DATE) ORDER BY ALL LIMIT $limit', … }
 */
export function prodRowsQuery(view: string, filter: ProdFilter, defaultLimit = 10_000): BoundQuery {
  // The caller checks the view against the views that exist; this only guards the identifier's shape.
  if (!VIEW_NAME.test(view)) throw new Error(`not a view name: ${view}`);
  const where: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.locationId !== undefined) {
    where.push('location_id = $location_id');
    params.location_id = filter.locationId;
  }
  if (filter.sensorId !== undefined) {
    where.push('sensor_id = $sensor_id');
    params.sensor_id = filter.sensorId;
  }
  if (filter.parameter !== undefined) {
    where.push('parameter = $parameter');
    params.parameter = filter.parameter;
  }
  if (filter.from !== undefined) {
    where.push('local_date >= CAST($from AS DATE)');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    where.push('local_date <= CAST($to AS DATE)');
    params.to = filter.to;
  }
  params.limit = filter.limit ?? defaultLimit;
  const clause = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT * FROM prod.${view}${clause} ORDER BY ALL LIMIT $limit`, params };
}
