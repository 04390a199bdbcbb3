// @ts-check
// The daily chart: one sensor's daily means (with the lowest and highest hour as a band), each mean a dot in its US
// AQI colour, AQI bands behind, the WHO 24-hour guideline as a dashed line.
import { h, replace } from '../dom.js';
import { fmtValue } from '../format.js';
import { aqiCategory, whoGuideline } from '../standards.js';
import {
  aqiLegend,
  axis,
  chartWidth,
  DAY,
  DAY_INCRS,
  dayTick,
  dayToTs,
  drawAqiBands,
  drawColouredPoints,
  drawGuideline,
  num,
  tsToDay,
} from './chart-kit.js';

export const DAILY_HEIGHT = 260;

/**
 * Draws the daily chart of `rows` (one sensor's days) into `chart`, and its legend; a click on a day calls onPickDay.
 * @param {{chart: HTMLElement, legend: HTMLElement, rows: any[], p: any, standards: any, onPickDay?: (day: string) => void}} args
 * @returns {any} the uPlot instance, or null when there is nothing to draw
 */
export function drawDaily({ chart: dailyChart, legend: dailyLegend, rows, p, standards, onPickDay }) {
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
    return null;
  }
  const xs = rows.map((r) => dayToTs(r.local_date));
  const avg = rows.map((r) => num(r.value_avg));
  const min = rows.map((r) => num(r.value_min));
  const max = rows.map((r) => num(r.value_max));
  const who = whoGuideline(standards, p.parameter, p.units);
  const colorOf = (v) => aqiCategory(standards, p.parameter, p.units, v)?.color ?? null;
  const opts = {
    width: chartWidth(dailyChart),
    height: DAILY_HEIGHT,
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
  const plot = new uPlot(opts, [xs, avg, min, max], dailyChart);
  plot.over.addEventListener('click', () => {
    const idx = plot.cursor.idx;
    if (idx === null || idx === undefined) return;
    onPickDay?.(rows[idx].local_date);
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
  return plot;
}
