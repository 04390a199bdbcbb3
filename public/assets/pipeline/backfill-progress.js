// @ts-check
// The backfill progress bar in the Pipeline view's toolbar.
import { api } from '../api.js';
import { h, replace } from '../dom.js';

/** Shows the progress of the server's latest backfill in `backfillEl` (hidden when there is none). */
export async function refreshBackfill(backfillEl) {
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
