// @ts-check
// The Air quality view: daily averages of one sensor with the WHO guideline and AQI colours, hourly values of a
// day, latest values. This module holds the view's state and wiring; the charts and the table draw themselves.
import { api, query } from '../api.js';
import { h, replace } from '../dom.js';
import { csvButton } from '../downloads.js';
import { firstRunGuide } from '../first-run.js';
import { getStandards } from '../state.js';
import { chartWidth } from './chart-kit.js';
import { airControls, controlsToolbar, fillLocations, fillParameters, resetRange } from './controls.js';
import { DAILY_HEIGHT, drawDaily } from './daily-chart.js';
import { drawHourly, HOURLY_HEIGHT } from './hourly-chart.js';
import { LATEST_PATH, latestCard, latestError, renderLatest } from './latest-table.js';

export function createAirView(root, setStatus) {
  const state = {
    locations: [],
    standards: null,
    loaded: false,
    dailyPlot: null,
    hourlyPlot: null,
    chosenDay: null,
    /** The parameter the user picked, kept when they switch location. */
    chosenParameter: null,
    /** The location a link (#air/ID) asked for, applied once the locations are loaded. */
    wantedLocation: null,
    /** The API paths of the rows each chart shows now (their CSV buttons download these). */
    dailyPath: null,
    hourlyPath: null,
  };

  const c = airControls({
    onLocation: () => locationChanged(),
    onParameter: () => {
      state.chosenParameter = currentParameter()?.parameter ?? null;
      loadCharts();
    },
    onRange: () => loadCharts(),
    onDay: () => {
      state.chosenDay = c.day.value;
      loadHourly();
    },
  });
  const el = {
    dailyTitle: h('h2', {}, 'Daily averages'),
    dailyNote: h('span', { class: 'muted small' }),
    dailyChart: h('div', { class: 'chart', 'data-testid': 'daily-chart', 'data-points': '0' }),
    dailyLegend: h('div', { class: 'chart-legend', 'data-testid': 'daily-legend' }),
    hourlyTitle: h('h2', {}, 'Hourly values'),
    hourlyChart: h('div', { class: 'chart', 'data-testid': 'hourly-chart', 'data-points': '0' }),
  };
  const latest = latestCard();
  replace(root, controlsToolbar(c), h('div', { class: 'air-main' }, chartsColumn(), latest.card));

  function chartsColumn() {
    return h(
      'div',
      { class: 'air-left' },
      h(
        'div',
        { class: 'card' },
        h(
          'div',
          { class: 'card-head' },
          el.dailyTitle,
          h('span', { class: 'spacer' }),
          el.dailyNote,
          csvButton(
            'daily-csv',
            () => state.dailyPath,
            () => `daily_averages-${c.location.value}.csv`,
          ),
        ),
        el.dailyChart,
        el.dailyLegend,
      ),
      h(
        'div',
        { class: 'card' },
        h(
          'div',
          { class: 'card-head' },
          el.hourlyTitle,
          h('span', { class: 'spacer' }),
          h('label', { for: 'air-day', class: 'muted small' }, 'Day'),
          c.day,
          csvButton(
            'hourly-csv',
            () => state.hourlyPath,
            () => `hourly-${c.location.value}-${state.chosenDay}.csv`,
          ),
        ),
        el.hourlyChart,
        h('p', { class: 'muted small hint' }, 'Click a day in the chart above to see its hours.'),
      ),
    );
  }

  async function init() {
    try {
      const [locs, std] = await Promise.all([api.get('/api/locations'), getStandards()]);
      state.locations = locs.locations;
      state.standards = std;
    } catch (err) {
      setStatus(`could not load locations: ${err.message}`);
      return;
    }
    if (state.locations.length === 0) {
      replace(root, firstRunGuide());
      return;
    }
    fillLocations(c.location, state.locations);
    applyWantedLocation();
    fillParameters(c.parameter, currentLocation(), state.chosenParameter);
    resetRange(c, currentLocation());
    state.loaded = true;
    await Promise.all([loadCharts(), loadLatest()]);
  }

  function applyWantedLocation() {
    const wanted = state.wantedLocation;
    if (wanted && state.locations.some((l) => String(l.id) === wanted)) c.location.value = wanted;
    state.wantedLocation = null;
  }

  function locationChanged() {
    fillParameters(c.parameter, currentLocation(), state.chosenParameter);
    resetRange(c, currentLocation());
    loadCharts();
  }

  function currentLocation() {
    return state.locations.find((l) => String(l.id) === c.location.value);
  }

  function currentParameter() {
    return currentLocation()?.parameters[Number(c.parameter.value)];
  }

  /** The filter of the rows a chart shows: this location's sensor of this parameter. */
  function sensorFilter(from, to) {
    const loc = currentLocation();
    const p = currentParameter();
    if (!loc || !p) return null;
    return query({
      location_id: loc.id,
      sensor_id: p.sensorId ?? undefined,
      parameter: p.parameter,
      from,
      to,
    });
  }

  async function loadCharts() {
    if (!state.loaded) return;
    await loadDaily();
    await loadHourly();
  }

  async function loadDaily() {
    const loc = currentLocation();
    const p = currentParameter();
    const filter = sensorFilter(c.from.value, c.to.value);
    state.dailyPlot?.destroy();
    state.dailyPlot = null;
    state.dailyPath = filter === null ? null : `/api/prod/daily_averages${filter}`;
    if (!loc || !p || !state.dailyPath) {
      drawDaily({
        chart: el.dailyChart,
        legend: el.dailyLegend,
        rows: [],
        p: null,
        standards: state.standards,
      });
      return;
    }
    const data = await api.get(state.dailyPath);
    const rows = data.rows
      .filter((r) => r.units === p.units)
      .sort((a, b) => String(a.local_date).localeCompare(String(b.local_date)));
    el.dailyTitle.textContent = `Daily averages · ${p.parameter} (${p.units})`;
    el.dailyNote.textContent = `${loc.name}${loc.timezone ? ` · local days in ${loc.timezone}` : ''}`;
    if (!state.chosenDay || !rows.some((r) => r.local_date === state.chosenDay))
      state.chosenDay = rows.at(-1)?.local_date ?? null;
    c.day.value = state.chosenDay ?? '';
    state.dailyPlot = drawDaily({
      chart: el.dailyChart,
      legend: el.dailyLegend,
      rows,
      p,
      standards: state.standards,
      onPickDay: (day) => {
        state.chosenDay = day;
        c.day.value = day;
        loadHourly();
      },
    });
  }

  async function loadHourly() {
    const loc = currentLocation();
    const p = currentParameter();
    state.hourlyPlot?.destroy();
    state.hourlyPlot = null;
    state.hourlyPath = null;
    el.hourlyChart.replaceChildren();
    el.hourlyChart.dataset.points = '0';
    if (!loc || !p || !state.chosenDay) {
      el.hourlyChart.append(h('p', { class: 'empty-note' }, 'Choose a day.'));
      return;
    }
    el.hourlyTitle.textContent = `Hourly values · ${state.chosenDay}`;
    const path = `/api/prod/hourly${sensorFilter(state.chosenDay, state.chosenDay)}`;
    let data;
    try {
      data = await api.get(path);
    } catch (err) {
      el.hourlyChart.append(h('p', { class: 'empty-note' }, err.message));
      return;
    }
    state.hourlyPath = path;
    state.hourlyPlot = drawHourly({ chart: el.hourlyChart, data, p, tz: loc.timezone ?? 'Etc/UTC' });
  }

  async function loadLatest() {
    try {
      renderLatest(latest.body, await api.get(LATEST_PATH), state.locations, state.standards);
    } catch (err) {
      latestError(latest.body, err.message);
    }
  }

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      state.dailyPlot?.setSize({ width: chartWidth(el.dailyChart), height: DAILY_HEIGHT });
      state.hourlyPlot?.setSize({ width: chartWidth(el.hourlyChart), height: HOURLY_HEIGHT });
    }, 150);
  });

  return {
    /** @param {string} [locationId] from #air/ID (the map's links) */
    show(locationId) {
      state.wantedLocation = locationId ?? null;
      if (!state.loaded) {
        init();
        return;
      }
      if (state.wantedLocation && state.wantedLocation !== c.location.value) {
        applyWantedLocation();
        locationChanged();
      }
      loadLatest();
    },
    hide() {},
  };
}
