// Publishing on Athena: every sql/prod view, translated, as CREATE OR REPLACE VIEW in the prod Glue database.
import type { AthenaClient } from '@aws-sdk/client-athena';
import { EngineError } from '../../errors.js';
import { toAthenaSql } from './athena-dialect.js';
import { runAthenaQuery } from './athena-query.js';
import type { AwsSettings } from './aws-settings.js';
import type { PollSettings } from './polling.js';
import { type ProdView, readProdViews } from './sql-files.js';

interface ViewStatement {
  view: string;
  sql: string;
}

/** The DDL that publishes each view, in dependency order. */
function prodViewStatements(
  settings: AwsSettings,
  views: readonly ProdView[] = readProdViews(),
): ViewStatement[] {
  return views.map((v) => {
    const t = toAthenaSql(v.sql, { devDatabase: settings.devDatabase, prodDatabase: settings.prodDatabase });
    if (t.parameters.length > 0)
      throw new EngineError(`view prod.${v.name} uses parameters`, 'Dialect Error', v.sql);
    return {
      view: `${settings.prodDatabase}.${v.name}`,
      sql: `CREATE OR REPLACE VIEW ${settings.prodDatabase}.${v.name} AS\n${t.sql}`,
    };
  });
}

/** Creates or replaces the views; Athena checks each one's SQL as it stores it. Returns their names. */
export async function publishProdViews(
  athena: AthenaClient,
  settings: AwsSettings,
  poll: PollSettings,
  onBytes?: (n: number, billed: boolean) => void,
): Promise<string[]> {
  const out: string[] = [];
  for (const s of prodViewStatements(settings)) {
    await runAthenaQuery(
      athena,
      { sql: s.sql, workgroup: settings.workgroup, database: settings.prodDatabase },
      poll,
      onBytes,
    );
    out.push(s.view);
  }
  return out;
}
