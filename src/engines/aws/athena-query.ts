// One Athena query: StartQueryExecution, GetQueryExecution with backoff, GetQueryResults page by page;
// StopQueryExecution when cancelled or timed out.
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { EngineError, errorMessage } from '../../errors.js';
import type { CellValue, QueryColumn } from '../engine.js';
import { abortedError, PollAborted, type PollSettings, pollUntil } from './polling.js';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export interface AthenaQueryInput {
  sql: string;
  workgroup: string;
  /**
   * The database unqualified names resolve in, always given (QueryExecutionContext): without it Athena falls back to
   * `default`, which the IAM policy would then have to cover too, and which may not exist in the region.
   */
  database: string;
  /** Values for the `?` placeholders, as SQL literals (`'2024-03-05'`, `42`, `NULL`): Athena binds them. */
  parameters?: string[];
  /** Where results go when the workgroup does not enforce its own location. */
  outputLocation?: string;
  /** Rows to read back at most (GetQueryResults pages of 1,000); DDL reads none. */
  maxRows?: number;
}

export interface AthenaQueryResult {
  queryExecutionId: string;
  columns: QueryColumn[];
  rows: CellValue[][];
  bytesScanned: number;
  /** DDL, DML or UTILITY, as Athena classifies the statement. */
  statementType: string;
}

export interface AthenaPages {
  queryExecutionId: string;
  bytesScanned: number;
  statementType: string;
  columns: QueryColumn[];
  pages: AsyncIterable<CellValue[][]>;
}

/** Runs the statement to completion and reads its rows. */
export async function runAthenaQuery(
  athena: AthenaClient,
  input: AthenaQueryInput,
  poll: PollSettings,
  /** Bytes scanned, and whether Athena bills the query (not DDL, not a failed query). */
  onBytes: (bytes: number, billed: boolean) => void = () => {},
): Promise<AthenaQueryResult> {
  const { pages, ...rest } = await startAthenaQuery(athena, input, poll, onBytes);
  const rows: CellValue[][] = [];
  for await (const page of pages) {
    rows.push(...page);
    if (input.maxRows !== undefined && rows.length >= input.maxRows) break;
  }
  return { ...rest, rows: input.maxRows !== undefined ? rows.slice(0, input.maxRows) : rows };
}

/** Runs the statement to completion; its rows are then read page by page as the caller iterates. */
export async function startAthenaQuery(
  athena: AthenaClient,
  input: AthenaQueryInput,
  poll: PollSettings,
  /** Bytes scanned, and whether Athena bills the query (not DDL, not a failed query). */
  onBytes: (bytes: number, billed: boolean) => void = () => {},
): Promise<AthenaPages> {
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: input.sql,
      WorkGroup: input.workgroup,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: input.database },
      ...(input.parameters?.length ? { ExecutionParameters: input.parameters } : {}),
      ...(input.outputLocation ? { ResultConfiguration: { OutputLocation: input.outputLocation } } : {}),
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new EngineError('Athena did not return a query execution id', 'Athena Error', input.sql);
  let execution: QueryExecution;
  try {
    execution = await pollUntil(
      async () => {
        const out = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
        if (!out.QueryExecution)
          throw new EngineError(`Athena returned no execution ${id}`, 'Athena Error', input.sql);
        return out.QueryExecution;
      },
      (q) => TERMINAL.has(q.Status?.State ?? ''),
      poll,
    );
  } catch (err) {
    if (!(err instanceof PollAborted)) throw err;
    await stopQuery(athena, id, input.sql);
    throw abortedError(err, `Athena query ${id}`, input.sql);
  }
  const bytesScanned = execution.Statistics?.DataScannedInBytes ?? 0;
  const state = execution.Status?.State;
  onBytes(bytesScanned, execution.StatementType !== 'DDL' && state !== 'FAILED');
  if (state !== 'SUCCEEDED') {
    const why =
      execution.Status?.AthenaError?.ErrorMessage ??
      execution.Status?.StateChangeReason ??
      'Athena gave no reason';
    throw new EngineError(`Athena query ${id} ${state}: ${why}`, `Athena Query ${state}`, input.sql);
  }
  const statementType = execution.StatementType ?? 'DML';
  // Read the first page now, for the column names and types even when there are no rows. DDL has no result
  // set; UTILITY statements (SHOW, DESCRIBE, EXPLAIN) do, and their first row is data, not a header.
  const first =
    statementType !== 'DDL'
      ? await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000 }))
      : null;
  const info = first?.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
  const columns = info.map((c) => ({ name: c.Name ?? '', type: c.Type ?? 'varchar' }));
  const pages = async function* (): AsyncGenerator<CellValue[][]> {
    if (!first) return;
    let page = first;
    let header = true;
    for (;;) {
      const rows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
      // A SELECT's first result row repeats the column names.
      if (
        header &&
        statementType === 'DML' &&
        rows.length > 0 &&
        rows[0]!.every((v, i) => v === (info[i]?.Label ?? info[i]?.Name))
      )
        rows.shift();
      header = false;
      yield rows.map((r) => r.map((v, i) => toCell(v, info[i])));
      if (!page.NextToken) return;
      page = await athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: page.NextToken, MaxResults: 1000 }),
      );
    }
  };
  return { queryExecutionId: id, bytesScanned, statementType, columns, pages: pages() };
}

async function stopQuery(athena: AthenaClient, id: string, sql: string): Promise<void> {
  try {
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
  } catch (err) {
    throw new EngineError(`could not stop Athena query ${id}: ${errorMessage(err)}`, 'Athena Error', sql);
  }
}

/** Athena returns every value as text; numbers and booleans become JS values again. */
function toCell(value: string | null, column: ColumnInfo | undefined): CellValue {
  if (value === null) return null;
  switch ((column?.Type ?? 'varchar').toLowerCase()) {
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    }
    case 'double':
    case 'float':
    case 'real':
    case 'decimal':
      return Number(value);
    case 'boolean':
      return value === 'true';
    default:
      return value;
  }
}
