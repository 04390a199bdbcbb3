// @ts-check
// Applies the server's WHO and AQI tables (/api/standards) to a value; the tables themselves live in src/server/air-standards.ts.

function normalizeUnits(units) {
  return String(units ?? '')
    .trim()
    .replaceAll('\u03bc', '\u00b5')
    .replace(/^ug\/m3$/i, 'µg/m³')
    .replace(/^µg\/m3$/i, 'µg/m³');
}

export function whoGuideline(standards, parameter, units) {
  const u = normalizeUnits(units);
  return standards?.who.find((g) => g.parameter === parameter && g.units === u)?.value ?? null;
}

export function aqiScale(standards, parameter, units) {
  return (
    standards?.aqiScales.find((s) => s.parameter === parameter && s.units === normalizeUnits(units)) ?? null
  );
}

/** The AQI category {name, color} of a 24-hour mean, or null where no US AQI scale applies. */
export function aqiCategory(standards, parameter, units, value) {
  const scale = aqiScale(standards, parameter, units);
  if (!scale || value === null || !Number.isFinite(value) || value < 0) return null;
  // EPA truncates PM2.5 to one decimal and PM10 to an integer before the lookup.
  const v = parameter === 'pm25' ? Math.trunc(value * 10) / 10 : Math.trunc(value);
  const i = scale.upperBounds.findIndex((upper) => upper === null || v <= upper);
  return i === -1 ? null : standards.aqiCategories[i];
}
