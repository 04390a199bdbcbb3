// @ts-check
// uPlot helpers the air charts share: axes and ticks, day/hour conversions, and the canvas drawings (AQI bands,
// the WHO line, AQI-coloured points).
import { h } from '../dom.js';
import { aqiScale } from '../standards.js';

export function num(v) {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export const DAY = 86_400;
/** Tick spacings of the daily chart: whole days only. */
export const DAY_INCRS = [1, 2, 3, 7, 14, 28, 56, 91, 182, 365].map((d) => d * DAY);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Daily x ticks are UTC midnights standing for local dates: "Mar 5". */
export function dayTick(ts) {
  const d = new Date(ts * 1000);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/** Hourly x ticks on the location's clock, 24-hour: "13:00". */
export function hourTick(tz) {
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
  return (ts) => fmt.format(new Date(ts * 1000));
}

export function dayToTs(day) {
  return Date.parse(`${String(day).slice(0, 10)}T00:00:00Z`) / 1000;
}

export function tsToDay(ts) {
  return new Date(ts * 1000).toISOString().slice(0, 10);
}

/** DuckDB may send "2024-03-05 13:00:00" for a naive UTC timestamp; make it parse as UTC. */
export function normalizeTs(v) {
  const s = String(v ?? '');
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) return `${s.replace(' ', 'T')}Z`;
  return s;
}

export function chartWidth(el) {
  return Math.max(320, Math.floor(el.getBoundingClientRect().width || el.parentElement.clientWidth - 32));
}

export function axis(extra) {
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
export function drawAqiBands(u, standards, p) {
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

export function drawGuideline(u, value, label) {
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
export function drawColouredPoints(u, seriesIdx, colorOf) {
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

export function aqiLegend(standards, p) {
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
