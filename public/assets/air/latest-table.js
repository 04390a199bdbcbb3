// @ts-check
// The latest-values table: the newest value of every sensor, grouped by location, with its AQI dot and local time.

import { emptyRow, h, replace } from '../dom.js';
import { csvButton } from '../downloads.js';
import { fmtValue, shortLocalTime } from '../format.js';
import { aqiCategory } from '../standards.js';
import { num } from './chart-kit.js';

export const LATEST_PATH = '/api/prod/latest';

/** The card around the table; the rows go into the returned tbody. */
export function latestCard() {
  const body = h('tbody');
  const card = h(
    'div',
    { class: 'card latest' },
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, 'Latest values'),
      h('span', { class: 'muted small' }, 'per location'),
      h('span', { class: 'spacer' }),
      csvButton(
        'latest-csv',
        () => LATEST_PATH,
        () => 'latest.csv',
      ),
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data compact', 'data-testid': 'latest-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Parameter'),
            h('th', { class: 'num' }, 'Value'),
            h('th', {}, 'Units'),
            h('th', {}, 'Local time'),
          ),
        ),
        body,
      ),
    ),
  );
  return { card, body };
}

/** Fills `latestBody` with `data` (an /api/prod/latest answer), locations named and ordered by name. */
export function renderLatest(latestBody, data, locations, standards) {
  const names = new Map(locations.map((l) => [l.id, l.name]));
  const when = [
    'datetime_local',
    'local_datetime',
    'period_end_local',
    'period_end_utc',
    'datetime_utc',
    'local_date',
  ].find((c) => data.columns.includes(c));
  const valueCol = ['value', 'value_avg', 'latest_value'].find((c) => data.columns.includes(c));
  const rows = [...data.rows].sort(
    (a, b) =>
      String(names.get(a.location_id) ?? a.location_id).localeCompare(
        String(names.get(b.location_id) ?? b.location_id),
      ) || String(a.parameter).localeCompare(String(b.parameter)),
  );
  const zones = new Map(locations.map((l) => [l.id, l.timezone]));
  let lastLoc = null;
  const body = [];
  for (const r of rows) {
    if (r.location_id !== lastLoc) {
      lastLoc = r.location_id;
      body.push(
        h(
          'tr',
          { class: 'group' },
          h(
            'th',
            { colspan: 4, scope: 'rowgroup' },
            names.get(r.location_id) ?? `Location ${r.location_id}`,
            h(
              'span',
              { class: 'muted small' },
              ` #${r.location_id}${zones.get(r.location_id) ? ` · ${zones.get(r.location_id)}` : ''}`,
            ),
          ),
        ),
      );
    }
    const v = num(r[valueCol]);
    const cat = v === null ? null : aqiCategory(standards, r.parameter, r.units, v);
    body.push(
      h(
        'tr',
        { 'data-testid': 'latest-row', 'data-location-id': r.location_id, 'data-parameter': r.parameter },
        h('td', {}, r.parameter),
        h(
          'td',
          { class: 'num nowrap' },
          cat
            ? h('span', {
                class: 'aqi-dot',
                style: { background: cat.color },
                title: `US AQI category (24-hour breakpoints): ${cat.name}`,
              })
            : null,
          fmtValue(v),
        ),
        h('td', { class: 'small muted nowrap' }, r.units ?? ''),
        h('td', { class: 'small muted nowrap' }, shortLocalTime(r[when])),
      ),
    );
  }
  replace(latestBody, body.length === 0 ? emptyRow(4, 'No data yet.') : body);
}

export function latestError(latestBody, message) {
  replace(latestBody, emptyRow(4, message));
}
