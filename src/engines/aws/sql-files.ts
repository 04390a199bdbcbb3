// The shared sql/ reader (../sql-files.ts) in the shapes the AWS engine's callers use: prod views by bare name,
// checks without their file name.
import { type CheckSpec, listChecks, listProdViews } from '../sql-files.js';

export interface ProdView {
  /** `daily_averages` for sql/prod/20_daily_averages.sql. */
  name: string;
  file: string;
  sql: string;
}

export type CheckFile = Omit<CheckSpec, 'file'>;

/** The prod views in dependency order (their number prefix). */
export function readProdViews(dir?: string): ProdView[] {
  return listProdViews(dir).map((v) => ({ name: v.view.replace(/^prod\./, ''), file: v.file, sql: v.sql }));
}

/** Every check, errors first, then by name; the header format is sql/checks/README.md's. */
export function readChecks(dir?: string): CheckFile[] {
  return listChecks(dir).map(({ file: _file, ...check }) => check);
}
