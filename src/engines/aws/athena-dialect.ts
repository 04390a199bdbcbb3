// The one place DuckDB SQL becomes Athena (Trino) SQL: the shared sql/prod views and sql/checks run on both engines.
//
// What differs, and what this module does about it:
// - schemas: `dev.` / `prod.` → the configured Glue databases (openaq_dev, openaq_prod by default).
// - `$name` parameters → `?`, with the values passed to Athena as ExecutionParameters (bound, never spliced).
// - `timezone(tz, CAST(e AS TIMESTAMPTZ))` (UTC instant → local wall time) →
//   `CAST(at_timezone(with_timezone(CAST(e AS TIMESTAMP), 'UTC'), tz) AS TIMESTAMP)`;
//   `timezone(tz, CAST(e AS TIMESTAMP))` (local wall time → instant) → `at_timezone(with_timezone(…, tz), 'UTC')`,
//   so an outer CAST(… AS TIMESTAMP) gives UTC wall time as DuckDB's UTC session does.
// - `quantile_cont(x, p)`: Trino has only approx_percentile (approximate — OpenAQ's medians are exact, PostgreSQL
//   percentile_cont), so it becomes the exact linear interpolation over array_sort(array_agg(x)).
// - `arg_min`/`arg_max` → `min_by`/`max_by`; `strftime(ts, fmt)` → `date_format(ts, fmt)` (%M → %i, %S → %s).
// - `INTERVAL 1 HOUR` / `INTERVAL 7 HOURS` → `INTERVAL '1' HOUR` / `INTERVAL '7' HOUR`.
// - `CAST(x AS DATE) + n` → `date_add('day', n, CAST(x AS DATE))` (Trino does not add integers to dates).
// - `a || b`: DuckDB casts numbers to text, Trino refuses: every operand that is not a string literal is wrapped in
//   CAST(… AS VARCHAR).
// - `read_json($quality_rules_path, …)` (DuckDB reads the rules file): the rules are inlined as VALUES.
// - `date_trunc`, `date_diff`, FILTER (WHERE), IS DISTINCT FROM, RANGE windows with INTERVAL offsets, timestamp −
//   timestamp: the same in both.
// Anything else DuckDB-only (`::`, TIMESTAMPTZ, epoch, unnest(…) in a select list …) fails with a DialectError.
import { EngineError } from '../../errors.js';

export interface DialectOptions {
  /** Glue database for the SQL's `dev.` schema. */
  devDatabase: string;
  /** Glue database for `prod.`. */
  prodDatabase: string;
  /** Table names that replace `dev.<table>` (the checks read a partition version's scratch table). */
  devTables?: Record<string, string>;
  /** Replace `prod.<view>` with `<prefix><view>` (CTE names when prod views are inlined into a check). */
  prodViewPrefix?: string;
  /** The quality spec (sql/dev/quality-rules.json), for `read_json($quality_rules_path, …)`. */
  qualityRules?: QualityRulesSpec;
}

export interface QualityRulesSpec {
  sentinelMax: number;
  futureToleranceSeconds: number;
  ranges: { parameter: string; units: string; min: number | null; max: number | null }[];
}

export interface AthenaSql {
  sql: string;
  /** The `$name` parameters in the order of their `?` placeholders. */
  parameters: string[];
}

export class DialectError extends EngineError {
  constructor(message: string, sql?: string) {
    super(message, 'Dialect Error', sql);
    this.name = 'DialectError';
  }
}

/** Rewrites one DuckDB statement (as in sql/prod, sql/checks) into Athena SQL. */
export function toAthenaSql(duckSql: string, options: DialectOptions): AthenaSql {
  let sql = inlineQualityRules(duckSql, options.qualityRules);
  sql = rewriteTokens(sql, options);
  const parameters: string[] = [];
  sql = render(
    tokenize(sql).map((t) => {
      if (t.type !== 'param') return t;
      parameters.push(t.text.slice(1));
      return { type: 'op', text: '?' };
    }),
  );
  sql = rewriteCalls(sql);
  sql = rewriteDatePlusInteger(sql);
  sql = castConcatOperands(sql);
  refuseLeftovers(sql, duckSql);
  return { sql, parameters };
}

