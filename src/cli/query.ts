// aqlake query: one read-only SQL statement against the dev and prod views, printed as an aligned table, CSV or JSON.
import type { Command } from 'commander';
import type { CellValue, QueryColumn, QueryStream } from '../engines/engine.js';
import { UsageError } from '../errors.js';
import { readableDevRoots, resolveDevTables } from '../pipeline/publish.js';
import { openPipelineRuntime } from '../pipeline/runtime.js';
import { configFor, parsePositiveInt } from './options.js';

export type QueryFormat = 'table' | 'csv' | 'json';

interface QueryFlags {
  format: string;
  timeout: string;
}

export function registerQuery(program: Command): void {
  program
    .command('query')
    .description('run one read-only SQL statement against the dev.* tables and prod.* views')
    .argument('<sql>', 'a SELECT (or WITH, FROM, DESCRIBE, SHOW …); quote it for your shell')
    .option('-f, --format <format>', 'table, csv (RFC 4180) or json (an array of objects)', 'table')
    .option('--timeout <seconds>', 'stop the statement after this many seconds', '300')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  aqlake query "SELECT * FROM prod.daily_averages ORDER BY local_date DESC LIMIT 10"\n' +
        '  aqlake query --format csv "SELECT * FROM prod.daily_aqi" > aqi.csv\n' +
        '  aqlake query "SHOW ALL TABLES"\n' +
        '\nRead-only: the statement can read the lake and nothing else. Writing (COPY, CREATE, INSERT), ATTACH,\n' +
        'INSTALL/LOAD, SET and reading files outside the lake fail with one line.',
    )
    .action(async (sql: string, flags: QueryFlags, command: Command) => {
      const format = parseFormat(flags.format);
      const timeoutMs = parsePositiveInt('--timeout', flags.timeout) * 1000;
      const config = configFor(command);
      const runtime = await openPipelineRuntime(config);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      try {
        const engine = await runtime.engine();
        const tables = await resolveDevTables(runtime, { readsStore: engine.readsStore === true });
        const session = await engine.openReadOnlySession({
          tables,
          allowedDirectories: readableDevRoots(tables, config.home),
        });
        try {
          const stream = await session.stream(sql, { timeoutMs, signal: controller.signal });
          await writeResult(stream, format, (text) => process.stdout.write(text));
        } finally {
          session.close();
        }
      } finally {
        process.off('SIGINT', stop);
        await runtime.close();
      }
    });
}

export function parseFormat(value: string): QueryFormat {
  if (value === 'table' || value === 'csv' || value === 'json') return value;
  throw new UsageError(`--format: expected table, csv or json, got "${value}"`);
}

/** Streams CSV and JSON row batch by row batch; a table needs every row first to align its columns. */
export async function writeResult(
  stream: QueryStream,
  format: QueryFormat,
  write: (text: string) => void,
): Promise<void> {
  const { columns, batches } = stream;
  if (format === 'csv') {
    write(csvLine(columns.map((c) => c.name)));
    for await (const batch of batches) write(batch.map((row) => csvLine(row.map(csvText))).join(''));
  } else if (format === 'json') {
    const names = uniqueNames(columns);
    let first = true;
    write('[');
    for await (const batch of batches) {
      for (const row of batch) {
        write(
          `${first ? '\n' : ',\n'}${JSON.stringify(Object.fromEntries(names.map((n, i) => [n, row[i] ?? null])))}`,
        );
        first = false;
      }
    }
    write(first ? ']\n' : '\n]\n');
  } else {
    const rows: CellValue[][] = [];
    for await (const batch of batches) rows.push(...batch);
    write(formatTable(columns, rows));
  }
}

/** RFC 4180: CRLF line ends; a field with a comma, a quote or a line break is quoted, quotes doubled. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\r\n`;
}

function csvText(value: CellValue): string {
  if (value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** JSON keys must be unique: a repeated column name gets `_2`, `_3`… */
export function uniqueNames(columns: readonly QueryColumn[]): string[] {
  const seen = new Map<string, number>();
  return columns.map(({ name }) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

/**
 * A psql-like table: a header, a rule, one line per row, numbers right-aligned, NULL spelled out, and a row count.
 * Line breaks inside a value are shown as `\n` so each row stays on one line.
 */
export function formatTable(columns: readonly QueryColumn[], rows: readonly CellValue[][]): string {
  const cells = rows.map((row) => row.map(tableText));
  const widths = columns.map((c, i) => Math.max(width(c.name), ...cells.map((r) => width(r[i]!))));
  const right = columns.map((c) => NUMERIC.test(c.type));
  const pad = (text: string, i: number) =>
    right[i] ? ' '.repeat(widths[i]! - width(text)) + text : text + ' '.repeat(widths[i]! - width(text));
  const line = (texts: readonly string[]) => `${texts.map(pad).join(' │ ').trimEnd()}\n`;
  const header = `${columns
    .map((c, i) => c.name + ' '.repeat(widths[i]! - width(c.name)))
    .join(' │ ')
    .trimEnd()}\n`;
  const rule = `${widths.map((w) => '─'.repeat(w)).join('─┼─')}\n`;
  const count = `(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})\n`;
  return header + rule + cells.map(line).join('') + count;
}

function tableText(value: CellValue): string {
  if (value === null) return 'NULL';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replace(/\r?\n/g, '\\n');
}

/** Display width: code points, so µg/m³ counts as 5. */
function width(text: string): number {
  return [...text].length;
}
