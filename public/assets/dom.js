// @ts-check
// A small element builder and the formatting helpers the views share.

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

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** Time of day only (HH:MM:SS, local), for rows whose date is known from context. */
export function fmtClock(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** A measurement value with as many digits as its size needs: 152, 41.8, 3.25, 0.031. */
export function fmtValue(v) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return '—';
  const n = Number(v);
  const a = Math.abs(n);
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  if (a === 0) return '0';
  return n.toPrecision(2);
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s % 60)} s`;
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function fmtInt(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
}

export function fmtNum(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '—';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Today's date (YYYY-MM-DD) in the browser's zone. */
export function todayLocal() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
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

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** A wall-clock time as the lake writes it ("2024-03-24 13:00:00" or "2024-03-24T13:00") → "Mar 24 13:00". */
export function shortLocalTime(v) {
  if (v === null || v === undefined) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}))?/.exec(String(v));
  if (!m) return String(v);
  return `${MONTH_NAMES[Number(m[2]) - 1]} ${Number(m[3])}${m[4] ? ` ${m[4]}` : ''}`;
}

/** First-run guidance: the commands that put data into an empty lake. */
export function firstRunGuide() {
  return h(
    'div',
    { class: 'card first-run', 'data-testid': 'first-run' },
    h('h2', {}, 'This lake has no data yet'),
    h('p', {}, 'Fill it from a terminal in the folder you serve from, then reload this page:'),
    h(
      'pre',
      { class: 'commands' },
      '# try it without an API key (built-in simulator):\naqlake demo\n\n' +
        '# or with your OpenAQ key in .env (OPENAQ_API_KEY=…):\n' +
        'aqlake init\n' +
        'aqlake locations search --near 51.5,-0.12 --radius 10 --add\n' +
        'aqlake run --from 2025-01-01 --to 2025-01-07',
    ),
  );
}
