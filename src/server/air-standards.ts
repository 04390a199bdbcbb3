// Air-quality reference values the page draws: WHO 2021 24-hour guidelines and US EPA AQI categories (2024 PM breakpoints).

export interface WhoGuideline {
  parameter: string;
  units: string;
  /** 24-hour mean guideline value. */
  value: number;
}

/** WHO global air quality guidelines 2021, 24-hour means, in µg/m³. */
const WHO_24H_GUIDELINES: readonly WhoGuideline[] = [
  { parameter: 'pm25', units: 'µg/m³', value: 15 },
  { parameter: 'pm10', units: 'µg/m³', value: 45 },
  { parameter: 'no2', units: 'µg/m³', value: 25 },
];

export interface AqiCategory {
  name: string;
  /** The category's AQI index range. */
  aqiLow: number;
  aqiHigh: number;
  color: string;
}

/** EPA's category colours; Hazardous spans AQI 301–500. */
export const AQI_CATEGORIES: readonly AqiCategory[] = [
  { name: 'Good', aqiLow: 0, aqiHigh: 50, color: '#00e400' },
  { name: 'Moderate', aqiLow: 51, aqiHigh: 100, color: '#ffff00' },
  { name: 'Unhealthy for sensitive groups', aqiLow: 101, aqiHigh: 150, color: '#ff7e00' },
  { name: 'Unhealthy', aqiLow: 151, aqiHigh: 200, color: '#ff0000' },
  { name: 'Very unhealthy', aqiLow: 201, aqiHigh: 300, color: '#8f3f97' },
  { name: 'Hazardous', aqiLow: 301, aqiHigh: 500, color: '#7e0023' },
];

interface AqiScale {
  parameter: string;
  units: string;
  /** Upper concentration bound of each category, in AQI_CATEGORIES order; the last is open-ended. */
  upperBounds: readonly number[];
}

/** 24-hour PM breakpoints (EPA, May 2024 revision for PM2.5). */
const AQI_SCALES: readonly AqiScale[] = [
  {
    parameter: 'pm25',
    units: 'µg/m³',
    upperBounds: [9.0, 35.4, 55.4, 125.4, 225.4, Number.POSITIVE_INFINITY],
  },
  { parameter: 'pm10', units: 'µg/m³', upperBounds: [54, 154, 254, 354, 424, Number.POSITIVE_INFINITY] },
];

/** OpenAQ spells micrograms with the micro sign, but other sources use the Greek mu or "ug/m3". */
export function normalizeUnits(units: string): string {
  return units
    .trim()
    .replaceAll('\u03bc', '\u00b5')
    .replace(/^ug\/m3$/i, 'µg/m³')
    .replace(/^µg\/m3$/i, 'µg/m³');
}

export function whoGuideline(parameter: string, units: string): number | null {
  const u = normalizeUnits(units);
  return WHO_24H_GUIDELINES.find((g) => g.parameter === parameter && g.units === u)?.value ?? null;
}

/**
 * The AQI category index (0 = Good … 5 = Hazardous) of a 24-hour mean, or null when no scale applies.
 * EPA truncates PM2.5 to one decimal and PM10 to an integer before looking up the breakpoint.
 */
export function aqiCategoryIndex(parameter: string, units: string, value: number): number | null {
  const scale = AQI_SCALES.find((s) => s.parameter === parameter && s.units === normalizeUnits(units));
  if (!scale || !Number.isFinite(value) || value < 0) return null;
  const truncated = parameter === 'pm25' ? Math.trunc(value * 10) / 10 : Math.trunc(value);
  const index = scale.upperBounds.findIndex((upper) => truncated <= upper);
  return index === -1 ? null : index;
}

/** What GET /api/standards sends: the page applies the same tables (Infinity does not survive JSON). */
export function standardsPayload(): {
  who: readonly WhoGuideline[];
  aqiCategories: readonly AqiCategory[];
  aqiScales: { parameter: string; units: string; upperBounds: (number | null)[] }[];
} {
  return {
    who: WHO_24H_GUIDELINES,
    aqiCategories: AQI_CATEGORIES,
    aqiScales: AQI_SCALES.map((s) => ({
      ...s,
      upperBounds: s.upperBounds.map((b) => (Number.isFinite(b) ? b : null)),
    })),
  };
}