/** A value for an Athena ExecutionParameter: the SQL literal Athena splices at its `?` (strings quoted and escaped). */
export function sqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DialectError(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${value.replace(/'/g, "''")}'`;
}

/** The execution parameters for a translated statement, from named values. */
export function bindParameters(
  parameters: readonly string[],
  values: Record<string, string | number | boolean | null>,
): string[] {
  return parameters.map((name) => {
    if (!(name in values)) throw new DialectError(`no value for parameter $${name}`);
    return sqlLiteral(values[name]!);
  });
}

// --- tokens -------------------------------------------------------------------------------------------------------

type TokenType = 'space' | 'comment' | 'string' | 'ident' | 'word' | 'number' | 'param' | 'op';

interface Token {
  type: TokenType;
  text: string;
}

const TOKEN =
  /(\s+)|(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*')|("(?:[^"]|"")*")|([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)|(\$[A-Za-z_][A-Za-z0-9_]*)|(\|\||::|<>|<=|>=|!=|->|[^\s])/gy;

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  const types: TokenType[] = ['space', 'comment', 'string', 'ident', 'word', 'number', 'param', 'op'];
  while (TOKEN.lastIndex < sql.length) {
    const m = TOKEN.exec(sql);
    if (!m) throw new DialectError(`cannot read SQL at offset ${TOKEN.lastIndex}`, sql);
    const i = m.slice(1).findIndex((g) => g !== undefined);
    out.push({ type: types[i]!, text: m[0] });
  }
  return out;
}

function render(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join('');
}

const isCode = (t: Token | undefined) => t !== undefined && t.type !== 'space' && t.type !== 'comment';
const isWord = (t: Token | undefined, ...words: string[]) =>
  t?.type === 'word' && (words.length === 0 || words.includes(t.text.toUpperCase()));

function next(tokens: readonly Token[], i: number): number {
  let j = i + 1;
  while (j < tokens.length && !isCode(tokens[j])) j++;
  return j;
}

function prev(tokens: readonly Token[], i: number): number {
  let j = i - 1;
  while (j >= 0 && !isCode(tokens[j])) j--;
  return j;
}

/** Index of the bracket matching the one at `i` ('(' ↔ ')', CASE ↔ END), searching in its direction. */
function matching(tokens: readonly Token[], i: number): number {
  const t = tokens[i]!;
  const forward = t.text === '(' || isWord(t, 'CASE');
  const open = (x: Token) =>
    forward ? x.text === '(' || isWord(x, 'CASE') : x.text === ')' || isWord(x, 'END');
  const close = (x: Token) =>
    forward ? x.text === ')' || isWord(x, 'END') : x.text === '(' || isWord(x, 'CASE');
  let depth = 0;
  for (let j = i; forward ? j < tokens.length : j >= 0; j += forward ? 1 : -1) {
    const x = tokens[j]!;
    if (!isCode(x) || x.type === 'string') continue;
    if (open(x)) depth++;
    else if (close(x) && --depth === 0) return j;
  }
  throw new DialectError(`unbalanced "${t.text}" in SQL`, render(tokens));
}

// --- passes -------------------------------------------------------------------------------------------------------

const KEYWORDS_BEFORE_PAREN = new Set([
  'AND',
  'OR',
  'NOT',
  'IN',
  'EXISTS',
  'THEN',
  'ELSE',
  'WHEN',
  'AS',
  'ON',
  'FROM',
  'JOIN',
  'SELECT',
  'WHERE',
  'BY',
  'HAVING',
  'OVER',
  'FILTER',
  'VALUES',
  'WITH',
  'CASE',
  'IS',
  'LIKE',
  'BETWEEN',
  'UNION',
  'ALL',
  'DISTINCT',
  'WINDOW',
]);

/** Schemas, INTERVAL literals, TIMESTAMPTZ refusal; word-level, leaves function calls to rewriteCalls. */
function rewriteTokens(sql: string, options: DialectOptions): string {
  const tokens = tokenize(sql);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== 'word') continue;
    const dot = next(tokens, i);
    const before = tokens[prev(tokens, i)];
    const qualified = tokens[dot]?.text === '.' && before?.text !== '.';
    const upper = t.text.toLowerCase();
    if (qualified && (upper === 'dev' || upper === 'prod')) {
      const nameAt = next(tokens, dot);
      const name = tokens[nameAt];
      if (name?.type !== 'word') continue;
      if (upper === 'dev') {
        const replacement = options.devTables?.[name.text];
        if (replacement) {
          t.text = replacement;
          tokens.splice(i + 1, nameAt - i);
        } else t.text = options.devDatabase;
      } else if (options.prodViewPrefix !== undefined) {
        t.text = `${options.prodViewPrefix}${name.text}`;
        tokens.splice(i + 1, nameAt - i);
      } else t.text = options.prodDatabase;
      continue;
    }
    if (isWord(t, 'INTERVAL')) {
      const n = next(tokens, i);
      const u = next(tokens, n);
      if (tokens[n]?.type === 'number' && tokens[u]?.type === 'word') {
        tokens[n]!.text = `'${tokens[n]!.text}'`;
        tokens[u]!.text = tokens[u]!.text.toUpperCase().replace(/S$/, '');
      }
    }
  }
  return render(tokens);
}

interface Call {
  name: string;
  start: number;
  open: number;
  close: number;
  args: string[];
}

/** The first call of one of `names` (a word directly followed by '('), with its arguments' text. */
function findCall(tokens: readonly Token[], names: readonly string[]): Call | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== 'word' || !names.includes(t.text.toLowerCase())) continue;
    const open = next(tokens, i);
    if (tokens[open]?.text !== '(') continue;
    const close = matching(tokens, open);
    const args: string[] = [];
    let from = open + 1;
    let depth = 0;
    for (let j = open + 1; j < close; j++) {
      const x = tokens[j]!;
      if (x.text === '(' || isWord(x, 'CASE')) depth++;
      else if (x.text === ')' || isWord(x, 'END')) depth--;
      else if (x.text === ',' && depth === 0) {
        args.push(render(tokens.slice(from, j)).trim());
        from = j + 1;
      }
    }
    args.push(render(tokens.slice(from, close)).trim());
    return { name: t.text.toLowerCase(), start: i, open, close, args };
  }
  return null;
}

const CAST_ARG = /^CAST\s*\(([\s\S]*)\s+AS\s+(TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE|TIMESTAMP)\s*\)$/i;

function rewriteCall(call: Call, sql: string): string {
  const [a, b] = call.args;
  switch (call.name) {
    case 'arg_min':
      return `min_by(${a}, ${b})`;
    case 'arg_max':
      return `max_by(${a}, ${b})`;
    case 'strftime':
      return `date_format(${a}, ${mysqlFormat(b!, sql)})`;
    case 'quantile_cont':
      return exactQuantile(a!, b!, sql);
    case 'timezone': {
      const cast = CAST_ARG.exec(b ?? '');
      if (call.args.length !== 2 || !cast)
        throw new DialectError(
          'timezone(tz, x) is translated only with x = CAST(… AS TIMESTAMPTZ) or CAST(… AS TIMESTAMP)',
          sql,
        );
      const inner = cast[1]!.trim();
      if (cast[2]!.toUpperCase() === 'TIMESTAMP')
        // local wall time in tz → the instant, expressed in UTC
        return `at_timezone(with_timezone(CAST(${inner} AS TIMESTAMP), ${a}), 'UTC')`;
      // UTC instant → the wall time in tz
      return `CAST(at_timezone(with_timezone(CAST(${inner} AS TIMESTAMP), 'UTC'), ${a}) AS TIMESTAMP)`;
    }
    default:
      throw new DialectError(`no translation for ${call.name}()`, sql);
  }
}

/** Rewrites calls until none is left, each rewrite re-read: outer calls keep their (later rewritten) arguments. */
function rewriteCalls(sql: string): string {
  const names = ['arg_min', 'arg_max', 'strftime', 'quantile_cont', 'timezone'];
  let out = sql;
  for (let guard = 0; guard < 10_000; guard++) {
    const tokens = tokenize(out);
    const call = findCall(tokens, names);
    if (!call) return out;
    out = render(tokens.slice(0, call.start)) + rewriteCall(call, out) + render(tokens.slice(call.close + 1));
  }
  throw new DialectError('too many rewrites', sql);
}

function mysqlFormat(literal: string, sql: string): string {
  if (!/^'(?:[^']|'')*'$/.test(literal))
    throw new DialectError('strftime with a format that is not a literal', sql);
  const unsupported = /%[^YmdHMS%]/.exec(literal);
  if (unsupported) throw new DialectError(`strftime format ${unsupported[0]} has no translation`, sql);
  return literal.replace(/%M/g, '%i').replace(/%S/g, '%s');
}

/** PostgreSQL/DuckDB percentile_cont: linear interpolation between the ordered values at p·(n − 1). */
function exactQuantile(x: string, p: string, sql: string): string {
  if (!/^\d+(\.\d+)?$/.test(p))
    throw new DialectError('quantile_cont with a fraction that is not a literal', sql);
  const pos = `${p} * (cardinality(s) - 1)`;
  const lo = `s[CAST(floor(${pos}) AS BIGINT) + 1]`;
  const hi = `s[CAST(ceiling(${pos}) AS BIGINT) + 1]`;
  return (
    `element_at(transform(ARRAY[array_sort(array_agg(${x}) FILTER (WHERE ${x} IS NOT NULL))], ` +
    `s -> CASE WHEN cardinality(s) = 0 THEN NULL ELSE ${lo} + (${pos} - floor(${pos})) * (${hi} - ${lo}) END), 1)`
  );
}

/** `CAST(x AS DATE) + 1` → `date_add('day', 1, CAST(x AS DATE))`. */
function rewriteDatePlusInteger(sql: string): string {
  let tokens = tokenize(sql);
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'CAST')) continue;
    const open = next(tokens, i);
    if (tokens[open]?.text !== '(') continue;
    const close = matching(tokens, open);
    const type = tokens[prev(tokens, close)];
    const plus = next(tokens, close);
    const n = next(tokens, plus);
    if (!isWord(type, 'DATE') || tokens[plus]?.text !== '+' || tokens[n]?.type !== 'number') continue;
    const cast = render(tokens.slice(i, close + 1));
    const replaced = `date_add('day', ${tokens[n]!.text}, ${cast})`;
    tokens = tokenize(render(tokens.slice(0, i)) + replaced + render(tokens.slice(n + 1)));
  }
  return render(tokens);
}

/** Wraps every `||` operand that is not a string literal in CAST(… AS VARCHAR). */
function castConcatOperands(sql: string): string {
  let tokens = tokenize(sql);
  const done = new Set<string>();
  for (let guard = 0; guard < 10_000; guard++) {
    let changed = false;
    for (let i = 0; i < tokens.length && !changed; i++) {
      if (tokens[i]!.text !== '||') continue;
      for (const side of ['left', 'right'] as const) {
        const [from, to] = side === 'left' ? leftOperand(tokens, i) : rightOperand(tokens, i);
        const text = render(tokens.slice(from, to + 1));
        if (tokens[from]!.type === 'string' && from === to) continue;
        if (/^CAST\s*\([\s\S]*\s+AS\s+VARCHAR\s*\)$/i.test(text) && isCastWhole(tokens, from, to)) continue;
        const key = `${from}:${text}`;
        if (done.has(key)) continue;
        done.add(key);
        tokens = tokenize(
          `${render(tokens.slice(0, from))}CAST(${text} AS VARCHAR)${render(tokens.slice(to + 1))}`,
        );
        changed = true;
        break;
      }
    }
    if (!changed) return render(tokens);
  }
  throw new DialectError('too many rewrites of ||', sql);
}

function isCastWhole(tokens: readonly Token[], from: number, to: number): boolean {
  return isWord(tokens[from], 'CAST') && matching(tokens, next(tokens, from)) === to;
}

const STOP_WORDS = new Set([...KEYWORDS_BEFORE_PAREN, 'END']);

function leftOperand(tokens: readonly Token[], op: number): [number, number] {
  const end = prev(tokens, op);
  const t = tokens[end];
  if (!t) throw new DialectError('|| without a left operand', render(tokens));
  let start = end;
  if (t.text === ')') {
    start = matching(tokens, end);
    const name = prev(tokens, start);
    if (tokens[name]?.type === 'word' && !STOP_WORDS.has(tokens[name]!.text.toUpperCase())) start = name;
  } else if (isWord(t, 'END')) {
    start = matching(tokens, end);
  } else if (t.type === 'word' || t.type === 'ident') {
    while (tokens[prev(tokens, start)]?.text === '.') start = prev(tokens, prev(tokens, start));
  } else if (t.type !== 'string' && t.type !== 'number' && t.text !== '?') {
    throw new DialectError(`cannot find the operand left of || (at "${t.text}")`, render(tokens));
  }
  refuseArithmetic(tokens, prev(tokens, start));
  return [start, end];
}

function rightOperand(tokens: readonly Token[], op: number): [number, number] {
  const start = next(tokens, op);
  const t = tokens[start];
  if (!t) throw new DialectError('|| without a right operand', render(tokens));
  let end = start;
  if (t.text === '(' || isWord(t, 'CASE')) {
    end = matching(tokens, start);
  } else if (t.type === 'word' || t.type === 'ident') {
    const open = next(tokens, start);
    if (tokens[open]?.text === '(') end = matching(tokens, open);
    else while (tokens[next(tokens, end)]?.text === '.') end = next(tokens, next(tokens, end));
  } else if (t.type !== 'string' && t.type !== 'number' && t.text !== '?') {
    throw new DialectError(`cannot find the operand right of || (at "${t.text}")`, render(tokens));
  }
  refuseArithmetic(tokens, next(tokens, end));
  return [start, end];
}

function refuseArithmetic(tokens: readonly Token[], i: number): void {
  const t = tokens[i];
  if (t && ['+', '-', '*', '/', '%'].includes(t.text))
    throw new DialectError(
      `arithmetic next to || is ambiguous: parenthesize it (at "${t.text}")`,
      render(tokens),
    );
}

// --- the quality rules, inlined -----------------------------------------------------------------------------------

const RANGES_READ =
  /SELECT\s+unnest\(ranges\)\s+AS\s+(\w+)\s+FROM\s+read_json\(\s*\$quality_rules_path\s*,\s*columns\s*=\s*\{\s*ranges\s*:\s*'[^']*'\s*\}\s*\)/gi;
const SETTINGS_READ =
  /read_json\(\s*\$quality_rules_path\s*,\s*columns\s*=\s*\{\s*((?:\w+\s*:\s*'[A-Z]+'\s*,?\s*)+)\}\s*\)/gi;

function inlineQualityRules(sql: string, rules: QualityRulesSpec | undefined): string {
  if (!/read_json\s*\(\s*\$quality_rules_path/i.test(sql)) return sql;
  if (!rules) throw new DialectError('this SQL reads the quality rules: pass them (qualityRules)', sql);
  const num = (v: number | null) =>
    v === null ? 'CAST(NULL AS DOUBLE)' : `CAST(${sqlLiteral(v)} AS DOUBLE)`;
  let out = sql.replace(RANGES_READ, (_m, alias: string) => {
    const rows = rules.ranges
      .map((r) => `(${sqlLiteral(r.parameter)}, ${sqlLiteral(r.units)}, ${num(r.min)}, ${num(r.max)})`)
      .join(', ');
    return (
      `SELECT CAST(ROW(p, u, lo, hi) AS ROW(parameter VARCHAR, units VARCHAR, min DOUBLE, max DOUBLE)) AS ${alias} ` +
      `FROM (VALUES ${rows}) AS rules (p, u, lo, hi)`
    );
  });
  out = out.replace(SETTINGS_READ, (_m, fields: string) => {
    const values: Record<string, number> = {
      sentinelMax: rules.sentinelMax,
      futureToleranceSeconds: rules.futureToleranceSeconds,
    };
    const cols = [...fields.matchAll(/(\w+)\s*:\s*'([A-Z]+)'/g)].map(([, name, type]) => {
      if (!(name! in values)) throw new DialectError(`the quality rules have no setting ${name}`, sql);
      return `CAST(${sqlLiteral(values[name!]!)} AS ${type}) AS ${name}`;
    });
    return `(SELECT ${cols.join(', ')})`;
  });
  if (/read_json/i.test(out))
    throw new DialectError('read_json of the quality rules in a form not translated', sql);
  return out;
}

// --- what must not survive -----------------------------------------------------------------------------------------

const DUCKDB_ONLY = [
  'arg_min',
  'arg_max',
  'quantile_cont',
  'quantile_disc',
  'strftime',
  'strptime',
  'epoch',
  'read_json',
  'read_parquet',
  'list_value',
  'struct_pack',
  'regexp_matches',
  'to_seconds',
  'timezone',
  'unnest',
  'generate_subscripts',
  'json_type',
];

function refuseLeftovers(sql: string, original: string): void {
  const tokens = tokenize(sql);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '::')
      throw new DialectError('"::" casts have no translation: write CAST(x AS type)', original);
    if (isWord(t, 'TIMESTAMPTZ'))
      throw new DialectError('TIMESTAMPTZ outside timezone(…) has no translation', original);
    if (
      t.type === 'word' &&
      DUCKDB_ONLY.includes(t.text.toLowerCase()) &&
      tokens[next(tokens, i)]?.text === '('
    ) {
      if (t.text.toLowerCase() === 'unnest' && isWord(tokens[prev(tokens, i)], 'JOIN')) continue;
      throw new DialectError(`${t.text}() is DuckDB-only and has no translation here`, original);
    }
  }
}

// --- views inlined into a query ------------------------------------------------------------------------------------

export interface NamedSelect {
  /** `prod.daily_averages` → its name `daily_averages`. */
  name: string;
  /** DuckDB SELECT of the view. */
  sql: string;
}

/**
 * A check, with the prod views it may read inlined as CTEs over `devTables` (Athena cannot swap the table under a
 * stored view for one query): `WITH prod__hourly AS (…), … <the check>`.
 */
export function inlineViews(
  checkSql: string,
  views: readonly NamedSelect[],
  options: DialectOptions,
): AthenaSql {
  const prefix = 'prod__';
  const opts = { ...options, prodViewPrefix: prefix };
  const ctes = views.map((v) => {
    const t = toAthenaSql(v.sql, opts);
    if (t.parameters.length > 0) throw new DialectError(`view prod.${v.name} has parameters`, v.sql);
    return `${prefix}${v.name} AS (\n${t.sql}\n)`;
  });
  const check = toAthenaSql(checkSql, opts);
  if (ctes.length === 0) return check;
  const body = stripLeadingComments(check.sql);
  // The check's header comment stays on top: Athena's query history then names the check.
  const header = check.sql.slice(0, check.sql.length - body.length);
  const withMatch = /^WITH\s+(?!RECURSIVE)/i.exec(body);
  const sql = withMatch
    ? `${header}WITH ${ctes.join(',\n')},\n${body.slice(withMatch[0].length)}`
    : `${header}WITH ${ctes.join(',\n')}\n${body}`;
  return { sql, parameters: check.parameters };
}

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, '');
}
