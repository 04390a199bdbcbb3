// aqlake bi: writes a DuckDB database file with dev.* and prod.* as views over the lake's tree, for BI tools.
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type BiTable, NotABiFileError, writeBiFile } from '../engines/duckdb/bi-file.js';
import { MEASUREMENTS_COLUMNS } from '../engines/duckdb/transform-measurements.js';
import { UsageError } from '../errors.js';
import { latestSchema, listTables } from '../lake/catalog/index.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import { storeKind } from '../lake/store/create-store.js';
import { openLakeRuntime } from '../pipeline/runtime.js';
import { configFor } from './options.js';

interface BiFlags {
  out?: string;
  root?: string;
  json?: boolean;
}

export function registerBi(command: Command): void {
  command
    .option('--out <file>', 'the database file to write (default: {home}/bi.duckdb)')
    .option(
      '--root <dir>',
      'the folder holding the tree (dev/, prod/); default the lake home; with AQLAKE_STORE=s3, a synced copy',
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nOpen the file read-only (e.g. `duckdb -readonly bi.duckdb`, DBeaver, Metabase, Superset, Evidence,\n' +
        'Python duckdb.connect(path, read_only=True)). The views glob the table folders, so every later publish is\n' +
        'visible without touching the file; run `aqlake bi` again after a schema change (it rewrites the file only\n' +
        'when a view changed).',
    )
    .action(async (flags: BiFlags, command: Command) => {
      const config = configFor(command);
      if (flags.root === undefined && storeKind(config) === 's3')
        throw new UsageError(
          '--root: the lake is in S3 and DuckDB here reads files; sync the bucket’s dev/ and prod/ to a folder ' +
            '(e.g. `aws s3 sync s3://BUCKET/dev ./lake-copy/dev --exclude "_versions/*"`) and pass --root ./lake-copy',
        );
      const root = resolve(flags.root ?? config.home);
      const out = resolve(flags.out ?? join(config.home, 'bi.duckdb'));
      const runtime = await openLakeRuntime(config);
      try {
        const result = await writeBiFile(out, biTables(runtime.meta, root), { lake: root }).catch((err) => {
          if (err instanceof NotABiFileError) throw new UsageError(`--out: ${err.message}`);
          throw err;
        });
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else
          process.stdout.write(
            `${result.written ? 'wrote' : 'unchanged:'} ${result.path} (${result.views.length} views: ${result.views.join(', ')})\n`,
          );
      } finally {
        await runtime.close();
      }
    });
}

/** Every table of the catalog as a glob of its folder under `root` (a typed empty view while it has no object). */
function biTables(meta: MetaDb, root: string): BiTable[] {
  const tables: BiTable[] = listTables(meta).map((t) => {
    const folder = join(root, t.zone, t.table);
    return {
      schema: t.zone,
      name: t.table,
      partitioned: t.partitioned,
      glob: t.files > 0 ? join(folder, ...(t.partitioned ? ['**', '*.parquet'] : ['*.parquet'])) : null,
      columns: latestSchema(meta, t.table)?.columns ?? [],
    };
  });
  // The prod views read dev.measurements: it exists (empty) before the first publish too.
  if (!tables.some((t) => t.schema === 'dev' && t.name === 'measurements'))
    tables.push({
      schema: 'dev',
      name: 'measurements',
      partitioned: true,
      glob: null,
      columns: MEASUREMENTS_COLUMNS,
    });
  return tables.filter((t) => t.glob !== null || t.columns.length > 0);
}
