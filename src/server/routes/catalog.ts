// /api/catalog and /api/checks: the lake's tables, partitions and schema versions, and the check results.
import { Hono } from 'hono';
import { notFound, parseInput } from '../http-errors.js';
import { checksQuery } from '../inputs.js';
import type { CatalogService, CheckResult, ChecksService } from '../services.js';

/** Failed checks first (errors before warnings), then the newest day, then by name. */
function orderChecks(results: readonly CheckResult[]): CheckResult[] {
  const rank = (r: CheckResult): number => (r.status === 'fail' ? (r.severity === 'error' ? 0 : 1) : 2);
  return [...results].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (b.localDate ?? '').localeCompare(a.localDate ?? '') ||
      a.check.localeCompare(b.check) ||
      (a.partition ?? '').localeCompare(b.partition ?? ''),
  );
}

export function catalogRoutes(catalog: CatalogService, checks: ChecksService): Hono {
  const app = new Hono();

  app.get('/catalog/tables', async (c) => c.json({ tables: await catalog.tables() }));

  app.get('/catalog/tables/:table/partitions', async (c) => {
    const partitions = await catalog.partitions(c.req.param('table'));
    if (!partitions) throw notFound(`no table ${c.req.param('table')}`);
    return c.json({ partitions });
  });

  app.get('/catalog/tables/:table/schemas', async (c) => {
    const versions = await catalog.schemaVersions(c.req.param('table'));
    if (!versions) throw notFound(`no table ${c.req.param('table')}`);
    return c.json({ versions });
  });

  app.get('/checks', async (c) => {
    const q = parseInput(checksQuery, c.req.query());
    const results = orderChecks(await checks.results({ date: q.date }));
    const filtered = q.status ? results.filter((r) => r.status === q.status) : results;
    return c.json({ failed: results.filter((r) => r.status === 'fail').length, results: filtered });
  });

  return app;
}
