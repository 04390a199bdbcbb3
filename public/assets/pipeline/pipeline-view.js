// @ts-check
// The Pipeline view: Airflow-like grid of runs × tasks, a task's tries and logs, trigger / clear / backfill.
// This module holds the view's state and polling; the grid, the runs table, the task panel and the toolbar draw.
import { api, query } from '../api.js';
import { h, replace } from '../dom.js';
import { createPoller } from '../poll.js';
import { refreshBackfill } from './backfill-progress.js';
import { pipelineToolbar } from './forms.js';
import { gridLegend, renderGrid } from './grid.js';
import { renderRuns, runsCard } from './runs-table.js';
import { createTaskPanel } from './task-panel.js';

const REFRESH_MS = 4000;
const LIMITS = [14, 30, 60, 120];

export function createPipelineView(root, setStatus) {
  const state = { runs: [], tasks: [], limit: 30 };
  const poller = createPoller(refresh, REFRESH_MS);
  const gridEl = h('div', { class: 'grid-wrap', 'data-testid': 'grid' });
  const panel = createTaskPanel({
    runOf: (runId) => state.runs.find((r) => r.runId === runId),
    afterClear: poller.now,
  });
  const runsTable = runsCard();
  const { toolbar, backfillEl } = pipelineToolbar(poller.now);
  const limitSelect = h(
    'select',
    {
      id: 'grid-limit',
      'aria-label': 'Runs shown',
      onchange: () => {
        state.limit = Number(limitSelect.value);
        poller.now();
      },
    },
    LIMITS.map((n) => h('option', { value: n, selected: n === state.limit }, `last ${n} runs`)),
  );

  replace(
    root,
    toolbar,
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
          gridLegend(),
        ),
        runsTable.card,
      ),
      panel.el,
    ),
  );

  function drawGrid() {
    renderGrid(
      gridEl,
      { runs: state.runs, tasks: state.tasks, selected: panel.selected },
      (runId, taskId) => {
        panel.select(runId, taskId);
        drawGrid();
      },
    );
  }

  async function refresh() {
    try {
      const data = await api.get(`/api/runs${query({ limit: state.limit })}`);
      state.runs = data.runs;
      state.tasks = data.tasks;
      drawGrid();
      renderRuns(runsTable.body, state.runs);
      await refreshBackfill(backfillEl);
      if (panel.selected) await panel.refresh();
      setStatus(
        `updated ${new Date().toLocaleTimeString(undefined, { hour12: false })} · refreshes every ${REFRESH_MS / 1000} s`,
      );
    } catch (err) {
      setStatus(`refresh failed: ${err.message}`);
    }
  }

  return {
    show: () => poller.start(),
    hide: () => poller.stop(),
  };
}
