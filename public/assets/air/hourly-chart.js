// @ts-check
// The hourly chart: one sensor's values through one local day, on the location's clock.
import { h } from '../dom.js';
import { fmtValue } from '../format.js';
import { axis, chartWidth, hourTick, normalizeTs, num } from './chart-kit.js';

export const HOURLY_HEIGHT = 180;

/**
 * Draws `data` (an /api/prod/hourly answer) of parameter `p` into `chart`, on the clock of `tz`.
 * @returns {any} the uPlot instance, or null when there is nothing to draw
 */
export function drawHourly({ chart: hourlyChart, data, p, tz }) {
  hourlyChart.replaceChildren();
  const timeCol = ['hour_end_utc', 'hour_end', 'datetime_utc', 'period_end_utc', 'hour_end_local'].find((c) =>
    data.columns.includes(c),
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
    return null;
  }
  return new uPlot(
    {
      width: chartWidth(hourlyChart),
      height: HOURLY_HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
      legend: { show: true, live: true },
      scales: { x: { time: true }, y: { range: (_u, lo, hi) => [Math.min(0, lo), hi * 1.12 || 1] } },
      axes: [axis({ values: (_u, splits) => splits.map(hourTick(tz)) }), axis({ label: p.units, size: 56 })],
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
