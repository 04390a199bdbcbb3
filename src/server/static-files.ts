// The page's files: public/ of the package, and uPlot's, world-atlas' and topojson-client's prebuilt files straight
// from node_modules (no CDN, no copy).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { Hono } from 'hono';
import { projectPath } from '../paths.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The page talks only to its own origin; no-referrer keeps a first-load ?token= out of any Referer header. */
const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** URL path → file on disk. Only files present at start are served, so no request path reaches the filesystem. */
function pageFiles(publicDir = projectPath('public')): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of listFiles(publicDir)) {
    // The page's own JSON is its type-check setup (jsconfig.json), not for the browser.
    if (!CONTENT_TYPES[extname(file)] || extname(file) === '.json') continue;
    files.set(`/${relative(publicDir, file).split(sep).join('/')}`, file);
  }
  const uplotDist = dirname(createRequire(import.meta.url).resolve('uplot'));
  files.set('/vendor/uPlot.iife.min.js', join(uplotDist, 'uPlot.iife.min.js'));
  files.set('/vendor/uPlot.min.css', join(uplotDist, 'uPlot.min.css'));
  // The map's world outline (Natural Earth 1:110m land and countries, TopoJSON) and the converter to GeoJSON, offline.
  const requireHere = createRequire(import.meta.url);
  files.set('/vendor/countries-110m.json', requireHere.resolve('world-atlas/countries-110m.json'));
  files.set(
    '/vendor/topojson-client.min.js',
    join(dirname(requireHere.resolve('topojson-client')), 'topojson-client.min.js'),
  );
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}

export function staticRoutes(files = pageFiles()): Hono {
  const app = new Hono();
  app.get('*', (c, next) => {
    const file = files.get(c.req.path);
    if (!file) return next();
    const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
    return c.body(readFileSync(file), 200, { ...PAGE_HEADERS, 'Content-Type': type });
  });
  return app;
}
