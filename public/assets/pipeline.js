// @ts-check
// The Pipeline view: Airflow-like grid of runs × tasks, a task's tries and logs, trigger / clear / backfill.
import { ApiError, api, query } from './api.js';
import {
  addDays,
  emptyRow,
  firstRunGuide,
  fmtClock,
  fmtDuration,
  fmtTime,
  h,
  replace,
  STATE_LABELS,
  stateChip,
  toast,
  todayLocal,
} from './dom.js';

const REFRESH_MS = 4000;
const LEGEND = [
  'success',
  'running',
  'scheduled',
  'queued',
  'up_for_retry',
  'failed',
  'upstream_failed',
  'skipped',
  'none',
];
const CLEARABLE = new Set(['success', 'failed', 'upstream_failed', 'skipped', 'up_for_retry']);

export function createPipelineView(root, setStatus) {
  let timer = null;
  let runs = [];
  let tasks = [];
  let limit = 30;
  let selected = null; // {runId, taskId, tryNumber?}
  let busy = false;
  let detailSig = '';
  let clearDownstream = true;

  const gridEl = h('div', { class: 'grid-wrap', 'data-testid': 'grid' });
  const runsBody = h('tbody');
  const detailEl = h('aside', { class: 'card detail', 'data-testid': 'task-panel' });
  const backfillEl = h('div', { class: 'backfill', 'data-testid': 'backfill-progress', hidden: true });

  const triggerDate = h('input', {
    type: 'date',
    id: 'trigger-date',
    value: addDays(todayLocal(), -1),
    'data-testid': 'trigger-date',
    required: true,
  });
  const triggerLocations = h('input', {
    type: 'text',
    id: 'trigger-locations',
    placeholder: 'all configured',
    inputmode: 'numeric',
    'data-testid': 'trigger-locations',
    size: 14,
  });
  const bfFrom = h('input', {
    type: 'date',
    id: 'backfill-from',
    value: addDays(todayLocal(), -7),
    'data-testid': 'backfill-from',
  });
  const bfTo = h('input', {
    type: 'date',
    id: 'backfill-to',
    value: addDays(todayLocal(), -1),
    'data-testid': 'backfill-to',
  });
  const limitSelect = h(
    'select',
    {
      id: 'grid-limit',
      'aria-label': 'Runs shown',
      onchange: () => {
        limit = Number(limitSelect.value);
        refresh();
      },
    },
    [14, 30, 60, 120].map((n) => h('option', { value: n, selected: n === limit }, `last ${n} runs`)),
  );

  replace(
    root,
    h(
      'div',
      { class: 'toolbar card' },
      h(
        'form',
        {
          class: 'inline-form',
          'data-testid': 'trigger-form',
          onsubmit: (e) => {
            e.preventDefault();
            trigger();
          },
        },
        h('span', { class: 'form-title' }, 'Run a day'),
        h('label', { for: 'trigger-date' }, 'Date'),
        triggerDate,
        h('label', { for: 'trigger-locations' }, 'Locations'),
        triggerLocations,
        h('button', { type: 'submit', class: 'primary', 'data-testid': 'trigger-button' }, 'Trigger run'),
      ),
      h('div', { class: 'toolbar-sep', 'aria-hidden': 'true' }),
      h(
        'form',
        {
          class: 'inline-form',
          'data-testid': 'backfill-form',
          onsubmit: (e) => {
            e.preventDefault();
            backfill();
          },
        },
        h('span', { class: 'form-title' }, 'Backfill'),
        h('label', { for: 'backfill-from' }, 'From'),
        bfFrom,
        h('label', { for: 'backfill-to' }, 'To'),
        bfTo,
        h('button', { type: 'submit', 'data-testid': 'backfill-button' }, 'Start backfill'),
      ),
      backfillEl,
    ),
    h(
      'div',
      { class: 'pipeline-main' },
      h(
        'div',
        { class: 'pipeline-left' },
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'card-head' },
            h('h2', {}, 'openaq_daily'),
            h('span', { class: 'muted' }, 'runs × tasks'),
            h('span', { class: 'spacer' }),
            limitSelect,
          ),
          gridEl,
          h(
            'ul',
            { class: 'legend', 'aria-label': 'Task states' },
            LEGEND.map((s) => h('li', {}, h('span', { class: `swatch state-${s}` }), STATE_LABELS[s])),
          ),
        ),
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'card-head' },
            h('h2', {}, 'Runs'),
            h('span', { class: 'muted' }, 'newest first'),
          ),
          h(
            'div',
            { class: 'table-scroll runs-scroll' },
            h(
              'table',
              { class: 'data', 'data-testid': 'runs-table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, 'Date'),
                  h('th', {}, 'Type'),
                  h('th', {}, 'State'),
                  h('th', {}, 'Started'),
                  h('th', { class: 'num' }, 'Duration'),
                  h('th', {}, 'Run id'),
                ),
              ),
              runsBody,
            ),
          ),
        ),
      ),
      detailEl,
    ),
  );
  renderDetailEmpty();

  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      const data = await api.get(`/api/runs${query({ limit })}`);
      runs = data.runs;
      tasks = data.tasks;
      renderGrid();
      renderRuns();
      await refreshBackfill();
      if (selected) await renderDetail(false);
      setStatus(
        `updated ${new Date().toLocaleTimeString(undefined, { hour12: false })} · refreshes every ${REFRESH_MS / 1000} s`,
      );
    } catch (err) {
      setStatus(`refresh failed: ${err.message}`);
    } finally {
      busy = false;
    }
  }

  function renderGrid() {
    if (runs.length === 0) {
      replace(
        gridEl,
        h('p', { class: 'empty-note' }, 'No runs yet. Trigger a day or start a backfill above.'),
        firstRunGuide(),
      );
      return;
    }
    const table = h('table', { class: 'grid', role: 'grid', 'aria-label': 'Task states by run' });
    // Day numbers under each column and the month once where it changes, so 30 columns stay narrow and readable.
    const months = h('tr', { class: 'month-row' }, h('th', { class: 'task-label' }, ''));
    const head = h('tr', {}, h('th', { class: 'task-label' }, ''));
    const bars = h('tr', { class: 'run-bars' }, h('th', { class: 'task-label muted' }, 'run'));
    let lastMonth = '';
    for (const run of runs) {
      const month = run.logicalDate.slice(0, 7);
      months.append(
        h(
          'th',
          { class: 'col-month' },
          month !== lastMonth ? h('span', {}, monthLabel(run.logicalDate)) : null,
        ),
      );
      lastMonth = month;
      head.append(
        h(
          'th',
          {
            class: `col-date${run.runType === 'manual' ? ' manual' : ''}`,
            title: `${run.logicalDate} · ${run.runType}`,
          },
          run.logicalDate.slice(8),
        ),
      );
      bars.append(
        h(
          'td',
          {},
          h('span', {
            class: `run-bar state-${run.state}`,
            title: `${run.logicalDate} · ${run.runType} · ${run.state}`,
            'data-testid': 'run-bar',
            'data-run-id': run.runId,
            'data-state': run.state,
          }),
        ),
      );
    }
    table.append(h('thead', {}, months, head, bars));
    const body = h('tbody');
    for (const taskId of tasks) {
      const row = h('tr', {}, h('th', { class: 'task-label', scope: 'row' }, taskId));
      for (const run of runs) {
        const state = run.taskStates[taskId] ?? 'none';
        const isSel = selected && selected.runId === run.runId && selected.taskId === taskId;
        row.append(
          h(
            'td',
            {},
            h('button', {
              type: 'button',
              class: `cell state-${state}${isSel ? ' selected' : ''}`,
              title: `${taskId} · ${run.logicalDate} · ${STATE_LABELS[state] ?? state}`,
              'aria-label': `${taskId} on ${run.logicalDate}: ${STATE_LABELS[state] ?? state}`,
              'data-testid': 'grid-cell',
              'data-run-id': run.runId,
              'data-task-id': taskId,
              'data-date': run.logicalDate,
              'data-state': state,
              onclick: () => select(run.runId, taskId),
            }),
          ),
        );
      }
      body.append(row);
    }
    table.append(body);
    replace(gridEl, table);
  }

  function renderRuns() {
    const newest = [...runs].reverse();
    replace(
      runsBody,
      newest.length === 0
        ? emptyRow(6, 'No runs yet.')
        : newest.map((r) =>
            h(
              'tr',
              { 'data-testid': 'run-row', 'data-run-id': r.runId, 'data-state': r.state },
              h('td', {}, r.logicalDate),
              h('td', {}, r.runType),
              h('td', {}, stateChip(r.state)),
              h('td', {}, fmtTime(r.startedAt)),
              h(
                'td',
                { class: 'num' },
                fmtDuration(
                  r.startedAt && r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : null,
                ),
              ),
              h('td', { class: 'mono small' }, r.runId),
            ),
          ),
    );
  }

  function select(runId, taskId) {
    selected = { runId, taskId };
    renderGrid();
    renderDetail(true);
  }

  function renderDetailEmpty() {
    replace(
      detailEl,
      h(
        'div',
        { class: 'detail-empty' },
        h('h2', {}, 'Task'),
        h('p', { class: 'muted' }, 'Click a cell in the grid to see the task’s tries and log.'),
      ),
    );
  }

  async function renderDetail(loading) {
    const { runId, taskId } = selected;
    const run = runs.find((r) => r.runId === runId);
    if (loading) replace(detailEl, h('p', { class: 'muted' }, 'Loading…'));
    let instances;
    try {
      instances = (await api.get(`/api/runs/${encodeURIComponent(runId)}/tasks`)).tasks;
    } catch (err) {
      replace(detailEl, h('p', { class: 'error-text' }, err.message));
      return;
    }
    if (!selected || selected.runId !== runId || selected.taskId !== taskId) return;
    const ti = instances.find((t) => t.taskId === taskId);
    if (!ti) {
      replace(
        detailEl,
        h('h2', {}, taskId),
        h('p', { class: 'muted' }, 'This run has no instance of the task.'),
      );
      return;
    }
    const tryNumber = selected.tryNumber ?? ti.tryNumber;
    // A refresh redraws the panel only when something changed, so scrolling and focus survive; a running try's log still grows.
    const sig = JSON.stringify([runId, taskId, tryNumber, ti.state, ti.tryNumber, ti.endedAt, ti.error]);
    const oldLog = detailEl.querySelector('.log');
    if (!loading && sig === detailSig && oldLog) {
      if (ti.state === 'running' && tryNumber === ti.tryNumber)
        await loadLog(runId, taskId, tryNumber, oldLog);
      return;
    }
    detailSig = sig;
    const downstream = h('input', {
      type: 'checkbox',
      id: 'clear-downstream',
      checked: clearDownstream,
      'data-testid': 'clear-downstream',
      onchange: () => {
        clearDownstream = downstream.checked;
      },
    });
    const logEl = h(
      'pre',
      { class: 'log', 'data-testid': 'task-log', tabindex: 0 },
      tryNumber ? 'Loading log…' : 'No try has started yet.',
    );
    replace(
      detailEl,
      h(
        'div',
        { class: 'detail-head' },
        h('h2', { 'data-testid': 'task-panel-title' }, taskId),
        stateChip(ti.state),
      ),
      h(
        'p',
        { class: 'muted small' },
        `${run?.logicalDate ?? ''} · ${run?.runType ?? ''} · `,
        h('span', { class: 'mono' }, runId),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', {}, 'Try'), h('dd', {}, `${ti.tryNumber} of ${ti.maxTries}`)),
        h('div', {}, h('dt', {}, 'Started'), h('dd', {}, fmtTime(ti.startedAt))),
        h('div', {}, h('dt', {}, 'Duration'), h('dd', {}, fmtDuration(ti.durationMs))),
      ),
      ti.error ? h('p', { class: 'error-text', 'data-testid': 'task-error' }, ti.error) : null,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'data-testid': 'clear-button',
            disabled: !CLEARABLE.has(ti.state),
            onclick: () => clear(runId, taskId, downstream.checked),
          },
          'Clear task',
        ),
        h('label', { class: 'check' }, downstream, ' and downstream'),
      ),
      h('h3', {}, 'Tries'),
      h(
        'table',
        { class: 'data compact', 'data-testid': 'tries-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, '#'),
            h('th', {}, 'State'),
            h('th', {}, 'Started'),
            h('th', { class: 'num' }, 'Took'),
            h('th', {}, 'Error'),
          ),
        ),
        h(
          'tbody',
          {},
          ti.tries.length === 0
            ? emptyRow(5, 'Not started.')
            : ti.tries.map((t) =>
                h(
                  'tr',
                  {
                    class: `clickable${t.tryNumber === tryNumber ? ' selected' : ''}`,
                    'data-testid': 'try-row',
                    'data-try': t.tryNumber,
                    tabindex: 0,
                    onclick: () => {
                      selected.tryNumber = t.tryNumber;
                      renderDetail(false);
                    },
                  },
                  h('td', {}, t.tryNumber),
                  h('td', {}, stateChip(t.state)),
                  h('td', { class: 'nowrap', title: t.startedAt ?? '' }, fmtClock(t.startedAt)),
                  h('td', { class: 'num nowrap' }, fmtDuration(t.durationMs)),
                  h('td', { class: 'error-cell', title: t.error ?? '' }, t.error ?? ''),
                ),
              ),
        ),
      ),
      h('h3', {}, tryNumber ? `Log of try ${tryNumber}` : 'Log'),
      logEl,
    );
    if (tryNumber) await loadLog(runId, taskId, tryNumber, logEl);
  }

  async function loadLog(runId, taskId, tryNumber, logEl) {
    const atEnd = isAtEnd(logEl);
    try {
      const text = await api.get(
        `/api/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(taskId)}/logs?try=${tryNumber}`,
      );
      logEl.replaceChildren(...formatLog(text));
      if (atEnd) logEl.scrollTop = logEl.scrollHeight;
    } catch (err) {
      logEl.textContent =
        err instanceof ApiError && err.status === 404 ? 'No log for this try.' : err.message;
    }
  }

  async function trigger() {
    const locations = triggerLocations.value.trim();
    const body = { date: triggerDate.value };
    if (locations)
      body.locations = locations
        .split(/[\s,]+/)
        .filter(Boolean)
        .map(Number);
    try {
      const run = await api.post('/api/trigger', body);
      toast(`Triggered ${run.runId}`);
      await refresh();
    } catch (err) {
      toast(`Trigger failed: ${err.message}`, 'error');
    }
  }

  async function clear(runId, taskId, downstream) {
    try {
      const res = await api.post('/api/clear', { runId, task: taskId, downstream });
      toast(`Cleared ${res.cleared.join(', ') || 'nothing'}`);
      if (selected) selected.tryNumber = undefined;
      await refresh();
    } catch (err) {
      toast(`Clear failed: ${err.message}`, 'error');
    }
  }

  async function backfill() {
    try {
      const p = await api.post('/api/backfill', { from: bfFrom.value, to: bfTo.value });
      toast(`Backfill ${p.from} → ${p.to} started`);
      await refresh();
    } catch (err) {
      toast(`Backfill failed: ${err.message}`, 'error');
    }
  }

  async function refreshBackfill() {
    const { backfill: p } = await api.get('/api/backfill');
    if (!p) {
      backfillEl.hidden = true;
      return;
    }
    const done = p.doneRuns + p.failedRuns;
    const pct = p.totalRuns ? Math.round((100 * done) / p.totalRuns) : 0;
    backfillEl.hidden = false;
    backfillEl.dataset.state = p.state;
    replace(
      backfillEl,
      h('span', { class: 'form-title' }, p.state === 'running' ? 'Backfill running' : `Backfill ${p.state}`),
      h('span', { class: 'muted small' }, `${p.from} → ${p.to}`),
      h(
        'div',
        {
          class: 'progress',
          role: 'progressbar',
          'aria-valuemin': 0,
          'aria-valuemax': p.totalRuns,
          'aria-valuenow': done,
        },
        h('div', {
          class: 'progress-ok',
          style: { width: `${(100 * p.doneRuns) / Math.max(1, p.totalRuns)}%` },
        }),
        h('div', {
          class: 'progress-failed',
          style: { width: `${(100 * p.failedRuns) / Math.max(1, p.totalRuns)}%` },
        }),
      ),
      h(
        'span',
        { class: 'small', 'data-testid': 'backfill-counts' },
        `${p.doneRuns}/${p.totalRuns} done${p.failedRuns ? `, ${p.failedRuns} failed` : ''}${p.runningRuns ? `, ${p.runningRuns} running` : ''} (${pct}%)`,
      ),
      p.error ? h('span', { class: 'error-text small' }, p.error) : null,
    );
  }

  return {
    show() {
      refresh();
      timer = setInterval(refresh, REFRESH_MS);
    },
    hide() {
      clearInterval(timer);
      timer = null;
    },
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function monthLabel(date) {
  return `${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
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
