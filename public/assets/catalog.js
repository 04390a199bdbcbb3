// @ts-check
// The Catalog & checks view: tables, a table's partitions and schema versions, and check results (failed first).
import { api, query } from './api.js';
import { emptyRow, h, replace } from './dom.js';
import { csvButton } from './downloads.js';
import { fmtBytes, fmtInt, fmtTime } from './format.js';

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
              () => '/api/catalog/tables',
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
        csvButton(
          'checks-csv',
          () => `/api/checks${query({ status: onlyFailed.checked ? 'fail' : undefined })}`,
          () => 'checks.csv',
        ),
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
      tables = (await api.get('/api/catalog/tables')).tables;
    } catch (err) {
      replace(tablesBody, emptyRow(7, err.message));
      return;
    }
    // The fact table first: it is the one with day partitions worth looking at.
    if (!selectedTable || !tables.some((t) => t.name === selectedTable))
      selectedTable = (tables.find((t) => t.name === 'measurements') ?? tables[0])?.name ?? null;
    renderTables();
    await loadTable();
  }

  function renderTables() {
    replace(
      tablesBody,
      tables.length === 0
        ? emptyRow(7, 'No tables yet: run the pipeline first.')
        : tables.map((t) =>
            h(
              'tr',
              {
                class: `clickable${t.name === selectedTable ? ' selected' : ''}`,
                tabindex: 0,
                'data-testid': 'table-row',
                'data-table': t.name,
                onclick: () => {
                  selectedTable = t.name;
                  renderTables();
                  loadTable();
                },
                onkeydown: (e) => {
                  if (e.key === 'Enter') e.currentTarget.click();
                },
              },
              h('td', { class: 'mono' }, t.name),
              h('td', { class: 'num' }, `v${t.schemaVersion}`),
              h('td', { class: 'num' }, fmtInt(t.partitionCount)),
              h('td', { class: 'num' }, fmtInt(t.rowCount)),
              h('td', { class: 'num' }, fmtInt(t.fileCount)),
              h('td', { class: 'num nowrap' }, fmtBytes(t.bytes)),
              h('td', { class: 'small nowrap' }, fmtTime(t.updatedAt)),
            ),
          ),
    );
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
    const newest = [...partitions].sort((a, b) => b.partition.localeCompare(a.partition));
    replace(
      partitionsBody,
      newest.length === 0
        ? emptyRow(7, 'No partitions.')
        : newest.map((p) =>
            h(
              'tr',
              { 'data-testid': 'partition-row' },
              h('td', { class: 'mono small nowrap', title: p.partition }, p.localDate ?? p.partition),
              h('td', { class: 'num' }, fmtInt(p.rowCount)),
              h('td', { class: 'num' }, fmtInt(p.fileCount)),
              h('td', { class: 'num nowrap' }, fmtBytes(p.bytes)),
              h('td', { class: 'num' }, p.quarantinedRows === null ? '—' : fmtInt(p.quarantinedRows)),
              h(
                'td',
                { class: 'small nowrap', title: `${p.minTime ?? '—'} → ${p.maxTime ?? '—'}` },
                timeSpan(p),
              ),
              h('td', { class: 'num' }, p.schemaVersion === null ? '—' : `v${p.schemaVersion}`),
            ),
          ),
    );
    renderVersions(versions);
  }

  function renderVersions(versions) {
    if (versions.length === 0) {
      replace(versionsEl, h('p', { class: 'muted' }, 'No schema recorded.'));
      return;
    }
    const sorted = [...versions].sort((a, b) => b.version - a.version);
    replace(
      versionsEl,
      sorted.map((v) => {
        const prev = versions.find((x) => x.version === v.version - 1);
        const before = new Map((prev?.columns ?? []).map((c) => [c.name, c.type]));
        return h(
          'details',
          { class: 'version', open: v === sorted[0], 'data-testid': 'schema-version' },
          h(
            'summary',
            {},
            h('strong', {}, `v${v.version}`),
            h(
              'span',
              { class: 'muted small' },
              ` · ${v.columns.length} columns${v.createdAt ? ` · ${fmtTime(v.createdAt)}` : ''}`,
            ),
          ),
          h(
            'ul',
            { class: 'columns' },
            v.columns.map((c) =>
              h(
                'li',
                {
                  class: prev && !before.has(c.name) ? 'added' : '',
                  title: prev && !before.has(c.name) ? `new in v${v.version}` : '',
                },
                h('span', { class: 'mono' }, c.name),
                ' ',
                h('span', { class: 'muted small' }, c.type),
              ),
            ),
          ),
        );
      }),
    );
  }

  async function loadChecks() {
    let data;
    try {
      data = await api.get(`/api/checks${query({ status: onlyFailed.checked ? 'fail' : undefined })}`);
    } catch (err) {
      replace(checksBody, emptyRow(8, err.message));
      return;
    }
    checksSummary.textContent = data.failed ? `${data.failed} failed` : 'all passed';
    checksSummary.className = data.failed ? 'summary-bad' : 'summary-good';
    replace(
      checksBody,
      data.results.length === 0
        ? emptyRow(8, 'No check results yet.')
        : data.results.map((r) =>
            h(
              'tr',
              {
                class: r.status === 'fail' ? `failed row-${r.severity}` : 'passed',
                'data-testid': 'check-row',
                'data-status': r.status,
              },
              h(
                'td',
                {},
                h(
                  'span',
                  { class: `chip check-${r.status}` },
                  { fail: 'failed', pass: 'passed', skip: 'skipped' }[r.status] ?? r.status,
                ),
              ),
              h('td', {}, h('span', { class: `sev sev-${r.severity}` }, r.severity)),
              h('td', { class: 'mono' }, r.check),
              h('td', { class: 'mono small' }, r.table ?? '—'),
              h('td', { class: 'nowrap' }, r.localDate ?? r.partition ?? '—'),
              h('td', { class: 'num' }, r.observed === null ? '—' : fmtInt(r.observed)),
              h('td', { class: 'msg' }, r.message ?? ''),
              h('td', { class: 'small muted nowrap' }, fmtTime(r.checkedAt)),
            ),
          ),
    );
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

/** "00:00 – 23:00" when both ends fall on the partition's date, else "11-27 19:30 – 11-29 04:00". */
function timeSpan(p) {
  if (!p.minTime || !p.maxTime) return '—';
  const [a, b] = [shortTs(p.minTime), shortTs(p.maxTime)];
  const sameDay = p.localDate && a.startsWith(p.localDate) && b.startsWith(p.localDate);
  // Without the year: the partition's day says it.
  return sameDay ? `${a.slice(11)} – ${b.slice(11)}` : `${a.slice(5)} – ${b.slice(5)}`;
}

function shortTs(v) {
  if (!v) return '—';
  return String(v).slice(0, 16).replace('T', ' ');
}
