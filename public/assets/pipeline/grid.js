// @ts-check
// The Airflow-like grid of the Pipeline view.
import { h, replace, STATE_LABELS } from '../dom.js';
import { firstRunGuide } from '../first-run.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function monthLabel(date) {
  return `${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}

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

/** The colour key under the grid. */
export function gridLegend() {
  return h(
    'ul',
    { class: 'legend', 'aria-label': 'Task states' },
    LEGEND.map((s) => h('li', {}, h('span', { class: `swatch state-${s}` }), STATE_LABELS[s])),
  );
}

/**
 * The runs × tasks grid: a column per run (its day, and the month where it changes), a row per task, a cell per
 * task instance in its state's colour; a click selects the cell.
 * @param {HTMLElement} gridEl @param {{runs: any[], tasks: string[], selected: any}} view
 * @param {(runId: string, taskId: string) => void} onSelect
 */
export function renderGrid(gridEl, { runs, tasks, selected }, onSelect) {
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
            onclick: () => onSelect(run.runId, taskId),
          }),
        ),
      );
    }
    body.append(row);
  }
  table.append(body);
  replace(gridEl, table);
}
