// The read side on AWS: user SQL over dev.* and prod.* runs in Athena, one read-only statement at a time.
import type { AthenaClient } from '@aws-sdk/client-athena';
import { EngineError } from '../../errors.js';
import type {
  CellValue,
  QueryColumn,
  QueryOptions,
  QueryResult,
  QueryStream,
  ReadOnlyQuerySession,
} from '../engine.js';
import { bindParameters, toAthenaSql } from './athena-dialect.js';
import { startAthenaQuery } from './athena-query.js';
import type { AwsSettings } from './aws-settings.js';
import type { PollSettings } from './polling.js';

const READ_ONLY = /^(SELECT|WITH|VALUES|SHOW|DESCRIBE|EXPLAIN)\b/i;

/**
 * Checks that `sql` is one read-only statement. Athena itself would also run DDL and INSERT with the caller's rights,
 * so the guard is here; the IAM policy (aqlake aws policy) is the second fence.
 */
function assertReadOnly(sql: string): void {
  const body = sql.replace(/^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
  if (body.trim() === '') throw new EngineError('no SQL statement to run', 'Usage Error', sql);
  const withoutStrings = body.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
  if (/;\s*\S/.test(withoutStrings.replace(/--[^\n]*/g, '')))
    throw new EngineError(
      'one statement at a time: split them and run each on its own',
      'Read-only Error',
      sql,
    );
  if (!READ_ONLY.test(body))
    throw new EngineError(
      'read-only: only queries (SELECT, WITH, VALUES, SHOW, DESCRIBE) can run here',
      'Read-only Error',
      sql,
    );
}

const DESCRIBE_COLUMNS: QueryColumn[] = [
  { name: 'col_name', type: 'varchar' },
  { name: 'data_type', type: 'varchar' },
  { name: 'comment', type: 'varchar' },
];

/**
 * Athena answers DESCRIBE of a table or view with ONE column of Hive's text: a row per column, name, type and comment
 * separated by tabs and padded with spaces, then (for a partitioned table) a blank row and a `# Partition Information`
 * block repeating the partition columns the rows above already listed. The CLI shows it as the three columns.
 */
export function describeRows(lines: readonly (string | null)[]): [string, string, string | null][] {
  const out: [string, string, string | null][] = [];
  for (const line of lines) {
    const text = line ?? '';
    if (text.trim().startsWith('#')) break;
    if (text.trim() === '') continue;
    const [name = '', type = '', comment = ''] = text.split('\t').map((part) => part.trim());
    out.push([name, type, comment === '' ? null : comment]);
  }
  return out;
}

function describeTable(pages: AsyncIterable<CellValue[][]>): QueryStream {
  return {
    columns: DESCRIBE_COLUMNS,
    batches: (async function* () {
      const lines: (string | null)[] = [];
      for await (const page of pages)
        for (const row of page) lines.push(row[0] == null ? null : String(row[0]));
      yield describeRows(lines);
    })(),
  };
}

export class AthenaQuerySession implements ReadOnlyQuerySession {
  constructor(
    private readonly athena: AthenaClient,
    private readonly settings: AwsSettings,
    private readonly poll: Omit<PollSettings, 'signal' | 'timeoutMs'>,
    readonly views: readonly string[],
    private readonly onBytes?: (n: number, billed: boolean) => void,
  ) {}

  /** The user writes Athena (Trino) SQL; `dev.` and `prod.` name the Glue databases, `$name` binds a parameter. */
  async stream(sql: string, options: QueryOptions = {}): Promise<QueryStream> {
    assertReadOnly(sql);
    const t = toAthenaSql(sql.trim().replace(/;\s*$/, ''), {
      devDatabase: this.settings.devDatabase,
      prodDatabase: this.settings.prodDatabase,
    });
    const pages = await startAthenaQuery(
      this.athena,
      {
        sql: t.sql,
        workgroup: this.settings.workgroup,
        database: this.settings.prodDatabase,
        parameters: bindParameters(t.parameters, options.params ?? {}),
      },
      {
        ...this.poll,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      },
      this.onBytes,
    );
    if (/^DESCRIBE\b/i.test(t.sql.trim()) && pages.columns.length === 1) return describeTable(pages.pages);
    return { columns: pages.columns, batches: pages.pages };
  }

  async query(sql: string, options: QueryOptions = {}): Promise<QueryResult> {
    const { columns, batches } = await this.stream(sql, options);
    const rows: QueryResult['rows'] = [];
    for await (const b of batches) rows.push(...b);
    return { columns, rows };
  }

  close(): void {}
}
