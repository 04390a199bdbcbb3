// aqlake catalog: the dev tables and their partitions as the catalog knows them; `catalog ddl` prints Athena DDL.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { athenaDdl, listPartitions, listSchemaVersions, listTables } from '../lake/catalog/index.js';
import { formatTable } from '../orchestrator/cli-support.js';
import { openLakeRuntime } from '../pipeline/runtime.js';
import { configFor } from './options.js';

interface CatalogFlags {
  table?: string;
  json?: boolean;
}

interface DdlFlags {
  bucket?: string;
  database: string;
}

export function registerCatalog(program: Command): void {
  const catalog = program
    .command('catalog')
    .description(
      'list the dev tables (rows, bytes, files, time range, schema version) or one table’s partitions',
    )
    .option('--table <name>', 'list this table’s partitions and schema versions')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      '\nOnly committed partitions count; staged versions (transformed, not yet published) are shown as "staged".',
    )
    .action(async (flags: CatalogFlags, command: Command) => {
      const runtime = await openLakeRuntime(configFor(command));
      try {
        const tables = listTables(runtime.meta);
        if (flags.table === undefined) {
          if (flags.json) process.stdout.write(`${JSON.stringify({ tables })}\n`);
          else process.stdout.write(`${formatTables(tables)}\n`);
          return;
        }
        // `aqlake catalog` prints dev.measurements; accept the name with or without its schema.
        const wanted = flags.table.replace(/^dev\./, '');
        const table = tables.find((t) => t.table === wanted);
        if (!table)
          throw new UsageError(
            `--table: no table "${flags.table}" in the catalog (known: ${tables.map((t) => t.table).join(', ') || 'none yet'})`,
          );
        const partitions = listPartitions(runtime.meta, table.table);
        const schemaVersions = listSchemaVersions(runtime.meta, table.table);
        if (flags.json) process.stdout.write(`${JSON.stringify({ table, partitions, schemaVersions })}\n`);
        else {
          process.stdout.write(`${formatTables([table])}\n\n`);
          process.stdout.write(
            `${formatTable(
              [
                'partition',
                'version',
                'schema',
                'rows',
                'bytes',
                'files',
                'quarantined',
                'duplicates',
                'first end',
                'last end',
              ],
              partitions.map((p) => [
                p.localDate ?? '(whole table)',
                String(p.versionId),
                p.schemaVersion === null ? '-' : `v${p.schemaVersion}`,
                String(p.rows),
                formatBytes(p.bytes),
                String(p.files),
                p.quarantinedRows === null ? '-' : String(p.quarantinedRows),
                p.duplicatesDropped === null ? '-' : String(p.duplicatesDropped),
                p.minPeriodEndUtc ?? '-',
                p.maxPeriodEndUtc ?? '-',
              ]),
            )}\n\n`,
          );
          for (const s of schemaVersions)
            process.stdout.write(
              `schema v${s.version} (${s.createdAt.slice(0, 10)}): ${s.columns.map((c) => `${c.name} ${c.type}`).join(', ')}\n`,
            );
        }
      } finally {
        await runtime.close();
      }
    });

  catalog
    .command('ddl')
    .description(
      'print Athena CREATE EXTERNAL TABLE statements for the dev tables (their latest schema versions)',
    )
    .option('--bucket <name>', 'S3 bucket of the lake (default: AQLAKE_BUCKET)')
    .option('--database <name>', 'Glue database', 'dev')
    .action(async (flags: DdlFlags, command: Command) => {
      const runtime = await openLakeRuntime(configFor(command));
      try {
        const bucket = flags.bucket ?? process.env.AQLAKE_BUCKET;
        if (!bucket)
          process.stderr.write('aqlake: no --bucket or AQLAKE_BUCKET; the statements say <bucket>\n');
        const tables = listTables(runtime.meta).filter((t) => t.schemaVersion !== null);
        if (tables.length === 0)
          throw new UsageError('the catalog has no table with a schema yet; run transform and catalog first');
        const statements = tables.map((t) =>
          athenaDdl(runtime.meta, t.table, { bucket, database: flags.database }),
        );
        process.stdout.write(`${statements.join('\n\n')}\n`);
      } finally {
        await runtime.close();
      }
    });
}

function formatTables(tables: ReturnType<typeof listTables>): string {
  if (tables.length === 0) return 'no tables yet: run transform (and catalog, publish) first';
  return formatTable(
    [
      'table',
      'partitioned',
      'schema',
      'partitions',
      'rows',
      'bytes',
      'files',
      'staged',
      'first end',
      'last end',
    ],
    tables.map((t) => [
      `dev.${t.table}`,
      t.partitioned ? 'by day' : 'no',
      t.schemaVersion === null ? '-' : `v${t.schemaVersion}`,
      String(t.partitions),
      String(t.rows),
      formatBytes(t.bytes),
      String(t.files),
      String(t.stagedVersions),
      t.minPeriodEndUtc ?? '-',
      t.maxPeriodEndUtc ?? '-',
    ]),
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
