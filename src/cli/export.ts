// aqlake export: one view's rows to a Parquet or CSV file, for a spreadsheet or a notebook.
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { duckDbSettings } from '../engines/duckdb/duckdb-instance.js';
import { QuerySession, sqlString } from '../engines/duckdb/query-session.js';
import { UsageError } from '../errors.js';
import { readableDevRoots, resolveDevTables } from '../lake/dev-files.js';
import { openLakeRuntime } from '../pipeline/runtime.js';
import { parseDate } from './catalog.js';
import { configFor } from './options.js';

interface ExportFlags {
  format: string;
  out: string;
  from?: string;
  to?: string;
  where?: string;
}

export function registerExport(command: Command): void {
  command
    .argument('<view>', 'a dev.* table or prod.* view, e.g. prod.daily_averages')
    .requiredOption('--out <path>', 'the file to write (replaced atomically if it exists)')
    .option('--format <format>', 'parquet or csv', 'parquet')
    .option('--from <YYYY-MM-DD>', 'first local_date to include')
    .option('--to <YYYY-MM-DD>', 'last local_date to include')
    .option('--where <condition>', 'an SQL condition on the view’s columns, e.g. "sensor_id = 3917"')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  aqlake export prod.daily_averages --format csv --out daily.csv --from 2024-06-01 --to 2024-06-30\n' +
        '  aqlake export dev.measurements --out pm25.parquet --where "parameter = \'pm25\'"\n' +
        '\n--where runs in the same read-only session as `aqlake query`: it can read the lake and nothing else.',
    )
    .action(async (view: string, flags: ExportFlags, command: Command) => {
      if (flags.format !== 'parquet' && flags.format !== 'csv')
        throw new UsageError(`--format: expected parquet or csv, got "${flags.format}"`);
      const from = flags.from === undefined ? undefined : parseDate('--from', flags.from);
      const to = flags.to === undefined ? undefined : parseDate('--to', flags.to);
      if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
      const config = configFor(command);
      const out = resolve(flags.out);
      const runtime = await openLakeRuntime(config);
      try {
        const tables = await resolveDevTables(runtime);
        const settings = duckDbSettings(config);
        const locked = await QuerySession.create({
          tables,
          lockdown: { allowedDirectories: readableDevRoots(tables, config.home) },
          settings,
        });
        let rows: number;
        let select: string;
        const params: Record<string, string> = {};
        try {
          if (!locked.views.includes(view))
            throw new UsageError(`no view "${view}" (views: ${locked.views.join(', ')})`);
          const columns = (await locked.run(`SELECT column_name FROM (DESCRIBE ${view})`)).map(
            (r) => r.column_name as string,
          );
          const conditions: string[] = [];
          if (from || to) {
            if (!columns.includes('local_date'))
              throw new UsageError(`--from/--to: ${view} has no local_date column`);
            if (from) {
              conditions.push('local_date >= CAST($from AS DATE)');
              params.from = from;
            }
            if (to) {
              conditions.push('local_date <= CAST($to AS DATE)');
              params.to = to;
            }
          }
          if (flags.where !== undefined) conditions.push(`(${flags.where})`);
          select = `SELECT * FROM ${view}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
          // The guard: the whole statement runs once where user SQL runs (one read-only statement, the lake only).
          const counted = await locked.query(`SELECT count(*)::BIGINT AS n FROM (${select})`, { params });
          rows = Number(counted.rows[0]?.[0] ?? 0);
        } finally {
          locked.close();
        }
        // Checked, so the same SELECT now goes into a COPY in a session of our own, written aside then renamed.
        const writer = await QuerySession.create({ tables, settings });
        const tmp = `${out}.${randomUUID()}.tmp`;
        try {
          const format =
            flags.format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet, COMPRESSION snappy';
          await writer.run(`COPY (${select}) TO ${sqlString(tmp)} (${format})`, params);
          await rename(tmp, out);
        } finally {
          writer.close();
          await rm(tmp, { force: true });
        }
        process.stdout.write(`wrote ${rows} rows of ${view} to ${out}\n`);
      } finally {
        await runtime.close();
      }
    });
}
