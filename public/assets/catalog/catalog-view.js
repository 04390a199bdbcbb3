// @ts-check
// The Catalog & checks view: tables, a table's partitions and schema versions, and check results (failed first).
// This module holds the view's state and layout; tables, partitions, schema-versions and checks draw.
import { api, query } from '../api.js';
import { emptyRow, h, replace } from '../dom.js';
import { csvButton } from '../downloads.js';
import { renderChecks } from './checks.js';
import { renderPartitions } from './partitions.js';
import { renderVersions } from './schema-versions.js';
import { renderTables } from './tables.js';

const TABLES_PATH = '/api/catalog/tables';

export function createCatalogView(root, setStatus) {
  let tables = [];
  let selectedTable = null;

  const tablesBody = h('tbody');
  const partitionsBody = h('tbody');
  const versionsEl = h('div', { class: 'versions', 'data-testid': 'schema-versions' });
  const checksBody = h('tbody');
  const checksSummary = h('span', { class: 'muted small', 'data-testid': 'checks-summary' });
  const partitionsTitle = h('h2', {}, 'Partitions');
  const versionsTitle = h('h2', {}, 'Schema versions');
  const onlyFailed = h('input', {
    type: 'checkbox',
    id: 'only-failed',
    'data-testid': 'only-failed',
    onchange: () => loadChecks(),
  });
  const checksPath = () => `/api/checks${query({ status: onlyFailed.checked ? 'fail' : undefined })}`;

  replace(
    root,
    h(
      'div',
      { class: 'catalog-main' },
      h(
        'div',
        { class: 'catalog-left' },
        h(
          'div',
          { class: 'card' },
          h(
            'div',
            { class: 'card-head' },
            h('h2', {}, 'Tables'),
            h('span', { class: 'muted small' }, 'click a table for its partitions'),
            h('span', { class: 'spacer' }),
            csvButton(
              'tables-csv',
              () => TABLES_PATH,
              () => 'tables.csv',
            ),
          ),
          h(
            'table',
            { class: 'data', 'data-testid': 'tables-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'Table'),
                h('th', { class: 'num' }, 'Schema'),
                h('th', { class: 'num' }, 'Partitions'),
                h('th', { class: 'num' }, 'Rows'),
                h('th', { class: 'num' }, 'Files'),
                h('th', { class: 'num' }, 'Size'),
                h('th', {}, 'Updated'),
              ),
            ),
            tablesBody,
          ),
        ),
      ),
      h(
        'div',
        { class: 'card catalog-right' },
        h(
          'div',
          { class: 'card-head' },
          partitionsTitle,
          h('span', { class: 'spacer' }),
          csvButton(
            'partitions-csv',
            () =>
              selectedTable ? `/api/catalog/tables/${encodeURIComponent(selectedTable)}/partitions` : null,
            () => `partitions-${selectedTable}.csv`,
          ),
        ),
        h(
          'div',
          { class: 'table-scroll partitions-scroll' },
          h(
            'table',
            { class: 'data compact', 'data-testid': 'partitions-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'Day'),
                h('th', { class: 'num' }, 'Rows'),
                h('th', { class: 'num' }, 'Files'),
                h('th', { class: 'num' }, 'Size'),
                h('th', { class: 'num' }, 'Quarantined'),
                h('th', {}, 'Period ends (UTC)'),
                h('th', { class: 'num' }, 'Schema'),
              ),
            ),
            partitionsBody,
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'card' },
      h(
        'div',
        { class: 'card-head' },
        h('h2', {}, 'Checks'),
        checksSummary,
        h('span', { class: 'spacer' }),
        h('label', { class: 'check small' }, onlyFailed, ' failed only'),
        csvButton('checks-csv', checksPath, () => 'checks.csv'),
      ),
      h(
        'div',
        { class: 'table-scroll checks-scroll' },
        h(
          'table',
          { class: 'data compact', 'data-testid': 'checks-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'Status'),
              h('th', {}, 'Severity'),
              h('th', {}, 'Check'),
              h('th', {}, 'Table'),
              h('th', {}, 'Day'),
              h('th', { class: 'num' }, 'Observed'),
              h('th', {}, 'Message'),
              h('th', {}, 'Checked'),
            ),
          ),
          checksBody,
        ),
      ),
    ),
    h('div', { class: 'card' }, h('div', { class: 'card-head' }, versionsTitle), versionsEl),
  );

  async function loadTables() {
    try {
      tables = (await api.get(TABLES_PATH)).tables;
    } catch (err) {
      replace(tablesBody, emptyRow(7, err.message));
      return;
    }
    // The fact table first: it is the one with day partitions worth looking at.
    if (!selectedTable || !tables.some((t) => t.name === selectedTable))
      selectedTable = (tables.find((t) => t.name === 'measurements') ?? tables[0])?.name ?? null;
    drawTables();
    await loadTable();
  }

  function drawTables() {
    renderTables(tablesBody, tables, selectedTable, (name) => {
      selectedTable = name;
      drawTables();
      loadTable();
    });
  }

  async function loadTable() {
    if (!selectedTable) {
      replace(partitionsBody, emptyRow(7, 'No table selected.'));
      replace(versionsEl);
      return;
    }
    const name = encodeURIComponent(selectedTable);
    partitionsTitle.textContent = `Partitions · ${selectedTable}`;
    versionsTitle.textContent = `Schema versions · ${selectedTable}`;
    const [{ partitions }, { versions }] = await Promise.all([
      api.get(`/api/catalog/tables/${name}/partitions`),
      api.get(`/api/catalog/tables/${name}/schemas`),
    ]);
    renderPartitions(partitionsBody, partitions);
    renderVersions(versionsEl, versions);
  }

  async function loadChecks() {
    try {
      renderChecks({ checksBody, checksSummary }, await api.get(checksPath()));
    } catch (err) {
      replace(checksBody, emptyRow(8, err.message));
    }
  }

  return {
    async show() {
      setStatus('');
      await Promise.all([loadTables(), loadChecks()]);
      setStatus(`updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}`);
    },
    hide() {},
  };
}
