// @ts-check
// The Catalog view's table of the lake's tables.
import { emptyRow, h, replace } from '../dom.js';
import { fmtBytes, fmtInt, fmtTime } from '../format.js';

/**
 * The lake's tables, `selected` highlighted; a click or Enter on a row calls onSelect with its name.
 * @param {HTMLElement} tablesBody @param {any[]} tables @param {string | null} selected
 * @param {(name: string) => void} onSelect
 */
export function renderTables(tablesBody, tables, selected, onSelect) {
  replace(
    tablesBody,
    tables.length === 0
      ? emptyRow(7, 'No tables yet: run the pipeline first.')
      : tables.map((t) =>
          h(
            'tr',
            {
              class: `clickable${t.name === selected ? ' selected' : ''}`,
              tabindex: 0,
              'data-testid': 'table-row',
              'data-table': t.name,
              onclick: () => onSelect(t.name),
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
