// @ts-check
// The Air quality view: daily averages of one sensor with the WHO guideline and AQI colours, hourly values of a day, latest values.
import { api, query } from './api.js';
import { addDays, emptyRow, firstRunGuide, fmtValue, h, replace, shortLocalTime } from './dom.js';
import { csvButton } from './downloads.js';
import { aqiCategory, aqiScale, whoGuideline } from './standards.js';

const DEFAULT_DAYS = 30;

export function createAirView(root, setStatus) {
  let locations = [];
  let standards = null;
  let loaded = false;
  let dailyPlot = null;
  let hourlyPlot = null;
  let dailyRows = [];
  let chosenDay = null;
  /** The parameter the user picked, kept when they switch location. */
  let chosenParameter = null;
  /** The location a link (#air/ID) asked for, applied once the locations are loaded. */
  let wantedLocation = null;
  /** The API paths of the rows each chart and table shows now (their CSV buttons download these). */
  let dailyPath = null;
  let hourlyPath = null;

  const locationSelect = h('select', {
    id: 'air-location',
    'data-testid': 'location-select',
    onchange: () => {
      fillParameters();
      resetRange();
      loadAll();
    },
  });
  const parameterSelect = h('select', {
    id: 'air-parameter',
    'data-testid': 'parameter-select',
    onchange: () => {
      chosenParameter = currentParameter()?.parameter ?? null;
      loadAll();
    },
  });
  const fromInput = h('input', {
    type: 'date',
    id: 'air-from',
    'data-testid': 'air-from',
    onchange: () => loadAll(),
  });
  const toInput = h('input', {
    type: 'date',
    id: 'air-to',
    'data-testid': 'air-to',
    onchange: () => loadAll(),
  });
  const dayInput = h('input', {
    type: 'date',
    id: 'air-day',
    'data-testid': 'hourly-day',
    onchange: () => {
      chosenDay = dayInput.value;
      loadHourly();
    },
  });

  const dailyTitle = h('h2', {}, 'Daily averages');
  const dailyNote = h('span', { class: 'muted small' });
  const dailyChart = h('div', { class: 'chart', 'data-testid': 'daily-chart', 'data-points': '0' });
  const dailyLegend = h('div', { class: 'chart-legend', 'data-testid': 'daily-legend' });
  const hourlyTitle = h('h2', {}, 'Hourly values');
  const hourlyChart = h('div', { class: 'chart', 'data-testid': 'hourly-chart', 'data-points': '0' });
  const latestBody = h('tbody');

  replace(
    root,
    h(
      'form',
      { class: 'toolbar card', onsubmit: (e) => e.preventDefault() },
      h(
        'div',
        { class: 'inline-form' },
        h('label', { for: 'air-location' }, 'Location'),
        locationSelect,
        h('label', { for: 'air-parameter' }, 'Parameter'),
        parameterSelect,
        h('label', { for: 'air-from' }, 'From'),
        fromInput,
        h('label', { for: 'air-to' }, 'To'),
        toInput,
      ),
    ),
    h(
      'div',
      { class: 'air-main' },
      h(
        'div',
        { class: 'air-left' },
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'card-head' },
            dailyTitle,
            h('span', { class: 'spacer' }),
            dailyNote,
            csvButton(
              'daily-csv',
              () => dailyPath,
              () => `daily_averages-${locationSelect.value}.csv`,
            ),
          ),
          dailyChart,
          dailyLegend,
        ),
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'card-head' },
            hourlyTitle,
            h('span', { class: 'spacer' }),
            h('label', { for: 'air-day', class: 'muted small' }, 'Day'),
            dayInput,
            csvButton(
              'hourly-csv',
              () => hourlyPath,
              () => `hourly-${locationSelect.value}-${chosenDay}.csv`,
            ),
          ),
          hourlyChart,
          h('p', { class: 'muted small hint' }, 'Click a day in the chart above to see its hours.'),
        ),
      ),
      h(
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
            () => '/api/prod/latest',
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
            latestBody,
          ),
        ),
      ),
    ),
  );

  async function init() {
    try {
      const [locs, std] = await Promise.all([api.get('/api/locations'), api.get('/api/standards')]);
      locations = locs.locations;
      standards = std;
    } catch (err) {
      setStatus(`could not load locations: ${err.message}`);
      return;
    }
    if (locations.length === 0) {
      replace(root, firstRunGuide());
      return;
    }
    replace(
      locationSelect,
      locations.map((l) => h('option', { value: l.id }, `${l.name} (#${l.id})`)),
    );
    applyWantedLocation();
    fillParameters();
    resetRange();
    loaded = true;
    await Promise.all([loadAll(), loadLatest()]);
  }

  function applyWantedLocation() {
    if (wantedLocation && locations.some((l) => String(l.id) === wantedLocation))
      locationSelect.value = wantedLocation;
    wantedLocation = null;
  }

  function currentLocation() {
    return locations.find((l) => String(l.id) === locationSelect.value);
  }

  function currentParameter() {
    const loc = currentLocation();
    return loc?.parameters[Number(parameterSelect.value)];
  }

  function fillParameters() {
    const loc = currentLocation();
    // Keep the parameter across locations; start with the one people look at first.
    const names = (loc?.parameters ?? []).map((p) => p.parameter);
    const wanted = [chosenParameter, 'pm25', 'pm10', 'no2'].find((n) => n && names.includes(n));
    const previous = wanted ?? names[0];
    replace(
      parameterSelect,
      (loc?.parameters ?? []).map((p, i) =>
        h(
          'option',
          { value: i, 'data-parameter': p.parameter, selected: p.parameter === previous },
          `${p.parameter} (${p.units})${sensorSuffix(loc, p)}`,
        ),
      ),
    );
  }

  function resetRange() {
    const loc = currentLocation();
    if (!loc?.lastDate) return;
    toInput.value = loc.lastDate;
    const from = addDays(loc.lastDate, -(DEFAULT_DAYS - 1));
    fromInput.value = loc.firstDate && loc.firstDate > from ? loc.firstDate : from;
  }

  async function loadAll() {
    if (!loaded && locations.length === 0) return;
    await loadDaily();
    await loadHourly();
  }

  async function loadDaily() {
    const loc = currentLocation();
    const p = currentParameter();
    if (!loc || !p) {
      dailyPath = null;
      drawDaily([], null);
      return;
    }
    dailyPath = `/api/prod/daily_averages${query({ location_id: loc.id, sensor_id: p.sensorId ?? undefined, parameter: p.parameter, from: fromInput.value, to: toInput.value })}`;
    const data = await api.get(dailyPath);
    dailyRows = data.rows
      .filter((r) => r.units === p.units)
      .sort((a, b) => String(a.local_date).localeCompare(String(b.local_date)));
    dailyTitle.textContent = `Daily averages · ${p.parameter} (${p.units})`;
    dailyNote.textContent = `${loc.name}${loc.timezone ? ` · local days in ${loc.timezone}` : ''}`;
    if (!chosenDay || !dailyRows.some((r) => r.local_date === chosenDay))
      chosenDay = dailyRows.at(-1)?.local_date ?? null;
    dayInput.value = chosenDay ?? '';
    drawDaily(dailyRows, p);
  }

  function drawDaily(rows, p) {
    dailyPlot?.destroy();
    dailyPlot = null;
    dailyChart.replaceChildren();
    const points = rows.filter((r) => r.value_avg !== null && r.value_avg !== undefined);
    dailyChart.dataset.points = String(points.length);
    if (!p || rows.length === 0) {
      dailyChart.append(
        h(
          'p',
          { class: 'empty-note' },
          p ? 'No daily averages in this range.' : 'Pick a location and a parameter.',
        ),
      );
      replace(dailyLegend);
      return;
    }
    const xs = rows.map((r) => dayToTs(r.local_date));
    const avg = rows.map((r) => num(r.value_avg));
    const min = rows.map((r) => num(r.value_min));
    const max = rows.map((r) => num(r.value_max));
    const who = whoGuideline(standards, p.parameter, p.units);
    const colorOf = (v) => aqiCategory(standards, p.parameter, p.units, v)?.color ?? null;
    const opts = {
      width: chartWidth(dailyChart),
      height: 260,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      cursor: { points: { size: 9 } },
      legend: { show: true, live: true },
      scales: {
        // Half a day of margin on each side, so the first and last day are not drawn on the frame.
        x: { time: true, range: (_u, lo, hi) => [lo - DAY / 2, hi + DAY / 2] },
        y: { range: (_u, lo, hi) => [Math.min(0, lo), Math.max(hi, who ?? 0) * 1.12 || 1] },
      },
      axes: [
        axis({ incrs: DAY_INCRS, space: 48, values: (_u, splits) => splits.map(dayTick) }),
        axis({ label: p.units, size: 56 }),
      ],
      series: [
        { label: 'Day', value: (_u, ts) => (ts === null ? '—' : tsToDay(ts)) },
        {
          label: 'Daily mean',
          stroke: '#1d4ed8',
          width: 2,
          points: { show: false },
          value: (_u, v) => fmtValue(v),
        },
        {
          label: 'Lowest hour',
          stroke: 'rgba(29,78,216,0.25)',
          width: 1,
          points: { show: false },
          value: (_u, v) => fmtValue(v),
        },
        {
          label: 'Highest hour',
          stroke: 'rgba(29,78,216,0.25)',
          width: 1,
          points: { show: false },
          value: (_u, v) => fmtValue(v),
        },
      ],
      bands: [{ series: [3, 2], fill: 'rgba(29,78,216,0.08)' }],
      hooks: {
        drawClear: [(u) => drawAqiBands(u, standards, p)],
        draw: [
          (u) => {
            if (who !== null) drawGuideline(u, who, `WHO 24-h guideline ${who} ${p.units}`);
            drawColouredPoints(u, 1, colorOf);
          },
        ],
      },
    };
    dailyPlot = new uPlot(opts, [xs, avg, min, max], dailyChart);
    dailyPlot.over.addEventListener('click', () => {
      const idx = dailyPlot.cursor.idx;
      if (idx === null || idx === undefined) return;
      chosenDay = rows[idx].local_date;
      dayInput.value = chosenDay;
      loadHourly();
    });
    replace(
      dailyLegend,
      who !== null
        ? h(
            'span',
            { class: 'legend-item' },
            h('span', { class: 'guide-swatch' }),
            `WHO 24-hour guideline: ${who} ${p.units}`,
          )
        : h('span', { class: 'muted small' }, `No WHO 24-hour guideline for ${p.parameter} in ${p.units}.`),
      aqiLegend(standards, p),
    );
  }

  async function loadHourly() {
    const loc = currentLocation();
    const p = currentParameter();
    hourlyPlot?.destroy();
    hourlyPlot = null;
    hourlyChart.replaceChildren();
    hourlyChart.dataset.points = '0';
    hourlyPath = null;
    if (!loc || !p || !chosenDay) {
      hourlyChart.append(h('p', { class: 'empty-note' }, 'Choose a day.'));
      return;
    }
    hourlyTitle.textContent = `Hourly values · ${chosenDay}`;
    let data;
    try {
      const path = `/api/prod/hourly${query({ location_id: loc.id, sensor_id: p.sensorId ?? undefined, parameter: p.parameter, from: chosenDay, to: chosenDay })}`;
      data = await api.get(path);
      hourlyPath = path;
    } catch (err) {
      hourlyChart.append(h('p', { class: 'empty-note' }, err.message));
      return;
    }
    const timeCol = ['hour_end_utc', 'hour_end', 'datetime_utc', 'period_end_utc', 'hour_end_local'].find(
      (c) => data.columns.includes(c),
    );
    const valueCol = ['value_avg', 'value', 'value_mean'].find((c) => data.columns.includes(c));
    const rows = data.rows
      .filter((r) => r.units === undefined || r.units === p.units)
      .map((r) => ({ ts: Date.parse(normalizeTs(r[timeCol])) / 1000, v: num(r[valueCol]) }))
      .filter((r) => Number.isFinite(r.ts))
      .sort((a, b) => a.ts - b.ts);
    hourlyChart.dataset.points = String(rows.filter((r) => r.v !== null).length);
    if (!timeCol || !valueCol || rows.length === 0) {
      hourlyChart.append(h('p', { class: 'empty-note' }, 'No hourly values for this day.'));
      return;
    }
    const tz = loc.timezone ?? 'Etc/UTC';
    hourlyPlot = new uPlot(
      {
        width: chartWidth(hourlyChart),
        height: 180,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
        legend: { show: true, live: true },
        scales: { x: { time: true }, y: { range: (_u, lo, hi) => [Math.min(0, lo), hi * 1.12 || 1] } },
        axes: [
          axis({ values: (_u, splits) => splits.map(hourTick(tz)) }),
          axis({ label: p.units, size: 56 }),
        ],
        series: [
          { label: `Hour ending (${tz})`, value: (_u, ts) => (ts === null ? '—' : hourTick(tz)(ts)) },
          {
            label: p.parameter,
            stroke: '#0f766e',
            width: 2,
            fill: 'rgba(15,118,110,0.08)',
            points: { show: true, size: 5, fill: '#0f766e' },
            value: (_u, v) => fmtValue(v),
          },
        ],
      },
      [rows.map((r) => r.ts), rows.map((r) => r.v)],
      hourlyChart,
    );
  }

  async function loadLatest() {
    let data;
    try {
      data = await api.get('/api/prod/latest');
    } catch (err) {
      replace(latestBody, emptyRow(4, err.message));
      return;
    }
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

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      dailyPlot?.setSize({ width: chartWidth(dailyChart), height: 260 });
      hourlyPlot?.setSize({ width: chartWidth(hourlyChart), height: 180 });
    }, 150);
  });

  return {
    /** @param {string} [locationId] from #air/ID (the map's links) */
    show(locationId) {
      wantedLocation = locationId ?? null;
      if (!loaded) init();
      else {
        if (wantedLocation && wantedLocation !== locationSelect.value) {
          applyWantedLocation();
          fillParameters();
          resetRange();
          loadAll();
        }
        loadLatest();
      }
    },
    hide() {},
  };
}

