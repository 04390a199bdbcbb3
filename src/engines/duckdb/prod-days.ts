// DuckDB's side of the prod tables materialised per day: one local day of each, computed by its sql/prod rule over
// the given dev.measurements files, written as one Snappy Parquet file per table with its rule version in the footer.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../errors.js';
import { isIsoDate } from '../../time/local-day.js';
import type { ProdDayInput, ProdDayOutput, ProdDayTable } from '../engine.js';
import { materialisedProdTables } from '../prod-rules.js';
import { QuerySession, type SessionSettings, sqlString } from './query-session.js';

/** The footer key (Parquet key-value metadata) holding the rule version a prod day file was computed with. */
const RULE_VERSION_KEY = 'aqlake_rule_version';

export async function buildProdDay(input: ProdDayInput, settings: SessionSettings): Promise<ProdDayOutput> {
  if (!isIsoDate(input.localDate)) throw new EngineError(`not a local date: ${input.localDate}`, 'Usage');
  await mkdir(input.workDir, { recursive: true });
  const session = await QuerySession.create({
    tables: [{ name: 'measurements', files: input.measurementFiles, columns: input.measurementColumns }],
    settings,
  });
  try {
    const tables: ProdDayTable[] = [];
    for (const { table, ruleVersion } of materialisedProdTables()) {
      const path = join(input.workDir, `${table}.parquet`);
      await session.run(
        `COPY (SELECT * FROM prod.${table} WHERE local_date = DATE ${sqlString(input.localDate)} ORDER BY ALL)
         TO ${sqlString(path)} (FORMAT parquet, COMPRESSION snappy,
                                KV_METADATA {${RULE_VERSION_KEY}: ${sqlString(ruleVersion)}})`,
      );
      const [meta] = await session.run(
        `SELECT num_rows AS rows, file_size_bytes AS bytes FROM parquet_file_metadata(${sqlString(path)})`,
      );
      const columns = await session.run(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
      tables.push({
        table,
        ruleVersion,
        file: { localPath: path, rows: Number(meta?.rows ?? 0), bytes: Number(meta?.bytes ?? 0) },
        columns: columns.map((c) => ({ name: String(c.column_name), type: String(c.column_type) })),
      });
    }
    return { localDate: input.localDate, tables };
  } finally {
    session.close();
  }
}
