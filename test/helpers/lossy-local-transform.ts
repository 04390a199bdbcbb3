// A preload for the CLI child (runCli's `preload`): the DuckDB engine's measurements transform loses the first row of
// every day's data file, and counts its rows without it — a buggy transform whose output looks consistent. It is the
// local twin of the fake Glue job's `dropRowInNextJobRuns` (test/helpers/fake-aws.ts): the reconciliation check
// (raw records = rows + quarantined + duplicates dropped) must catch it, so the day is not published.
import { rename, stat } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from '../../src/engines/duckdb/duckdb-engine.js';

const sq = (s: string) => `'${s.replaceAll("'", "''")}'`;

const transform = DuckDbEngine.prototype.transformMeasurements;
DuckDbEngine.prototype.transformMeasurements = async function lossy(input) {
  const out = await transform.call(this, input);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const day of out.days)
      for (const file of day.files) {
        const lossy = `${file.localPath}.lossy.parquet`;
        await connection.run(
          `COPY (SELECT * FROM read_parquet(${sq(file.localPath)}) OFFSET 1)
           TO ${sq(lossy)} (FORMAT PARQUET, COMPRESSION SNAPPY)`,
        );
        await rename(lossy, file.localPath);
        file.rows -= 1;
        file.bytes = (await stat(file.localPath)).size;
        day.stats.rows -= 1;
      }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return out;
};
