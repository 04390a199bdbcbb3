// The archive names a parameter by name and units only; this maps that pair to OpenAQ's parameter id.
import type { Parameter } from './schemas.js';

export type ParameterLookup = (name: string, units: string) => number | undefined;

/**
 * A lookup over a /v3/parameters snapshot. A parameter is name AND units (o3 is 10 in ppm, 3 in µg/m³), so both must
 * match exactly; if a pair ever had two ids, the smallest wins — the same rule as sql/dev/archive_measurements.sql.
 */
export function parameterLookup(
  parameters: readonly Pick<Parameter, 'id' | 'name' | 'units'>[],
): ParameterLookup {
  const ids = new Map<string, number>();
  for (const p of parameters) {
    const key = pairKey(p.name, p.units);
    const known = ids.get(key);
    if (known === undefined || p.id < known) ids.set(key, p.id);
  }
  return (name, units) => ids.get(pairKey(name, units));
}

function pairKey(name: string, units: string): string {
  return `${name}\u0000${units}`;
}
