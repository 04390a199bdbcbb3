// @ts-check
// The map's SVG: sea, land, borders and one mark per location (a circle in its AQI colour, with a <title> and an
// aria-label naming the station), fitted to the locations' extent.
import { extentOf, fitProjection, pathOf } from './projection.js';

const SVG = 'http://www.w3.org/2000/svg';

/** @param {string} tag @param {Record<string, string | number>} attrs @param {Node[]} children */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

let outlinePromise = null;
/** Natural Earth 1:110m land and the borders between countries (world-atlas via topojson-client), fetched once. */
export function loadOutline() {
  outlinePromise ??= fetch('/vendor/countries-110m.json')
    .then((res) => res.json())
    .then((topology) => ({
      land: topojson.feature(topology, topology.objects.land),
      borders: topojson.mesh(topology, topology.objects.countries, (a, b) => a !== b),
    }))
    .catch((err) => {
      outlinePromise = null;
      throw err;
    });
  return outlinePromise;
}

/** The map's size for a frame `width` pixels wide. */
export function mapSize(width) {
  const w = Math.max(300, width);
  return { width: w, height: Math.round(Math.min(620, Math.max(280, w * 0.58))) };
}

/**
 * @param {{locations: any[], outline: any, width: number, height: number,
 *   onOpen: (l: any) => void, onHover: (l: any, x: number, y: number) => void, onLeave: () => void}} args
 */
export function drawMap({ locations, outline, width, height, onOpen, onHover, onLeave }) {
  const projection = fitProjection(extentOf(locations), width, height);
  const radius = locations.length > 60 ? 4.5 : 7;
  // Worse air is drawn last, on top, where marks overlap.
  const marks = [...locations]
    .sort((a, b) => (a.aqi ?? -1) - (b.aqi ?? -1))
    .map((l) => {
      const [x, y] = projection.project(l.longitude, l.latitude);
      const g = mark(l, x, y, radius);
      g.addEventListener('click', () => onOpen(l));
      g.addEventListener('keydown', (e) => {
        if (e instanceof KeyboardEvent && (e.key === 'Enter' || e.key === ' ')) onOpen(l);
      });
      g.addEventListener('mouseenter', () => onHover(l, x, y));
      g.addEventListener('focus', () => onHover(l, x, y));
      g.addEventListener('mouseleave', onLeave);
      g.addEventListener('blur', onLeave);
      return g;
    });
  return svg(
    'svg',
    { width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': 'Map of the locations' },
    svg('rect', { class: 'sea', width, height }),
    svg('path', { class: 'land', d: pathOf(outline.land, projection) }),
    svg('path', { class: 'borders', d: pathOf(outline.borders, projection) }),
    svg('g', { class: 'marks' }, ...marks),
  );
}

function mark(l, x, y, radius) {
  return svg(
    'g',
    {
      class: 'mark',
      tabindex: 0,
      role: 'link',
      'aria-label': `${l.name}: ${l.aqiCategory ? `US AQI ${l.aqi}, ${l.aqiCategory}` : 'no US AQI'}`,
      'data-testid': 'map-mark',
      'data-location-id': l.id,
      'data-color': l.color,
      transform: `translate(${x.toFixed(1)},${y.toFixed(1)})`,
    },
    svg('title', {}, document.createTextNode(l.name)),
    svg('circle', { r: radius, fill: l.color }),
  );
}
