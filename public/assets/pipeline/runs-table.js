// @ts-check
// The Pipeline view's table of runs.
import { emptyRow, h, replace, stateChip } from '../dom.js';
import { fmtDuration, fmtTime } from '../format.js';

/** The card with the runs table; rows go into the returned tbody. */
export function runsCard() {
  const body = h('tbody');
  const card = h(
    'div',
    { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', {}, 'Runs'), h('span', { class: 'muted' }, 'newest first')),
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
            h('th', { class: 'num cost' }, 'AWS cost'),
            h('th', {}, 'Run id'),
          ),
        ),
        body,
      ),
    ),
  );
  return { card, body };
}

/** The runs, newest first. */
export function renderRuns(runsBody, runs) {
  const newest = [...runs].reverse();
  // The cost column appears only once a run paid for cloud work (the aws engine); locally it stays hidden.
  runsBody.closest('table')?.classList.toggle(
    'has-cost',
    newest.some((r) => r.costUsd !== null),
  );
  replace(
    runsBody,
    newest.length === 0
      ? emptyRow(7, 'No runs yet.')
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
              fmtDuration(r.startedAt && r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : null),
            ),
            h(
              'td',
              { class: 'num cost', 'data-testid': 'run-cost' },
              r.costUsd === null ? '–' : `$${r.costUsd.toFixed(4)}`,
            ),
            h('td', { class: 'mono small' }, r.runId),
          ),
        ),
  );
}
