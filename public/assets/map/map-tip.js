// @ts-check
// The map's hover card: the station's name, its AQI and its latest value of each parameter at local time.
import { h, replace } from '../dom.js';
import { fmtValue, shortLocalTime } from '../format.js';

export function createTip() {
  const el = h('div', { class: 'map-tip', role: 'tooltip', 'data-testid': 'map-tip', hidden: true });
  return {
    el,
    /** Shows `l`'s card next to (x, y) inside a frame `frameWidth` pixels wide. */
    show(l, x, y, frameWidth) {
      replace(el, ...tipContent(l));
      el.hidden = false;
      const left = Math.min(Math.max(4, x + 12), Math.max(4, frameWidth - el.offsetWidth - 4));
      el.style.left = `${left}px`;
      el.style.top = `${Math.max(4, y - el.offsetHeight - 10)}px`;
    },
    hide() {
      el.hidden = true;
    },
  };
}

function tipContent(l) {
  return [
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
  ];
}
