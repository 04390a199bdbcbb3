// @ts-check
// The Map view: every location of the lake on a world outline (world-atlas, offline), coloured by the US AQI
// category of its newest day; hover or focus shows its latest values, a click opens its charts in the Air view.
import { api } from '../api.js';
import { firstRunGuide, fmtValue, h, replace, shortLocalTime } from '../dom.js';
import { csvButton } from '../downloads.js';
import { extentOf, fitProjection, pathOf } from './projection.js';

const SVG = 'http://www.w3.org/2000/svg';

/** @param {string} tag @param {Record<string, string | number>} attrs */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

let landPromise = null;
/** Natural Earth 1:110m land and the borders between countries, as GeoJSON, fetched once. */
function loadLand() {
  landPromise ??= fetch('/vendor/countries-110m.json')
    .then((res) => res.json())
    .then((topology) => ({
      land: topojson.feature(topology, topology.objects.land),
      borders: topojson.mesh(topology, topology.objects.countries, (a, b) => a !== b),
    }));
  return landPromise;
}

export function createMapView(root, setStatus) {
  /** @type {any[]} */
  let locations = [];
  let categories = [];
  let land = null;
  const frame = h('div', { class: 'map-frame', 'data-testid': 'map' });
  const tip = h('div', { class: 'map-tip', role: 'tooltip', 'data-testid': 'map-tip', hidden: true });
  const count = h('span', { class: 'muted small', 'data-testid': 'map-count' });
  const legend = h('div', { class: 'map-legend' });
  const filter = h('input', {
    type: 'search',
    placeholder: 'Filter by name',
    'aria-label': 'Filter locations by name',
    'data-testid': 'map-filter',
    oninput: () => renderList(),
  });
  const listBody = h('tbody');
  const card = h(
    'div',
    { class: 'card map-card' },
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, 'Locations'),
      count,
      h('span', { class: 'spacer' }),
      csvButton(
        'map-csv',
        () => '/api/map',
        () => 'map.csv',
      ),
    ),
    h('div', { class: 'map-wrap' }, frame, tip),
    legend,
  );
  const list = h(
    'div',
    { class: 'card map-list' },
    h('div', { class: 'card-head' }, h('h2', {}, 'By name'), h('span', { class: 'spacer' }), filter),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'data compact', 'data-testid': 'map-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Location'), h('th', {}, 'US AQI (newest day)'))),
        listBody,
      ),
    ),
  );

  async function load() {
    let data;
    let std;
    try {
      [data, std, land] = await Promise.all([api.get('/api/map'), api.get('/api/standards'), loadLand()]);
    } catch (err) {
      setStatus(`could not load the map: ${err.message}`);
      return;
    }
    locations = data.locations;
    categories = std.aqiCategories;
    if (locations.length === 0) {
      replace(root, firstRunGuide());
      return;
    }
    replace(root, h('div', { class: 'map-main' }, card, list));
    renderMap();
    renderList();
    renderLegend(data.noAqiColor);
  }

  function renderMap() {
    const width = Math.max(300, frame.clientWidth || root.clientWidth - 32);
    const height = Math.round(Math.min(620, Math.max(280, width * 0.58)));
    const projection = fitProjection(extentOf(locations), width, height);
    const radius = locations.length > 60 ? 4.5 : 7;
    const marks = [...locations]
      .sort((a, b) => (a.aqi ?? -1) - (b.aqi ?? -1))
      .map((l) => mark(l, projection, radius));
    const map = svg(
      'svg',
      {
        width,
        height,
        viewBox: `0 0 ${width} ${height}`,
        role: 'group',
        'aria-label': 'Map of the locations',
      },
      svg('rect', { class: 'sea', width, height }),
      svg('path', { class: 'land', d: pathOf(land.land, projection) }),
      svg('path', { class: 'borders', d: pathOf(land.borders, projection) }),
      svg('g', { class: 'marks' }, ...marks),
    );
    replace(frame, map);
    count.textContent = `${locations.length} on the map`;
  }

  function mark(l, projection, radius) {
    const [x, y] = projection.project(l.longitude, l.latitude);
    const label = `${l.name}: ${l.aqiCategory ? `US AQI ${l.aqi}, ${l.aqiCategory}` : 'no US AQI'}`;
    const g = svg(
      'g',
      {
        class: 'mark',
        tabindex: 0,
        role: 'link',
        'aria-label': label,
        'data-testid': 'map-mark',
        'data-location-id': l.id,
        'data-color': l.color,
        transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`,
      },
      svg('title', {}, l.name),
      svg('circle', { r: radius, fill: l.color }),
    );
    const open = () => {
      window.location.hash = `#air/${l.id}`;
    };
    g.addEventListener('click', open);
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') open();
    });
    g.addEventListener('mouseenter', () => showTip(l, x, y));
    g.addEventListener('focus', () => showTip(l, x, y));
    g.addEventListener('mouseleave', hideTip);
    g.addEventListener('blur', hideTip);
    return g;
  }

  function showTip(l, x, y) {
    replace(
      tip,
      h('strong', {}, l.name),
      h('div', { class: 'muted small' }, `#${l.id}${l.timezone ? ` · ${l.timezone}` : ''}`),
      h(
        'div',
        {},
        l.aqiCategory
          ? [
              h('span', { class: 'aqi-dot', style: { background: l.color } }),
              `US AQI ${l.aqi} · ${l.aqiCategory}`,
            ]
          : 'No US AQI (no PM2.5/PM10 day)',
      ),
      h(
        'table',
        { class: 'tip-values' },
        l.latest.map((v) =>
          h(
            'tr',
            {},
            h('td', {}, v.parameter),
            h('td', { class: 'num' }, fmtValue(v.value)),
            h('td', { class: 'muted' }, v.units),
            h('td', { class: 'muted' }, `${shortLocalTime(v.localTime)} local`),
          ),
        ),
      ),
    );
    tip.hidden = false;
    const frameWidth = frame.clientWidth;
    const left = Math.min(Math.max(4, x + 12), Math.max(4, frameWidth - tip.offsetWidth - 4));
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.max(4, y - tip.offsetHeight - 10)}px`;
  }

  function hideTip() {
    tip.hidden = true;
  }

  function renderList() {
    const needle = filter.value.trim().toLowerCase();
    const shown = locations.filter((l) => !needle || l.name.toLowerCase().includes(needle));
    replace(
      listBody,
      shown.map((l) =>
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

  function renderLegend(noAqiColor) {
    replace(
      legend,
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

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (!root.hidden && locations.length > 0 && land) renderMap();
    }, 150);
  });

  return {
    show() {
      load();
    },
    hide() {
      hideTip();
    },
  };
}
