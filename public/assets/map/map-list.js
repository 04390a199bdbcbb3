// @ts-check
// Beside the map: the locations by name (filterable, so 200 stay usable) and the AQI colour legend.
import { h, replace } from '../dom.js';

/** Rows of the locations whose name contains `needle` (case-insensitive), each linking to its Air view. */
export function renderList(body, locations, needle) {
  const n = needle.trim().toLowerCase();
  replace(
    body,
    locations
      .filter((l) => !n || l.name.toLowerCase().includes(n))
      .map((l) =>
        h(
          'tr',
          { 'data-testid': 'map-row', 'data-location-id': l.id },
          h(
            'td',
            {},
            h('a', { href: `#air/${l.id}` }, l.name),
            h('span', { class: 'muted small' }, ` #${l.id}`),
          ),
          h(
            'td',
            {},
            h('span', { class: 'aqi-dot', style: { background: l.color } }),
            l.aqi === null ? 'no AQI' : `${l.aqi} ${l.aqiCategory}`,
            l.aqiDate ? h('div', { class: 'small muted' }, l.aqiDate) : null,
          ),
        ),
      ),
  );
}

export function renderLegend(el, categories, noAqiColor) {
  replace(
    el,
    h('span', { class: 'muted small' }, 'US AQI of the newest day (PM2.5/PM10):'),
    [...categories, { name: 'No AQI', color: noAqiColor }].map((c) =>
      h(
        'span',
        { class: 'legend-item' },
        h('span', { class: 'aqi-dot', style: { background: c.color } }),
        c.name,
      ),
    ),
  );
}
