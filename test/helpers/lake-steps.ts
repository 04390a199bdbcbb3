// The DAG's lakehouse steps for one day, as tests drive them: transform → catalog → commit (publish's swap).
import { listTableFiles } from '../../src/lake/catalog/index.js';
import { commitVersions } from '../../src/lake/commit.js';
import { catalogDay } from '../../src/pipeline/catalog-task.js';
import { type TransformDayResult, transformDays } from '../../src/pipeline/transform.js';
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
