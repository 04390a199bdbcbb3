// aqlake query: one read-only SQL statement against the dev and prod views, printed as an aligned table, CSV or JSON.
import type { Command } from 'commander';
import type { CellValue, QueryColumn, QueryStream } from '../engines/engine.js';
import { UsageError } from '../errors.js';
import { readableDevRoots, resolveDevTables } from '../lake/dev-files.js';
import { resolveProdTables } from '../pipeline/prod-days.js';
import { openPipelineRuntime } from '../pipeline/runtime.js';
import { configFor } from './options.js';

export type QueryFormat = 'table' | 'csv' | 'json';

interface QueryFlags {
  format: string;
  timeout: string;
}

export function registerQuery(command: Command): void {
  command
    .argument('<sql>', 'a SELECT (or WITH, FROM, DESCRIBE, SHOW …); quote it for your shell')
    .option('-f, --format <format>', 'table, csv (RFC 4180) or json (an array of objects)', 'table')
    .option(
      '--timeout <seconds>',
      `stop the statement after this many seconds (${MIN_TIMEOUT_S} to ${MAX_TIMEOUT_S}); a stopped query exits non-zero`,
      '300',
    )
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
      // Every flag is checked before the lake is opened (opening it creates _meta/aqlake.db).
      const format = parseFormat(flags.format);
      const timeoutMs = parseTimeoutSeconds(flags.timeout) * 1000;
      if (sql.trim() === '') throw new UsageError('<sql>: empty; pass one SELECT statement');
      const config = configFor(command);
      const runtime = await openPipelineRuntime(config);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      try {
        const prodTables = await resolveProdTables(runtime);
        const engine = await runtime.engine();
        const tables = await resolveDevTables(runtime, { readsStore: engine.readsStore === true });
        const session = await engine.openReadOnlySession({
          tables,
          prodTables,
          allowedDirectories: readableDevRoots(tables, config.home, prodTables),
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

const MIN_TIMEOUT_S = 1;
const MAX_TIMEOUT_S = 24 * 60 * 60;

/** Whole seconds from 1 s to 24 h (a larger number would overflow Node's timer and fire at once). */
function parseTimeoutSeconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < MIN_TIMEOUT_S || Number(value) > MAX_TIMEOUT_S)
    throw new UsageError(
      `--timeout: expected whole seconds from ${MIN_TIMEOUT_S} to ${MAX_TIMEOUT_S} (24 h), got "${value}"`,
    );
  return Number(value);
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
    // A page of rows at a time: any row count prints, with memory for one page. Each page is aligned on its own;
    // when a page needs other widths, the header is repeated above it.
    let page: CellValue[][] = [];
    let total = 0;
    let shown: number[] | undefined;
    const flush = () => {
      const widths = tableWidths(columns, page, shown);
      const header = shown === undefined || widths.some((w, i) => w !== shown![i]);
      write(formatTable(columns, page, { widths, header, count: false }));
      shown = widths;
      page = [];
    };
    for await (const batch of batches) {
      for (const row of batch) {
        page.push(row);
        total++;
        if (page.length >= TABLE_PAGE_ROWS) flush();
      }
    }
    if (page.length > 0 || shown === undefined) flush();
    write(rowCount(total));
  }
}

/** Rows a table page holds. */
const TABLE_PAGE_ROWS = 10_000;

/** RFC 4180: CRLF line ends; a field with a comma, a quote or a line break is quoted, quotes doubled. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\r\n`;
}

function csvText(value: CellValue): string {
  if (value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** JSON keys must be unique: a repeated column name gets `_2`, `_3`… */
function uniqueNames(columns: readonly QueryColumn[]): string[] {
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
export function formatTable(
  columns: readonly QueryColumn[],
  rows: readonly CellValue[][],
  options: { widths?: number[]; header?: boolean; count?: boolean } = {},
): string {
  const cells = rows.map((row) => row.map(tableText));
  const widths = options.widths ?? tableWidths(columns, rows);
  const right = columns.map((c) => NUMERIC.test(c.type));
  const pad = (text: string, i: number) =>
    right[i] ? ' '.repeat(widths[i]! - width(text)) + text : text + ' '.repeat(widths[i]! - width(text));
  const line = (texts: readonly string[]) => `${texts.map(pad).join(' │ ').trimEnd()}\n`;
  const header = `${columns
    .map((c, i) => c.name + ' '.repeat(widths[i]! - width(c.name)))
    .join(' │ ')
    .trimEnd()}\n`;
  const rule = `${widths.map((w) => '─'.repeat(w)).join('─┼─')}\n`;
  const head = options.header === false ? '' : header + rule;
  return head + cells.map(line).join('') + (options.count === false ? '' : rowCount(rows.length));
}

/** Each column as wide as its name and its widest value (and at least `least`); no spread, so any row count. */
function tableWidths(
  columns: readonly QueryColumn[],
  rows: readonly CellValue[][],
  least?: readonly number[],
): number[] {
  const widths = columns.map((c, i) => Math.max(width(c.name), least?.[i] ?? 0));
  for (const row of rows)
    for (let i = 0; i < widths.length; i++) {
      const w = width(tableText(row[i] ?? null));
      if (w > widths[i]!) widths[i] = w;
    }
  return widths;
}

function rowCount(n: number): string {
  return `(${n} ${n === 1 ? 'row' : 'rows'})\n`;
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
