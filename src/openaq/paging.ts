// OpenAQ's paging rule: ask for full pages of 1,000 and stop on the first short page (meta.found is not a count).

/** The largest `limit` the API accepts; one request returns up to this many results. */
export const PAGE_LIMIT = 1000;

/**
 * Whether another page may follow a page of `resultCount` results requested with `limit`.
 * `meta.found` is ignored on purpose: it is often the string ">1000", or just the page length.
 */
export function hasNextPage(resultCount: number, limit: number): boolean {
  return limit > 0 && resultCount >= limit;
}
