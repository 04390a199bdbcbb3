// Schema evolution rules of the catalog, as pure functions: what a new set of columns means for a table's schema.
import { AqlakeError } from '../../errors.js';

export interface TableColumn {
  name: string;
  /** DuckDB type name as Parquet files report it: BIGINT, INTEGER, DOUBLE, VARCHAR, TIMESTAMP, DATE, BOOLEAN, … */
  type: string;
}

export type SchemaChange =
  | { kind: 'initial' }
  | { kind: 'same' }
  | { kind: 'evolved'; added: TableColumn[]; widened: { name: string; from: string; to: string }[] };

/** Files whose columns cannot be read under the table's schema: the day must not be published. */
export class SchemaDriftError extends AqlakeError {
  constructor(
    message: string,
    readonly table: string,
    readonly column: string,
  ) {
    super(message);
    this.name = 'SchemaDriftError';
  }
}

/** Each type may be read as any type after it in its chain without losing a value. */
const WIDENING_CHAINS = [
  ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT'],
  ['UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT'],
  ['FLOAT', 'DOUBLE'],
];

export function canWiden(from: string, to: string): boolean {
  if (from === to) return true;
  return WIDENING_CHAINS.some((chain) => {
    const i = chain.indexOf(from);
    const j = chain.indexOf(to);
    return i >= 0 && j > i;
  });
}

/**
 * Compares the columns of newly written files with the table's latest schema version. A new column or a widened
 * type evolves the schema (a new version); a dropped column or an incompatible type change throws, naming the
 * table, the column and both types. Column order does not matter.
 */
export function compareSchemas(
  table: string,
  previous: readonly TableColumn[] | null,
  next: readonly TableColumn[],
  previousVersion?: number,
): SchemaChange {
  if (previous === null) return { kind: 'initial' };
  const version = previousVersion !== undefined ? ` (schema version ${previousVersion})` : '';
  const nextByName = new Map(next.map((c) => [c.name, c.type]));
  const widened: { name: string; from: string; to: string }[] = [];
  for (const old of previous) {
    const type = nextByName.get(old.name);
    if (type === undefined)
      throw new SchemaDriftError(
        `schema drift in dev.${table}: column ${old.name} (${old.type}) is missing from the new files; readers of dev.${table}${version} expect it`,
        table,
        old.name,
      );
    if (type === old.type || canWiden(type, old.type)) continue;
    if (canWiden(old.type, type)) {
      widened.push({ name: old.name, from: old.type, to: type });
      continue;
    }
    throw new SchemaDriftError(
      `schema drift in dev.${table}: column ${old.name} changed type from ${old.type} to ${type}, which is not compatible; dev.${table}${version} keeps ${old.type}`,
      table,
      old.name,
    );
  }
  const known = new Set(previous.map((c) => c.name));
  const added = next.filter((c) => !known.has(c.name));
  if (added.length === 0 && widened.length === 0) return { kind: 'same' };
  return { kind: 'evolved', added: [...added], widened };
}

/** The schema a new version records: the previous columns in their order (widened where needed), then the added ones. */
export function evolvedColumns(
  previous: readonly TableColumn[],
  next: readonly TableColumn[],
): TableColumn[] {
  const nextByName = new Map(next.map((c) => [c.name, c.type]));
  const known = new Set(previous.map((c) => c.name));
  return [
    ...previous.map((c) => {
      const type = nextByName.get(c.name);
      return type !== undefined && canWiden(c.type, type) ? { name: c.name, type } : { ...c };
    }),
    ...next.filter((c) => !known.has(c.name)).map((c) => ({ ...c })),
  ];
}
