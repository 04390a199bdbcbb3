// @ts-check
// A table's schema versions (schema evolution): each version's columns, the ones it added marked.
import { h, replace } from '../dom.js';
import { fmtTime } from '../format.js';

/** A table's schema versions, newest open, columns new in a version marked. */
export function renderVersions(versionsEl, versions) {
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
