import { describe, expect, it } from 'vitest';
import { groupLocations } from './lake-queries.js';

describe('groupLocations', () => {
  it('gives one option per location with its sensors and the widest date range', () => {
    const row = (sensor: number, parameter: string, first: string, last: string) => ({
      location_id: 8118,
      name: 'Anand Vihar',
      timezone: 'Asia/Kolkata',
      country: 'IN',
      sensor_id: sensor,
      parameter_id: 2,
      parameter,
      units: 'µg/m³',
      first_date: first,
      last_date: last,
    });
    const [loc, ...rest] = groupLocations([
      row(1, 'pm25', '2024-03-02', '2024-03-05'),
      row(2, 'pm10', '2024-03-01', '2024-03-04'),
    ]);
    expect(rest).toEqual([]);
    expect(loc).toMatchObject({
      id: 8118,
      name: 'Anand Vihar',
      firstDate: '2024-03-01',
      lastDate: '2024-03-05',
    });
    expect(loc!.parameters.map((p) => [p.parameter, p.sensorId])).toEqual([
      ['pm25', 1],
      ['pm10', 2],
    ]);
  });
});
