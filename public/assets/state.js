// @ts-check
// What several views share and the server does not change while the page is open: the WHO and AQI tables.
import { api } from './api.js';

/** @type {Promise<any> | null} */
let standards = null;

/** /api/standards, fetched once (a failed fetch is retried on the next call). */
export function getStandards() {
  standards ??= api.get('/api/standards').catch((err) => {
    standards = null;
    throw err;
  });
  return standards;
}
