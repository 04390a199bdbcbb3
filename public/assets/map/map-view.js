// @ts-check
// The Map view: every location of the lake on a world outline (world-atlas, offline), coloured by the US AQI
// category of its newest day; hover or focus shows its latest values, a click opens its charts in the Air view.
// This module holds the view's state and layout; map-svg, map-tip and map-list draw.
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { csvButton } from '../downloads.js';
import { firstRunGuide } from '../first-run.js';
import { getStandards } from '../state.js';
import { renderLegend, renderList } from './map-list.js';
import { drawMap, loadOutline, mapSize } from './map-svg.js';
import { createTip } from './map-tip.js';

const MAP_PATH = '/api/map';

export function createMapView(root, setStatus) {
  const state = { locations: [], outline: null };
  const tip = createTip();
  const el = {
    frame: h('div', { class: 'map-frame', 'data-testid': 'map' }),
    count: h('span', { class: 'muted small', 'data-testid': 'map-count' }),
    legend: h('div', { class: 'map-legend' }),
    listBody: h('tbody'),
    filter: h('input', {
      type: 'search',
      placeholder: 'Filter by name',
      'aria-label': 'Filter locations by name',
      'data-testid': 'map-filter',
      oninput: () => renderList(el.listBody, state.locations, el.filter.value),
    }),
  };

  function layout() {
    const mapCard = h(
      'div',
      { class: 'card map-card' },
      h(
        'div',
        { class: 'card-head' },
        h('h2', {}, 'Locations'),
        el.count,
        h('span', { class: 'spacer' }),
        csvButton(
          'map-csv',
          () => MAP_PATH,
          () => 'map.csv',
        ),
      ),
      h('div', { class: 'map-wrap' }, el.frame, tip.el),
      el.legend,
    );
    const listCard = h(
      'div',
      { class: 'card map-list' },
      h('div', { class: 'card-head' }, h('h2', {}, 'By name'), h('span', { class: 'spacer' }), el.filter),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'data compact', 'data-testid': 'map-table' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Location'), h('th', {}, 'US AQI (newest day)'))),
          el.listBody,
        ),
      ),
    );
    return h('div', { class: 'map-main' }, mapCard, listCard);
  }

  async function load() {
    let data;
    let standards;
    try {
      [data, standards, state.outline] = await Promise.all([
        api.get(MAP_PATH),
        getStandards(),
        loadOutline(),
      ]);
    } catch (err) {
      setStatus(`could not load the map: ${err.message}`);
      return;
    }
    state.locations = data.locations;
    if (state.locations.length === 0) {
      replace(root, firstRunGuide());
      return;
    }
    replace(root, layout());
    draw();
    renderList(el.listBody, state.locations, el.filter.value);
    renderLegend(el.legend, standards.aqiCategories, data.noAqiColor);
  }

  function draw() {
    const { width, height } = mapSize(el.frame.clientWidth || root.clientWidth - 32);
    const map = drawMap({
      locations: state.locations,
      outline: state.outline,
      width,
      height,
      onOpen: (l) => {
        window.location.hash = `#air/${l.id}`;
      },
      onHover: (l, x, y) => tip.show(l, x, y, el.frame.clientWidth),
      onLeave: () => tip.hide(),
    });
    replace(el.frame, map);
    el.count.textContent = `${state.locations.length} on the map`;
  }

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (!root.hidden && state.locations.length > 0 && state.outline) draw();
    }, 150);
  });

  return {
    show() {
      load();
    },
    hide() {
      tip.hide();
    },
  };
}
