// The DuckDB → Athena (Trino) translation, on the real sql/prod and sql/checks files: every one translates, parses with
// a Trino grammar, keeps no DuckDB-only construct, and the rewrites that carry meaning say what they should.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  bindParameters,
  DialectError,
  type DialectOptions,
  inlineViews,
  type QualityRulesSpec,
  sqlLiteral,
  toAthenaSql,
} from '../src/engines/aws/athena-dialect.js';
import { readChecks, readProdViews } from '../src/engines/aws/sql-files.js';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const rules = JSON.parse(readFileSync(root('sql/dev/quality-rules.json'), 'utf8')) as QualityRulesSpec;
const OPTIONS: DialectOptions = {
  devDatabase: 'openaq_dev',
  prodDatabase: 'openaq_prod',
  qualityRules: rules,
};
const trino = new TrinoSQL();

/** Code without comments, so that a word in a comment does not count. */
const code = (sql: string) => sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');

function expectTrino(sql: string, what: string) {
  const errors = trino.validate(sql);
  expect(errors.map((e) => `${what}: ${e.message} (line ${e.startLine}:${e.startColumn})`)).toEqual([]);
}

function expectNoDuckDb(sql: string) {
  const c = code(sql)
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""');
  expect(c).not.toMatch(/::/);
  expect(c).not.toMatch(/\bTIMESTAMPTZ\b/i);
  expect(c).not.toMatch(/\b(arg_min|arg_max|quantile_cont|strftime|read_json|epoch)\s*\(/i);
  expect(c).not.toMatch(/(?<!_)\btimezone\s*\(/i);
  expect(c).not.toMatch(/INTERVAL\s+\d/i);
  expect(c).not.toMatch(/\$[a-z_]/i);
  expect(c).not.toMatch(/\b(dev|prod)\./);
}

const prodFiles = readdirSync(root('sql/prod')).filter((f) => /^\d{2}_[a-z_]+\.sql$/.test(f));
const checkFiles = readdirSync(root('sql/checks')).filter((f) => f.endsWith('.sql'));

describe('athena-dialect on the shared SQL files', () => {
  it('finds the files it is meant to translate', () => {
    expect(prodFiles.length).toBeGreaterThanOrEqual(5);
    expect(checkFiles.length).toBeGreaterThanOrEqual(5);
  });

  it.each(prodFiles)('sql/prod/%s becomes Trino SQL that parses', (file) => {
    const t = toAthenaSql(readFileSync(root(`sql/prod/${file}`), 'utf8'), OPTIONS);
    expect(t.parameters).toEqual([]);
    expectNoDuckDb(t.sql);
    expectTrino(t.sql, file);
  });

  it.each(checkFiles)('sql/checks/%s, with the prod views inlined over one version, parses', (file) => {
    const check = readChecks().find((c) => `${c.name}.sql` === file)!;
    const source = `(SELECT * FROM openaq_check.measurements_check_1 WHERE "$path" IN ('s3://lake/dev/measurements/year=2024/month=03/day=05/part-1.parquet'))`;
    const t = inlineViews(check.sql, readProdViews(), { ...OPTIONS, devTables: { measurements: source } });
    expectNoDuckDb(t.sql);
    expectTrino(t.sql, file);
    expect(code(t.sql)).not.toMatch(/openaq_dev\.measurements/); // the version's files only, never the live table
    // every parameter gets a value from the check parameters
    const values = {
      local_date: '2024-03-05',
      raw_rows: 10,
      quarantined_rows: 1,
      duplicates_dropped: 2,
      min_coverage_pct: 50,
      max_staleness_hours: 72,
      now_utc: '2024-03-06 03:30:00',
    };
    expect(bindParameters(t.parameters, values)).toHaveLength(
      (t.sql.match(/\?/g) ?? []).length - questionMarksInStrings(t.sql),
    );
  });
});

describe('Trino division semantics in the shared SQL', () => {
  // Trino types `BIGINT / 3600.0` and `floor(DECIMAL(18, 6) * 10) / 10` as DECIMAL with the operands' scale (1 and 0):
  // the quotient is rounded there (ages to 0.1 h, PM2.5 9.46 → 9). DuckDB divides in DOUBLE, so its tests cannot show
  // it; this rule does: no division by a decimal literal, and no division of floor(…)/round(…) unless cast to DOUBLE.
  const all = [
    ...prodFiles.map((f) => [`sql/prod/${f}`, readFileSync(root(`sql/prod/${f}`), 'utf8')] as const),
    ...checkFiles.map((f) => [`sql/checks/${f}`, readFileSync(root(`sql/checks/${f}`), 'utf8')] as const),
  ];
  it.each(all)('%s divides in DOUBLE where the result has decimals', (_file, sql) => {
    const c = code(toAthenaSql(sql, OPTIONS).sql);
    expect(c).not.toMatch(/\/\s*\d+\.\d+/);
    expect(c).not.toMatch(/\b(floor|ceil|round|truncate)\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\s*\//i);
  });

  it('the AQI truncation divides a DOUBLE (9.46 µg/m³ → 9.4, Moderate on Athena too)', () => {
    const aqi = readProdViews().find((v) => v.name === 'daily_aqi')!;
    expect(code(aqi.sql)).toMatch(
      /CAST\(floor\(CAST\(d\.value_avg AS DECIMAL\(18, 6\)\) \* 10\) AS DOUBLE\) \/ 10/,
    );
  });
});

function questionMarksInStrings(sql: string): number {
  return [...code(sql).matchAll(/'(?:[^']|'')*'/g)].reduce((n, m) => n + (m[0].match(/\?/g) ?? []).length, 0);
}

describe('athena-dialect rewrites', () => {
  const t = (sql: string, o: Partial<DialectOptions> = {}) => toAthenaSql(sql, { ...OPTIONS, ...o }).sql;

  it('maps the dev and prod schemas to the Glue databases, not columns or strings that look alike', () => {
    expect(t("SELECT m.dev, 'dev.x' FROM dev.measurements AS m JOIN prod.hourly AS h ON true")).toBe(
      "SELECT m.dev, 'dev.x' FROM openaq_dev.measurements AS m JOIN openaq_prod.hourly AS h ON true",
    );
  });

  it('binds $name parameters as ? in order, with values as SQL literals', () => {
    const r = toAthenaSql(
      'SELECT * FROM dev.m WHERE d = CAST($local_date AS DATE) AND n > $raw_rows AND d2 = $local_date',
      OPTIONS,
    );
    expect(r.sql).toBe('SELECT * FROM openaq_dev.m WHERE d = CAST(? AS DATE) AND n > ? AND d2 = ?');
    expect(r.parameters).toEqual(['local_date', 'raw_rows', 'local_date']);
    expect(bindParameters(r.parameters, { local_date: "2024-03-05'; DROP", raw_rows: null })).toEqual([
      "'2024-03-05''; DROP'",
      'NULL',
      "'2024-03-05''; DROP'",
    ]);
    expect(() => bindParameters(['x'], {})).toThrow(/no value for parameter \$x/);
    expect(sqlLiteral(2.5)).toBe('2.5');
  });

  it('turns UTC instants into local wall time, and local wall time into UTC instants', () => {
    expect(t('SELECT timezone(tz, CAST(end_utc - INTERVAL 1 SECOND AS TIMESTAMPTZ)) FROM x')).toBe(
      "SELECT CAST(at_timezone(with_timezone(CAST(end_utc - INTERVAL '1' SECOND AS TIMESTAMP), 'UTC'), tz) AS TIMESTAMP) FROM x",
    );
    expect(t('SELECT CAST(timezone(tz, CAST(CAST($d AS DATE) + 1 AS TIMESTAMP)) AS TIMESTAMP) FROM x')).toBe(
      "SELECT CAST(at_timezone(with_timezone(CAST(date_add('day', 1, CAST(? AS DATE)) AS TIMESTAMP), tz), 'UTC') AS TIMESTAMP) FROM x",
    );
    expect(() => t('SELECT timezone(tz, ts) FROM x')).toThrow(DialectError);
  });

  it('computes the median exactly (linear interpolation), not with approx_percentile', () => {
    const sql = t('SELECT quantile_cont(v, 0.5) FROM x');
    expect(sql).not.toMatch(/approx_percentile/);
    expect(sql).toContain('array_sort(array_agg(v) FILTER (WHERE v IS NOT NULL))');
    expect(sql).toContain('s[CAST(floor(0.5 * (cardinality(s) - 1)) AS BIGINT) + 1]');
    expect(sql).toContain('s[CAST(ceiling(0.5 * (cardinality(s) - 1)) AS BIGINT) + 1]');
    expectTrino(sql, 'median');
  });

  it('renames arg_min/arg_max and converts strftime formats', () => {
    expect(t("SELECT arg_min(a, b), arg_max(strftime(ts, '%Y-%m-%d %H:%M:%S'), c) FROM x")).toBe(
      "SELECT min_by(a, b), max_by(date_format(ts, '%Y-%m-%d %H:%i:%s'), c) FROM x",
    );
    expect(() => t("SELECT strftime(ts, '%j') FROM x")).toThrow(/%j/);
  });

  it('casts every non-literal || operand to VARCHAR, through calls, CASE blocks and dotted names', () => {
    expect(
      t("SELECT n || ' of ' || round(x, 1) || CASE WHEN a THEN ' = ' ELSE ' ≠ ' END || m.k FROM t"),
    ).toBe(
      "SELECT CAST(n AS VARCHAR) || ' of ' || CAST(round(x, 1) AS VARCHAR) || CAST(CASE WHEN a THEN ' = ' ELSE ' ≠ ' END AS VARCHAR) || CAST(m.k AS VARCHAR) FROM t",
    );
    expect(() => t("SELECT 'a' || n + 1 FROM t")).toThrow(/parenthesize/);
  });

  it('writes INTERVAL literals the Trino way', () => {
    expect(t('SELECT ts + INTERVAL 1 HOUR, RANGE BETWEEN INTERVAL 7 HOURS PRECEDING')).toBe(
      "SELECT ts + INTERVAL '1' HOUR, RANGE BETWEEN INTERVAL '7' HOUR PRECEDING",
    );
  });

  it('inlines the quality rules where DuckDB reads the rules file', () => {
    const sql = t(readFileSync(root('sql/checks/value_in_range.sql'), 'utf8'));
    for (const r of rules.ranges)
      expect(sql).toContain(`(${sqlLiteral(r.parameter)}, ${sqlLiteral(r.units)}, `);
    expect(sql).toContain(`CAST(${rules.sentinelMax} AS DOUBLE) AS sentinelMax`);
    expect(() =>
      toAthenaSql(readFileSync(root('sql/checks/value_in_range.sql'), 'utf8'), {
        ...OPTIONS,
        qualityRules: undefined,
      }),
    ).toThrow(/quality rules/);
  });

  it('refuses what it cannot translate instead of sending DuckDB SQL to Athena', () => {
    expect(() => t('SELECT x::INTEGER FROM t')).toThrow(/::/);
    expect(() => t('SELECT epoch(ts) FROM t')).toThrow(/epoch/);
    expect(() => t("SELECT * FROM read_parquet('x')")).toThrow(/read_parquet/);
  });
});
