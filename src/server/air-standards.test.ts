import { describe, expect, it } from 'vitest';
import { aqiCategoryIndex, normalizeUnits, standardsPayload, whoGuideline } from './air-standards.js';

describe('WHO guidelines', () => {
  it('apply only when parameter and units match', () => {
    expect(whoGuideline('pm25', 'µg/m³')).toBe(15);
    expect(whoGuideline('pm10', 'μg/m³')).toBe(45); // Greek mu, as some sources spell it
    expect(whoGuideline('no2', 'µg/m³')).toBe(25);
    expect(whoGuideline('no2', 'ppm')).toBeNull();
    expect(whoGuideline('o3', 'ppm')).toBeNull();
  });

  it('normalizes the spellings of micrograms per cubic metre', () => {
    expect(normalizeUnits('ug/m3')).toBe('µg/m³');
    expect(normalizeUnits('μg/m³')).toBe('µg/m³');
  });
});

describe('US AQI categories (EPA 2024 breakpoints)', () => {
  it.each([
    [0, 0],
    [9.0, 0],
    [9.04, 0], // truncated to 9.0 first
    [9.1, 1],
    [35.4, 1],
    [35.5, 2],
    [55.5, 3],
    [125.5, 4],
    [225.5, 5],
    [900, 5],
  ])('PM2.5 %d µg/m³ is category %d', (value, index) => {
    expect(aqiCategoryIndex('pm25', 'µg/m³', value)).toBe(index);
  });

  it('truncates PM10 to whole µg/m³', () => {
    expect(aqiCategoryIndex('pm10', 'µg/m³', 54.9)).toBe(0);
    expect(aqiCategoryIndex('pm10', 'µg/m³', 55)).toBe(1);
    expect(aqiCategoryIndex('pm10', 'µg/m³', 425)).toBe(5);
  });

  it('has no category for other parameters, other units or negative values', () => {
    expect(aqiCategoryIndex('no2', 'µg/m³', 30)).toBeNull();
    expect(aqiCategoryIndex('pm25', 'ppm', 30)).toBeNull();
    expect(aqiCategoryIndex('pm25', 'µg/m³', -999)).toBeNull();
  });

  it('sends the open-ended top category as null, which JSON can carry', () => {
    const payload = JSON.parse(JSON.stringify(standardsPayload()));
    expect(payload.aqiScales[0].upperBounds).toEqual([9, 35.4, 55.4, 125.4, 225.4, null]);
    expect(payload.aqiCategories).toHaveLength(6);
  });
});
