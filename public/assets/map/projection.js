// @ts-check
// A plain equirectangular projection fitted to a box of pixels, with longitude scaled by cos(mid-latitude) so the
// scope's area keeps its shape. Pure functions: no DOM.

/** @typedef {{minLon: number, minLat: number, maxLon: number, maxLat: number}} Extent */
/** @typedef {{project: (lon: number, lat: number) => [number, number], width: number, height: number}} Projection */

/** The points' extent, padded, at least `minSpan` degrees wide and high (one station does not fill the map). */
export function extentOf(points, pad = 0.15, minSpan = 3) {
  if (points.length === 0) return { minLon: -170, minLat: -58, maxLon: 180, maxLat: 78 };
  let minLon = Math.min(...points.map((p) => p.longitude));
  let maxLon = Math.max(...points.map((p) => p.longitude));
  let minLat = Math.min(...points.map((p) => p.latitude));
  let maxLat = Math.max(...points.map((p) => p.latitude));
  const widen = (lo, hi, limitLo, limitHi) => {
    const span = Math.max(hi - lo, minSpan);
    const mid = (lo + hi) / 2;
    const half = (span * (1 + 2 * pad)) / 2;
    return [Math.max(limitLo, mid - half), Math.min(limitHi, mid + half)];
  };
  [minLon, maxLon] = widen(minLon, maxLon, -180, 180);
  [minLat, maxLat] = widen(minLat, maxLat, -85, 85);
  return { minLon, minLat, maxLon, maxLat };
}

/**
 * Fits `extent` into width×height pixels, centred.
 * @param {Extent} extent @param {number} width @param {number} height
 * @returns {Projection}
 */
export function fitProjection(extent, width, height) {
  const k = Math.cos((((extent.minLat + extent.maxLat) / 2) * Math.PI) / 180);
  const spanX = (extent.maxLon - extent.minLon) * k;
  const spanY = extent.maxLat - extent.minLat;
  const scale = Math.min(width / spanX, height / spanY);
  const offsetX = (width - spanX * scale) / 2;
  const offsetY = (height - spanY * scale) / 2;
  return {
    width,
    height,
    project: (lon, lat) => [
      offsetX + (lon - extent.minLon) * k * scale,
      offsetY + (extent.maxLat - lat) * scale,
    ],
  };
}

/**
 * SVG path data of GeoJSON (Multi)Polygon and (Multi)LineString geometries.
 * @param {any} geojson a FeatureCollection, Feature or geometry
 * @param {Projection} projection
 */
export function pathOf(geojson, projection) {
  const parts = [];
  // A ring that crosses the antimeridian jumps between +180 and -180: unwrap its longitudes so it continues past the
  // map's edge (where the SVG clips it) instead of drawing a chord across the whole map.
  const ring = (coords) => {
    let d = '';
    let previousLon = null;
    let offset = 0;
    for (const [rawLon, lat] of coords) {
      if (previousLon !== null && rawLon - previousLon > 180) offset -= 360;
      else if (previousLon !== null && previousLon - rawLon > 180) offset += 360;
      previousLon = rawLon;
      const [x, y] = projection.project(rawLon + offset, lat);
      d += `${d === '' ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    }
    parts.push(d);
  };
  const geometry = (g) => {
    if (!g) return;
    if (g.type === 'Polygon') g.coordinates.forEach(ring);
    else if (g.type === 'MultiPolygon') for (const polygon of g.coordinates) polygon.forEach(ring);
    else if (g.type === 'LineString') ring(g.coordinates);
    else if (g.type === 'MultiLineString') g.coordinates.forEach(ring);
    else if (g.type === 'GeometryCollection') g.geometries.forEach(geometry);
  };
  if (geojson.type === 'FeatureCollection') for (const f of geojson.features) geometry(f.geometry);
  else if (geojson.type === 'Feature') geometry(geojson.geometry);
  else geometry(geojson);
  return parts.join('');
}
