// @ts-check
// The "CSV" button every chart and table carries: the API's CSV of exactly the rows it shows.
import { downloadCsv } from './api.js';
import { h, toast } from './dom.js';

/**
 * @param {string} testid
 * @param {() => string | null} pathOf the API path of the rows shown now (null while nothing is shown)
 * @param {() => string} filenameOf
 */
export function csvButton(testid, pathOf, filenameOf) {
  return h(
    'button',
    {
      type: 'button',
      class: 'btn-csv',
      'data-testid': testid,
      title: 'Download the rows shown here as CSV',
      onclick: async () => {
        const path = pathOf();
        if (!path) return;
        try {
          await downloadCsv(path, filenameOf());
        } catch (err) {
          toast(`download failed: ${err.message}`, 'error');
        }
      },
    },
    'CSV',
  );
}
