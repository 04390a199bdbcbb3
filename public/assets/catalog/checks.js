// @ts-check
// The data checks' newest results, failed first (the server orders them), with a summary of how many failed.
import { emptyRow, h, replace } from '../dom.js';
import { fmtInt, fmtTime } from '../format.js';

/** @param {{checksBody: HTMLElement, checksSummary: HTMLElement}} el @param {{failed: number, results: any[]}} data */
export function renderChecks({ checksBody, checksSummary }, data) {
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
