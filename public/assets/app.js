// @ts-check
// The page: three views behind tabs (#pipeline, #air, #catalog), a shared status line and the token banner.

import { createAirView } from './air.js';
import { adoptTokenFromUrl, onApiError } from './api.js';
import { createCatalogView } from './catalog.js';
import { createPipelineView } from './pipeline.js';

adoptTokenFromUrl();

const banner = /** @type {HTMLElement} */ (document.querySelector('[data-testid="banner"]'));
onApiError((err) => {
  if (err.status === 401) {
    banner.textContent =
      'This server needs a token. Open the page as …/?token=YOUR_TOKEN (the token is kept for this tab only).';
    banner.hidden = false;
  }
});

const status = document.querySelector('[data-testid="status"]');
export function setStatus(text) {
  status.textContent = text;
}

const views = {
  pipeline: createPipelineView(document.getElementById('view-pipeline'), setStatus),
  air: createAirView(document.getElementById('view-air'), setStatus),
  catalog: createCatalogView(document.getElementById('view-catalog'), setStatus),
};
let current = null;

function route() {
  const name = location.hash.replace('#', '') || 'pipeline';
  const next = views[name] ? name : 'pipeline';
  if (next === current) return;
  if (current) {
    views[current].hide();
    document.getElementById(`view-${current}`).hidden = true;
  }
  current = next;
  for (const tab of document.querySelectorAll('.tabs a')) {
    if (!(tab instanceof HTMLElement)) continue;
    const selected = tab.dataset.view === next;
    if (selected) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
    tab.classList.toggle('active', selected);
  }
  document.getElementById(`view-${next}`).hidden = false;
  setStatus('');
  document.title = `aqlake · ${document.querySelector(`[data-view="${next}"]`).textContent}`;
  views[next].show();
}

window.addEventListener('hashchange', route);
route();
