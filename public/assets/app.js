// @ts-check
// The page: four views behind tabs (#pipeline, #air[/LOCATION], #map, #catalog), a shared status line and the banner
// (token needed, server unreachable).

import { createAirView } from './air/air-view.js';
import { adoptTokenFromUrl, onApiError, onReachable } from './api.js';
import { createCatalogView } from './catalog/catalog-view.js';
import { createMapView } from './map/map-view.js';
import { createPipelineView } from './pipeline/pipeline-view.js';

adoptTokenFromUrl();

const banner = /** @type {HTMLElement} */ (document.querySelector('[data-testid="banner"]'));
function showBanner(kind, text) {
  banner.textContent = text;
  banner.dataset.kind = kind;
  banner.hidden = false;
}
onApiError((err) => {
  if (err.status === 401)
    showBanner(
      'token',
      'This server needs a token. Open the page as …/?token=YOUR_TOKEN (the token is kept for this tab only).',
    );
});
onReachable((up) => {
  if (!up)
    showBanner(
      'unreachable',
      `The aqlake server at ${window.location.host} cannot be reached. Is \`aqlake serve\` still running? ` +
        'The page retries on its own.',
    );
  else if (banner.dataset.kind === 'unreachable') banner.hidden = true;
});

const status = /** @type {HTMLElement} */ (document.querySelector('[data-testid="status"]'));
export function setStatus(text) {
  status.textContent = text;
}

const section = (name) => /** @type {HTMLElement} */ (document.getElementById(`view-${name}`));
const views = {
  pipeline: createPipelineView(section('pipeline'), setStatus),
  air: createAirView(section('air'), setStatus),
  map: createMapView(section('map'), setStatus),
  catalog: createCatalogView(section('catalog'), setStatus),
};
let current = null;

/** "#air/1001" → {name: "air", param: "1001"}. */
function parseHash() {
  const [name, param] = window.location.hash.replace(/^#/, '').split('/');
  return { name: views[name] ? name : 'pipeline', param: param || undefined };
}

function route() {
  const { name: next, param } = parseHash();
  if (next !== current) {
    if (current) {
      views[current].hide();
      section(current).hidden = true;
    }
    current = next;
    for (const tab of document.querySelectorAll('.tabs a')) {
      if (!(tab instanceof HTMLElement)) continue;
      const selected = tab.dataset.view === next;
      if (selected) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
      tab.classList.toggle('active', selected);
    }
    section(next).hidden = false;
    setStatus('');
    document.title = `aqlake · ${document.querySelector(`[data-view="${next}"]`)?.textContent}`;
  }
  views[next].show(param);
}

window.addEventListener('hashchange', route);
route();
