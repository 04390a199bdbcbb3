// @ts-check
// The Air view's pickers: location, parameter (one option per sensor's parameter and unit), date range, hourly day.
import { h, replace } from '../dom.js';
import { addDays } from '../format.js';

const DEFAULT_DAYS = 30;
/** The parameters people look at first, in order. */
const PREFERRED = ['pm25', 'pm10', 'no2'];

/** @param {{onLocation: () => void, onParameter: () => void, onRange: () => void, onDay: () => void}} on */
export function airControls(on) {
  return {
    location: h('select', { id: 'air-location', 'data-testid': 'location-select', onchange: on.onLocation }),
    parameter: h('select', {
      id: 'air-parameter',
      'data-testid': 'parameter-select',
      onchange: on.onParameter,
    }),
    from: h('input', { type: 'date', id: 'air-from', 'data-testid': 'air-from', onchange: on.onRange }),
    to: h('input', { type: 'date', id: 'air-to', 'data-testid': 'air-to', onchange: on.onRange }),
    day: h('input', { type: 'date', id: 'air-day', 'data-testid': 'hourly-day', onchange: on.onDay }),
  };
}

/** The toolbar holding the pickers. */
export function controlsToolbar(c) {
  return h(
    'form',
    { class: 'toolbar card', onsubmit: (e) => e.preventDefault() },
    h(
      'div',
      { class: 'inline-form' },
      h('label', { for: 'air-location' }, 'Location'),
      c.location,
      h('label', { for: 'air-parameter' }, 'Parameter'),
      c.parameter,
      h('label', { for: 'air-from' }, 'From'),
      c.from,
      h('label', { for: 'air-to' }, 'To'),
      c.to,
    ),
  );
}

export function fillLocations(select, locations) {
  replace(
    select,
    locations.map((l) => h('option', { value: l.id }, `${l.name} (#${l.id})`)),
  );
}

/** Options for the location's parameters, keeping `keep` (the user's last choice) where the location has it. */
export function fillParameters(select, loc, keep) {
  const names = (loc?.parameters ?? []).map((p) => p.parameter);
  const wanted = [keep, ...PREFERRED].find((n) => n && names.includes(n)) ?? names[0];
  replace(
    select,
    (loc?.parameters ?? []).map((p, i) =>
      h(
        'option',
        { value: i, 'data-parameter': p.parameter, selected: p.parameter === wanted },
        `${p.parameter} (${p.units})${sensorSuffix(loc, p)}`,
      ),
    ),
  );
}

/** The last DEFAULT_DAYS days the location has data for. */
export function resetRange(c, loc) {
  if (!loc?.lastDate) return;
  c.to.value = loc.lastDate;
  const from = addDays(loc.lastDate, -(DEFAULT_DAYS - 1));
  c.from.value = loc.firstDate && loc.firstDate > from ? loc.firstDate : from;
}

function sensorSuffix(loc, p) {
  const same = loc.parameters.filter((q) => q.parameter === p.parameter && q.units === p.units);
  return same.length > 1 && p.sensorId ? ` · sensor ${p.sensorId}` : '';
}
