// The DAG's lakehouse steps for one day, as tests drive them: transform → catalog → commit (publish's swap), or the
// whole chain with validate and publish.
import { listTableFiles } from '../../src/lake/catalog/index.js';
import { commitVersions } from '../../src/lake/commit.js';
import { catalogDay } from '../../src/pipeline/catalog-task.js';
import { publishDay } from '../../src/pipeline/publish.js';
import { type TransformDayResult, transformDay, transformDays } from '../../src/pipeline/transform.js';
import { validateDay } from '../../src/pipeline/validate.js';
import type { TestLake } from './transform-lake.js';

/** Transforms days from..to in one pass, catalogs and commits every day; returns the transform results. */
export async function transformAndCommit(
  lake: TestLake,
  from: string,
  to = from,
): Promise<TransformDayResult[]> {
  const days = await transformDays(lake, from, to);
  for (const day of days) {
    await catalogDay(lake, day.localDate, { versionId: day.versionId });
    await commitVersions(lake, [
      { table: 'measurements', localDate: day.localDate, versionId: day.versionId },
    ]);
  }
  return days;
}

/** Local paths of the table's current files, as a reader resolves them through the catalog. */
export async function currentPaths(
  lake: TestLake,
  table = 'measurements',
  localDate?: string,
): Promise<string[]> {
  const files = listTableFiles(lake.meta, table).filter(
    (f) => localDate === undefined || f.localDate === localDate,
  );
  return Promise.all(files.map((f) => lake.store.localPath(f.key)));
}

/** The whole chain for each day, as the DAG runs it — transform → catalog → validate → publish — with the clock at `now`. */
export async function publishDays(lake: TestLake, now: string, days: readonly string[]): Promise<void> {
  const ctx = Object.assign(lake, { now: () => new Date(now) });
  for (const day of days) {
    await transformDay(ctx, day);
    await catalogDay(ctx, day);
    await validateDay(ctx, day);
    await publishDay(ctx, day);
  }
}
