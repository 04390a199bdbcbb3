// Data checks of one partition version on Athena: the sql/checks files, translated, over exactly the version's files.
import { createHash } from 'node:crypto';
import type { AthenaClient } from '@aws-sdk/client-athena';
import type { GlueClient } from '@aws-sdk/client-glue';
import { EngineError } from '../../errors.js';
import { checkCouldNotRun, checkOutcomeFromRows, checkParamValues } from '../check-outcome.js';
import type { CheckOutcome, CheckParams } from '../engine.js';
import { bindParameters, inlineViews, type QualityRulesSpec, sqlLiteral } from './athena-dialect.js';
import { runAthenaQuery } from './athena-query.js';
import type { AwsSettings } from './aws-settings.js';
import { dropTable, ensureTable } from './glue-catalog.js';
import { type GlueTableDef, MEASUREMENTS_TABLE } from './glue-tables.js';
import type { PollSettings } from './polling.js';
import { type CheckFile, type ProdView, readChecks, readProdViews } from './sql-files.js';

export interface AthenaCheckInput {
  table: GlueTableDef;
  /** Store keys of the version's data files: `dev.<table>` holds exactly these during the checks. */
  keys: readonly string[];
  params: CheckParams;
  qualityRules: QualityRulesSpec;
}

export interface AthenaCheckDeps {
  glue: GlueClient;
  athena: AthenaClient;
  settings: AwsSettings;
  poll: PollSettings;
  onBytes?: (n: number, billed: boolean) => void;
  checks?: readonly CheckFile[];
  views?: readonly ProdView[];
}

/** The folder all keys share; the scratch table points there and `"$path"` narrows it to the version's files. */
function commonFolder(keys: readonly string[]): string {
  const folders = new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/') + 1)));
  if (folders.size !== 1)
    throw new Error(`a partition version's files must share one folder, got ${[...folders].join(', ')}`);
  return [...folders][0]!;
}

/**
 * A scratch table name per version: a hash of the version's own keys (sorted), not of its folder — every version of a
 * day shares `dev/_versions/measurements/<day>/`, and two versions of a day checked at once must not create and drop
 * each other's table. Without keys (no rows), the table's prefix names it.
 */
function scratchTableName(table: string, keys: readonly string[], prefix: string): string {
  const identity = keys.length > 0 ? [...keys].sort().join('\n') : prefix;
  return `${table}_check_${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

/**
 * Runs the table's checks. A scratch Glue table (in the check database) points at the version's folder; each check
 * reads `(SELECT * FROM scratch WHERE "$path" IN (…the version's files…))` as dev.<table>, with the prod views inlined
 * over it. The scratch table is dropped afterwards. A check that cannot run counts as failed, with the reason.
 */
export async function runAthenaChecks(
  deps: AthenaCheckDeps,
  input: AthenaCheckInput,
): Promise<CheckOutcome[]> {
  const checks = (deps.checks ?? readChecks()).filter((c) => c.table === input.table.name);
  if (checks.length === 0) return [];
  const { settings } = deps;
  const folder = input.keys.length > 0 ? commonFolder(input.keys) : input.table.prefix;
  // Not partitioned: a partitioned scratch table with no partitions (and no projection) reads nothing on Athena.
  const scratch = {
    ...input.table,
    partitioned: false,
    name: scratchTableName(input.table.name, input.keys, folder),
  };
  await ensureTable(deps.glue, settings.checkDatabase, scratch, settings.bucket, {
    location: `s3://${settings.bucket}/${folder}`,
  });
  const paths = input.keys.map((k) => sqlLiteral(`s3://${settings.bucket}/${k}`));
  const source =
    paths.length > 0
      ? `(SELECT * FROM ${settings.checkDatabase}.${scratch.name} WHERE "$path" IN (${paths.join(', ')}))`
      : `(SELECT * FROM ${settings.checkDatabase}.${scratch.name} WHERE false)`;
  const views = input.table.name === MEASUREMENTS_TABLE.name ? (deps.views ?? readProdViews()) : [];
  const values = checkParamValues(input.params);
  try {
    const outcomes: CheckOutcome[] = [];
    for (const check of checks) outcomes.push(await runOne(deps, check, views, source, values, input));
    return outcomes;
  } finally {
    await dropTable(deps.glue, settings.checkDatabase, scratch.name);
  }
}

async function runOne(
  deps: AthenaCheckDeps,
  check: CheckFile,
  views: readonly ProdView[],
  source: string,
  values: Record<string, string | number | null>,
  input: AthenaCheckInput,
): Promise<CheckOutcome> {
  const base = { check: check.name, severity: check.severity, tests: check.tests };
  try {
    const translated = inlineViews(check.sql, views, {
      devDatabase: deps.settings.devDatabase,
      prodDatabase: deps.settings.prodDatabase,
      devTables: { [input.table.name]: source },
      qualityRules: input.qualityRules,
    });
    const result = await runAthenaQuery(
      deps.athena,
      {
        sql: translated.sql,
        workgroup: deps.settings.workgroup,
        database: deps.settings.checkDatabase,
        parameters: bindParameters(translated.parameters, values),
        maxRows: 2,
      },
      deps.poll,
      deps.onBytes,
    );
    const rows = result.rows.map((r) =>
      Object.fromEntries(result.columns.map((c, i) => [c.name, r[i] ?? null])),
    );
    return checkOutcomeFromRows(base, rows);
  } catch (err) {
    // A cancelled or timed-out run is not a failed check: the run stops.
    if (err instanceof EngineError && (err.kind === 'Timeout' || err.kind === 'Interrupted')) throw err;
    return checkCouldNotRun(base, err);
  }
}
