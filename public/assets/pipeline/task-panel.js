// @ts-check
// The task panel: the selected task instance's state, tries and log, and "Clear task".
import { api } from '../api.js';
import { emptyRow, h, replace, stateChip } from '../dom.js';
import { fmtClock, fmtDuration, fmtTime } from '../format.js';
import { clearTask } from './actions.js';
import { loadLog } from './task-log.js';

const CLEARABLE = new Set(['success', 'failed', 'upstream_failed', 'skipped', 'up_for_retry']);

/**
 * @param {{runOf: (runId: string) => any, afterClear: () => Promise<void>}} deps
 */
export function createTaskPanel({ runOf, afterClear }) {
  const el = h('aside', { class: 'card detail', 'data-testid': 'task-panel' });
  /** @type {{runId: string, taskId: string, tryNumber?: number} | null} */
  let selected = null;
  let signature = '';
  let clearDownstream = true;

  function renderEmpty() {
    replace(
      el,
      h(
        'div',
        { class: 'detail-empty' },
        h('h2', {}, 'Task'),
        h('p', { class: 'muted' }, 'Click a cell in the grid to see the task’s tries and log.'),
      ),
    );
  }

  /** Redraws the panel (loading: show "Loading…" first; otherwise only when something changed). */
  async function render(loading) {
    if (!selected) return;
    const { runId, taskId } = selected;
    if (loading) replace(el, h('p', { class: 'muted' }, 'Loading…'));
    let instances;
    try {
      instances = (await api.get(`/api/runs/${encodeURIComponent(runId)}/tasks`)).tasks;
    } catch (err) {
      replace(el, h('p', { class: 'error-text' }, err.message));
      return;
    }
    if (!selected || selected.runId !== runId || selected.taskId !== taskId) return;
    const ti = instances.find((t) => t.taskId === taskId);
    if (!ti) {
      replace(el, h('h2', {}, taskId), h('p', { class: 'muted' }, 'This run has no instance of the task.'));
      return;
    }
    const tryNumber = selected.tryNumber ?? ti.tryNumber;
    // A refresh redraws only when something changed, so scrolling and focus survive; a running try's log still grows.
    const sig = JSON.stringify([runId, taskId, tryNumber, ti.state, ti.tryNumber, ti.endedAt, ti.error]);
    const oldLog = el.querySelector('.log');
    if (!loading && sig === signature && oldLog) {
      if (ti.state === 'running' && tryNumber === ti.tryNumber)
        await loadLog(runId, taskId, tryNumber, oldLog);
      return;
    }
    signature = sig;
    const logEl = h(
      'pre',
      { class: 'log', 'data-testid': 'task-log', tabindex: 0 },
      tryNumber ? 'Loading log…' : 'No try has started yet.',
    );
    replace(
      el,
      head(ti, runOf(runId), runId),
      actions(ti, runId),
      h('h3', {}, 'Tries'),
      triesTable(ti, tryNumber),
      h('h3', {}, tryNumber ? `Log of try ${tryNumber}` : 'Log'),
      logEl,
    );
    if (tryNumber) await loadLog(runId, taskId, tryNumber, logEl);
  }

  function head(ti, run, runId) {
    return [
      h(
        'div',
        { class: 'detail-head' },
        h('h2', { 'data-testid': 'task-panel-title' }, ti.taskId),
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
    ];
  }

  function actions(ti, runId) {
    const downstream = h('input', {
      type: 'checkbox',
      id: 'clear-downstream',
      checked: clearDownstream,
      'data-testid': 'clear-downstream',
      onchange: () => {
        clearDownstream = downstream.checked;
      },
    });
    const clear = async () => {
      if (!(await clearTask(runId, ti.taskId, downstream.checked))) return;
      if (selected) selected.tryNumber = undefined;
      await afterClear();
    };
    return h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'data-testid': 'clear-button',
          disabled: !CLEARABLE.has(ti.state),
          onclick: clear,
        },
        'Clear task',
      ),
      h('label', { class: 'check' }, downstream, ' and downstream'),
    );
  }

  function triesTable(ti, tryNumber) {
    const pick = (n) => {
      if (selected) selected.tryNumber = n;
      render(false);
    };
    return h(
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
                  onclick: () => pick(t.tryNumber),
                },
                h('td', {}, t.tryNumber),
                h('td', {}, stateChip(t.state)),
                h('td', { class: 'nowrap', title: t.startedAt ?? '' }, fmtClock(t.startedAt)),
                h('td', { class: 'num nowrap' }, fmtDuration(t.durationMs)),
                h('td', { class: 'error-cell', title: t.error ?? '' }, t.error ?? ''),
              ),
            ),
      ),
    );
  }

  renderEmpty();
  return {
    el,
    get selected() {
      return selected;
    },
    /** Shows the instance of `taskId` in `runId`. */
    select(runId, taskId) {
      selected = { runId, taskId };
      return render(true);
    },
    /** Brings the shown instance up to date (a poll). */
    refresh() {
      return render(false);
    },
  };
}
