// @ts-check
// A table's partitions, newest day first, with rows, files, size, quarantined rows and the period they cover.
import { emptyRow, h, replace } from '../dom.js';
import { fmtBytes, fmtInt } from '../format.js';

/** @param {HTMLElement} partitionsBody @param {any[]} partitions */
export function renderPartitions(partitionsBody, partitions) {
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