function sensorSuffix(loc, p) {
  const same = loc.parameters.filter((q) => q.parameter === p.parameter && q.units === p.units);
  return same.length > 1 && p.sensorId ? ` · sensor ${p.sensorId}` : '';
}

function num(v) {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

const DAY = 86_400;
/** Tick spacings of the daily chart: whole days only. */
const DAY_INCRS = [1, 2, 3, 7, 14, 28, 56, 91, 182, 365].map((d) => d * DAY);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Daily x ticks are UTC midnights standing for local dates: "Mar 5". */
function dayTick(ts) {
  const d = new Date(ts * 1000);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** Hourly x ticks on the location's clock, 24-hour: "13:00". */
function hourTick(tz) {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  return (ts) => fmt.format(new Date(ts * 1000));
}

function dayToTs(day) {
  return Date.parse(`${String(day).slice(0, 10)}T00:00:00Z`) / 1000;
}

function tsToDay(ts) {
  return new Date(ts * 1000).toISOString().slice(0, 10);
}

/** DuckDB may send "2024-03-05 13:00:00" for a naive UTC timestamp; make it parse as UTC. */
function normalizeTs(v) {
  const s = String(v ?? '');
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) return `${s.replace(' ', 'T')}Z`;
  return s;
}

function chartWidth(el) {
  return Math.max(320, Math.floor(el.getBoundingClientRect().width || el.parentElement.clientWidth - 32));
}

function axis(extra) {
  return {
    stroke: '#4b5563',
    grid: { stroke: '#eceff3', width: 1 },
    ticks: { stroke: '#d5dae1', width: 1 },
    font: '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    labelFont: '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    ...extra,
  };
}

/** Light horizontal bands for the AQI categories behind the data, so a glance tells good from unhealthy. */
function drawAqiBands(u, standards, p) {
  const scale = aqiScale(standards, p.parameter, p.units);
  if (!scale) return;
  const { ctx } = u;
  const [yMin, yMax] = [u.scales.y.min, u.scales.y.max];
  ctx.save();
  let lower = 0;
  scale.upperBounds.forEach((upper, i) => {
    const top = upper === null ? yMax : Math.min(upper, yMax);
    if (top > yMin && lower < yMax) {
      const y0 = u.valToPos(Math.max(lower, yMin), 'y', true);
      const y1 = u.valToPos(top, 'y', true);
      ctx.fillStyle = hexAlpha(standards.aqiCategories[i].color, 0.1);
      ctx.fillRect(u.bbox.left, y1, u.bbox.width, y0 - y1);
    }
    lower = upper ?? lower;
  });
  ctx.restore();
}

function drawGuideline(u, value, label) {
  const { ctx } = u;
  const y = Math.round(u.valToPos(value, 'y', true)) + 0.5;
  ctx.save();
  ctx.strokeStyle = '#b91c1c';
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, y);
  ctx.lineTo(u.bbox.left + u.bbox.width, y);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = `600 ${11 * devicePixelRatio}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  const x = u.bbox.left + 6 * devicePixelRatio;
  const w = ctx.measureText(label).width;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(
    x - 3 * devicePixelRatio,
    y - 16 * devicePixelRatio,
    w + 6 * devicePixelRatio,
    14 * devicePixelRatio,
  );
  ctx.fillStyle = '#b91c1c';
  ctx.fillText(label, x, y - 3 * devicePixelRatio);
  ctx.restore();
}

/** Each day's mean as a dot in its AQI category colour (the line's colour where no AQI scale applies). */
function drawColouredPoints(u, seriesIdx, colorOf) {
  const { ctx } = u;
  const xs = u.data[0];
  const ys = u.data[seriesIdx];
  const r = 4.5 * devicePixelRatio;
  ctx.save();
  ctx.lineWidth = 1.5 * devicePixelRatio;
  for (let i = 0; i < xs.length; i++) {
    const v = ys[i];
    if (v === null || v === undefined) continue;
    const x = u.valToPos(xs[i], 'x', true);
    const y = u.valToPos(v, 'y', true);
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = colorOf(v) ?? '#1d4ed8';
    ctx.fill();
    ctx.strokeStyle = '#1f2937';
    ctx.stroke();
  }
  ctx.restore();
}

function aqiLegend(standards, p) {
  const scale = aqiScale(standards, p.parameter, p.units);
  if (!scale) return h('span', { class: 'muted small' }, 'US AQI colours apply to PM2.5 and PM10 in µg/m³.');
  let lower = 0;
  return h(
    'span',
    { class: 'aqi-legend', 'aria-label': 'US AQI categories' },
    h('span', { class: 'muted small' }, 'US AQI:'),
    standards.aqiCategories.map((c, i) => {
      const upper = scale.upperBounds[i];
      const range = upper === null ? `> ${lower}` : `${lower}–${upper}`;
      lower = upper ?? lower;
      return h(
        'span',
        { class: 'legend-item', title: `${c.name}: ${range} ${p.units}` },
        h('span', { class: 'aqi-dot', style: { background: c.color } }),
        c.name,
      );
    }),
  );
}

function hexAlpha(hex, alpha) {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}
