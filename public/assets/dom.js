// @ts-check
// A small element builder and the few elements every view uses (state chips, empty rows, the toast).

/** h('td', {class: 'num'}, '12') — attributes starting with "on" become listeners; null children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const STATE_LABELS = {
  success: 'success',
  failed: 'failed',
  running: 'running',
  up_for_retry: 'up for retry',
  upstream_failed: 'upstream failed',
  queued: 'queued',
  scheduled: 'scheduled',
  skipped: 'skipped',
  none: 'no status',
};

export function stateChip(state) {
  return h('span', { class: `chip state-${state}`, 'data-state': state }, STATE_LABELS[state] ?? state);
}

let toastTimer;
export function toast(message, kind = 'info') {
  const el = /** @type {HTMLElement} */ (document.querySelector('[data-testid="toast"]'));
  el.textContent = message;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}

export function emptyRow(colspan, text) {
  return h('tr', { class: 'empty' }, h('td', { colspan }, text));
}
