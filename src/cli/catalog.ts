// aqlake catalog: the dev tables and their partitions as the catalog knows them; `catalog ddl` prints Athena DDL.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import {
  athenaDdl,
  listPartitions,
  listSchemaVersions,
  listTables,
  listVersionHistory,
  type TableSummary,
} from '../lake/catalog/index.js';
import { listCheckResults } from '../lake/check-results.js';
import type { MetaDb } from '../lake/meta/meta-db.js';
import { formatTable } from '../orchestrator/cli-support.js';
import { openLakeRuntime } from '../pipeline/runtime.js';
import { configFor } from './options.js';

interface CatalogFlags {
  table?: string;
  json?: boolean;
}

interface HistoryFlags {
  table?: string;
  date?: string;
  json?: boolean;
}

interface DdlFlags {
  bucket?: string;
  database: string;
  years?: string;
}

export function registerCatalog(command: Command): void {
  const catalog = command
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
    .command('history')
    .description(
      'list the versions of a table’s partition (or of all its partitions): state, run, rows, checks, times',
    )
    .option('--table <name>', 'the table, e.g. measurements or dev.measurements')
    .option('--date <YYYY-MM-DD>', 'only this local day’s partition')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      '\nA superseded version whose object is kept (within lake.retentionDays) can be made current again with\n' +
        '`aqlake rollback --table T --date D --version N`.',
    )
    .action(async (flags: HistoryFlags, command: Command) => {
      // `catalog` itself takes --table and --json, and commander gives them to it: read them from there too.
      const parent = (command.parent?.opts() ?? {}) as CatalogFlags;
      const tableFlag = flags.table ?? parent.table;
      const json = flags.json ?? parent.json;
      if (!tableFlag) throw new UsageError('--table: which table? (e.g. --table measurements)');
      const runtime = await openLakeRuntime(configFor(command));
      try {
        const table = knownTable(runtime.meta, tableFlag);
        const date = flags.date === undefined ? undefined : parseDate('--date', flags.date);
        const history = listVersionHistory(
          runtime.meta,
          table.table,
          table.partitioned ? date : undefined,
        ).map((v) => ({
          versionId: v.versionId,
          localDate: v.localDate,
          state: v.state,
          runId: v.runId,
          rows: v.rows,
          bytes: v.bytes,
          checks: checkSummary(runtime.meta, v.versionId),
          createdAt: v.createdAt,
          committedAt: v.committedAt,
          supersededAt: v.state === 'superseded' ? v.retiredAt : null,
          discardedAt: v.state === 'discarded' ? v.retiredAt : null,
          objectKept: v.filesDeletedAt === null && v.state !== 'discarded',
        }));
        if (json) {
          process.stdout.write(
            `${JSON.stringify({ table: `${table.zone}.${table.table}`, versions: history })}\n`,
          );
          return;
        }
        if (history.length === 0) {
          process.stdout.write(`${table.zone}.${table.table}${date ? `/${date}` : ''}: no versions\n`);
          return;
        }
        process.stdout.write(
          `${formatTable(
            [
              'partition',
              'version',
              'state',
              'run',
              'rows',
              'checks',
              'created',
              'committed',
              'superseded',
              'kept',
            ],
            history.map((h) => [
              h.localDate ?? '(whole table)',
              String(h.versionId),
              h.state,
              h.runId ?? '-',
              String(h.rows),
              h.checks.text,
              shortTime(h.createdAt),
              shortTime(h.committedAt),
              shortTime(h.supersededAt ?? h.discardedAt),
              h.objectKept ? 'yes' : 'no',
            ]),
          )}\n`,
        );
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
    .option(
      '--years <from,to>',
      'years the partition projection covers (default: 2016, OpenAQ’s first year, to 10 years from now)',
    )
    .addHelpText(
      'after',
      '\nDay-partitioned tables use Athena partition projection (year/month/day from the key layout): no crawler,\n' +
        'no MSCK REPAIR TABLE and no partition API call; a published day is readable at once.',
    )
    .action(async (flags: DdlFlags, command: Command) => {
      const years = flags.years === undefined ? undefined : parseYears(flags.years);
      const runtime = await openLakeRuntime(configFor(command));
      try {
        const bucket = flags.bucket ?? process.env.AQLAKE_BUCKET;
        if (!bucket)
          process.stderr.write('aqlake: no --bucket or AQLAKE_BUCKET; the statements say <bucket>\n');
        const tables = listTables(runtime.meta).filter((t) => t.schemaVersion !== null);
        if (tables.length === 0)
          throw new UsageError('the catalog has no table with a schema yet; run transform and catalog first');
        const statements = tables.map((t) =>
          athenaDdl(runtime.meta, t.table, { bucket, database: flags.database, ...(years ? { years } : {}) }),
        );
        process.stdout.write(`${statements.join('\n\n')}\n`);
      } finally {
        await runtime.close();
      }
    });
}

/** A table the catalog knows, named with or without its `dev.` schema; else a usage error listing the known ones. */
export function knownTable(meta: MetaDb, name: string): TableSummary {
  const tables = listTables(meta);
  const wanted = name.replace(/^(dev|prod)\./, '');
  const table = tables.find((t) => t.table === wanted);
  if (!table)
    throw new UsageError(
      `--table: no table "${name}" in the catalog (known: ${tables.map((t) => t.table).join(', ') || 'none yet'})`,
    );
  return table;
}

function parseYears(value: string): [number, number] {
  const m = /^(\d{4}),(\d{4})$/.exec(value.trim());
  if (!m || Number(m[1]) > Number(m[2]))
    throw new UsageError(`--years: expected FROM,TO such as 2020,2035, got "${value}"`);
  return [Number(m[1]), Number(m[2])];
}

export function parseDate(flag: string, value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new UsageError(`${flag}: expected a date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** A version's checks at a glance: the latest result of each check. */
function checkSummary(
  meta: MetaDb,
  versionId: number,
): { pass: number; warn: number; fail: number; failed: string[]; text: string } {
  const latest = new Map<string, ReturnType<typeof listCheckResults>[number]>();
  for (const r of listCheckResults(meta, { versionId })) if (!latest.has(r.check)) latest.set(r.check, r);
  const all = [...latest.values()];
  const failed = all.filter((r) => r.status === 'fail' && r.severity === 'error').map((r) => r.check);
  const warn = all.filter((r) => r.status !== 'pass' && r.severity !== 'error').length;
  const pass = all.filter((r) => r.status === 'pass').length;
  const text =
    all.length === 0
      ? 'not run'
      : failed.length > 0
        ? `FAILED ${failed.join(', ')}`
        : `${pass} pass${warn > 0 ? `, ${warn} warn` : ''}`;
  return { pass, warn, fail: failed.length, failed, text };
}

function shortTime(iso: string | null): string {
  return iso === null ? '-' : `${iso.slice(0, 16).replace('T', ' ')}Z`;
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
      `${t.zone}.${t.table}`,
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
