// @ts-check
// A task try's log: pino's JSON lines shown as "time level msg extra", following the end while it grows.
import { ApiError, api } from '../api.js';
import { h } from '../dom.js';

/** Loads the log of one try into `logEl`; stays at the bottom if the reader was there. */
export async function loadLog(runId, taskId, tryNumber, logEl) {
  const atEnd = isAtEnd(logEl);
  try {
    const text = await api.get(
      `/api/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/logs?try=${tryNumber}`,
    );
    logEl.replaceChildren(...formatLog(text));
    if (atEnd) logEl.scrollTop = logEl.scrollHeight;
  } catch (err) {
    logEl.textContent = err instanceof ApiError && err.status === 404 ? 'No log for this try.' : err.message;
  }
}

/** HH:MM:SS.mmm on the browser's clock, like the other times on the page. */
function localClockMs(d) {
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function isAtEnd(el) {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 8;
}

const LEVELS = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** pino writes JSON lines; show them as "time level msg {extra}" so a person can read them. */
function formatLog(text) {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length === 0) return [h('span', { class: 'muted' }, '(empty log)')];
  return lines.map((line) => {
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      return h('div', {}, line);
    }
    if (typeof rec !== 'object' || rec === null) return h('div', {}, line);
    // The run, task and try are the panel's title already; pid and host say nothing to a reader.
    const { level, time, msg, pid, hostname, dag, run, runId, task, try: _t, err, ...rest } = rec;
    const lvl = LEVELS[level] ?? String(level ?? '');
    const when = time ? localClockMs(new Date(time)) : '';
    const pairs = Object.entries(rest).map(
      ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
    const stack =
      err && typeof err === 'object' ? `\n${err.stack ?? err.message ?? JSON.stringify(err)}` : '';
    const extra = (pairs.length ? `  ${pairs.join('  ')}` : '') + stack;
    return h(
      'div',
      { class: `log-line lvl-${lvl}` },
      h('span', { class: 'log-time' }, when),
      ' ',
      h('span', { class: 'log-level' }, lvl.toUpperCase().padEnd(5)),
      ' ',
      msg ?? '',
      h('span', { class: 'log-extra' }, extra),
    );
  });
}
