// test/helpers/fake-spark, the stand-in for pyspark the Glue job's tests run on: it must evaluate the functions the job
// uses with Spark's documented semantics (NULLs, PERMISSIVE from_json, posexplode, casts, zones, windows) and refuse
// everything else, so the job cannot pass its tests by leaning on something the fake gets wrong or does not model.
import { describe, expect, it } from 'vitest';
import { runPythonOnFakeSpark } from './helpers/glue-job-local.js';

/** Runs `code` with a fake SparkSession `spark`, F, T, Window and `df(rows, "a string, b bigint")` in scope. */
function python<T>(code: string): T {
  const driver = `
import json
from datetime import date, datetime, timezone
from pyspark.sql import SparkSession, Window, functions as F, types as T
spark = SparkSession.builder.config("spark.sql.session.timeZone", "UTC").config("spark.sql.json.enablePartialResults", "false").getOrCreate()
TYPES = {"string": T.StringType(), "bigint": T.LongType(), "double": T.DoubleType(), "timestamp": T.TimestampType()}
def df(rows, schema):
    fields = [f.strip().split(" ") for f in schema.split(",")]
    return spark.createDataFrame(rows, T.StructType([T.StructField(n, TYPES[t]) for n, t in fields]))
def values(frame, name):
    return [r[name] for r in frame.collect()]
def refused(f):
    try:
        f()
        return "not refused"
    except NotImplementedError as e:
        return "NotImplementedError"
def out(v):
    print(json.dumps(v, default=lambda o: o.isoformat() if hasattr(o, "isoformat") else repr(o)))
${code}
`;
  return runPythonOnFakeSpark<T>(driver);
}

describe('fake-spark evaluates Column expressions with Spark semantics', () => {
  it('propagates NULL through operators and functions; AND/OR use three-valued logic; CASE without ELSE is NULL', () => {
    const r = python<Record<string, unknown[]>>(`
d = df([(1, None), (None, None)], "a bigint, b bigint")
out({
  "plus": values(d.select((F.col("a") + F.col("b")).alias("x")), "x"),
  "lt": values(d.select((F.col("a") < 5).alias("x")), "x"),
  "and": values(d.select(((F.col("a") > 5) & F.col("b").isNull()).alias("x")), "x"),
  "and_null": values(d.select(((F.col("a") < 5) & (F.col("b") > 0)).alias("x")), "x"),
  "or": values(d.select(((F.col("a") < 5) | (F.col("b") > 0)).alias("x")), "x"),
  "case": values(d.select(F.when(F.col("a") == 1, "one").alias("x")), "x"),
  "concat": values(d.select(F.concat(F.lit("a"), F.col("b").cast("string")).alias("x")), "x"),
  "least": values(d.select(F.least(F.col("a"), F.col("b")).alias("x")), "x"),
  "div0": values(d.select((F.col("a") / 0).alias("x")), "x"),
  "null_safe": values(d.select(F.col("a").eqNullSafe(F.col("b")).alias("x")), "x"),
  "filter": values(d.filter(F.col("a") > 0), "a"),
})`);
    expect(r).toEqual({
      plus: [null, null],
      lt: [true, null],
      and: [false, null],
      and_null: [null, null],
      or: [true, null],
      case: ['one', null],
      concat: [null, null],
      least: [1, null],
      div0: [null, null],
      null_safe: [false, true],
      filter: [1],
    });
  });

  it('from_json in PERMISSIVE mode: corrupt text (a null root too), partial results, NULL and blank input, strict integers', () => {
    const r = python<unknown[]>(`
schema = T.StructType([
  T.StructField("n", T.IntegerType()), T.StructField("s", T.StringType()),
  T.StructField("o", T.StructType([T.StructField("x", T.DoubleType())])),
  T.StructField("_corrupt_record", T.StringType())])
d = df([('{"n": 1, "s": "a", "o": {"x": 2}}',), ('{"n": 1.5, "s": 7, "o": {"x": "y"}}',), ('{"n": 1',),
        ("{'n': 1}",), ('[1]',), ('',), (None,), ('null',), ('{"s": {"k": [1, true, null]}, "n": 3000000000}',)],
       "t string")
out(values(d.select(F.from_json("t", schema, {"allowSingleQuotes": "false"}).alias("x")), "x"))`);
    expect(r).toEqual([
      { n: 1, s: 'a', o: { x: 2 }, _corrupt_record: null },
      // a float for INT and a string for DOUBLE: those top-level fields are NULL, the rest kept, the text flagged
      { n: null, s: '7', o: null, _corrupt_record: '{"n": 1.5, "s": 7, "o": {"x": "y"}}' },
      { n: null, s: null, o: null, _corrupt_record: '{"n": 1' },
      { n: null, s: null, o: null, _corrupt_record: "{'n': 1}" },
      { n: null, s: null, o: null, _corrupt_record: '[1]' },
      null,
      null,
      { n: null, s: null, o: null, _corrupt_record: 'null' },
      {
        n: null,
        s: '{"k":[1,true,null]}',
        o: null,
        _corrupt_record: '{"s": {"k": [1, true, null]}, "n": 3000000000}',
      },
    ]);
  });

  it('from_json reads bare NaN only with allowNonNumericNumbers, and refuses options it does not model', () => {
    const r = python<unknown>(`
schema = T.StructType([T.StructField("v", T.DoubleType()), T.StructField("_corrupt_record", T.StringType())])
d = df([('{"v": NaN}',)], "t string")
strict = values(d.select(F.from_json("t", schema, {"allowSingleQuotes": "false",
                                                    "allowNonNumericNumbers": "false"}).alias("x")), "x")[0]
lenient = values(d.select(F.from_json("t", schema, {"allowSingleQuotes": "false"}).alias("x")), "x")[0]
out({"strict": strict["_corrupt_record"] is not None, "lenient_nan": lenient["v"] != lenient["v"],
     "single_quotes": refused(lambda: d.select(F.from_json("t", schema).alias("x")).collect()),
     "failfast": refused(lambda: d.select(F.from_json("t", schema, {"mode": "FAILFAST",
                                                                     "allowSingleQuotes": "false"})).collect())})`);
    expect(r).toEqual({
      strict: true,
      lenient_nan: true,
      single_quotes: 'NotImplementedError',
      failfast: 'NotImplementedError',
    });
  });

  it("from_json takes exactly JacksonParser's non-numeric strings for a DOUBLE (NaN, [+-]Infinity, +INF, -INF)", () => {
    const r = python<Record<string, unknown>>(`
schema = T.StructType([T.StructField("v", T.DoubleType()), T.StructField("_corrupt_record", T.StringType())])
texts = ["NaN", "Infinity", "+Infinity", "-Infinity", "+INF", "-INF", "INF", "inf", "nan", "-inf", "Inf"]
d = df([(json.dumps({"v": t}),) for t in texts], "t string")
got = values(d.select(F.from_json("t", schema, {"allowSingleQuotes": "false"}).alias("x")), "x")
out({t: (None if x["v"] is None else str(x["v"])) for t, x in zip(texts, got)})`);
    expect(r).toEqual({
      NaN: 'nan',
      Infinity: 'inf',
      '+Infinity': 'inf',
      '-Infinity': '-inf',
      '+INF': 'inf',
      '-INF': '-inf',
      INF: null,
      inf: null,
      nan: null,
      '-inf': null,
      Inf: null,
    });
  });

  it('from_json refuses to run unless the session pins spark.sql.json.enablePartialResults=false (3.5 defaults to true)', () => {
    const r = python<Record<string, string>>(`
schema = T.StructType([T.StructField("v", T.DoubleType())])
unpinned = SparkSession.builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
a = refused(lambda: F.from_json("t", schema, {"allowSingleQuotes": "false"}))
SparkSession.builder.config("spark.sql.json.enablePartialResults", "true").getOrCreate()
b = refused(lambda: F.from_json("t", schema, {"allowSingleQuotes": "false"}))
SparkSession.builder.config("spark.sql.json.enablePartialResults", "false").getOrCreate()
c = refused(lambda: F.from_json("t", schema, {"allowSingleQuotes": "false"}))
out({"unset": a, "true": b, "false": c})`);
    expect(r).toEqual({ unset: 'NotImplementedError', true: 'NotImplementedError', false: 'not refused' });
  });

  it('posexplode is 0-based and drops NULL and empty arrays; only one generator per select', () => {
    const r = python<unknown>(`
from pyspark.sql import AnalysisException
schema = T.StructType([T.StructField("arr", T.ArrayType(T.StringType()))])
d = df([("a", '{"arr": ["x", "y"]}'), ("b", '{"arr": []}'), ("c", '{}')], "k string, t string")
e = d.select("k", F.from_json("t", schema, {"allowSingleQuotes": "false"}).alias("j"))
rows = e.select("k", F.posexplode("j.arr").alias("pos", "v")).collect()
try:
    e.select(F.posexplode("j.arr"), F.explode("j.arr")).collect()
    two = "allowed"
except AnalysisException:
    two = "refused"
out({"rows": [[r["k"], r["pos"], r["v"]] for r in rows], "two": two})`);
    expect(r).toEqual({
      rows: [
        ['a', 0, 'x'],
        ['a', 1, 'y'],
      ],
      two: 'refused',
    });
  });

  it('casts strings as Spark does with ANSI off: ISO instants with offsets, NULL for anything else', () => {
    const r = python<unknown>(`
texts = ["2024-07-20T14:00:00Z", "2024-07-20 10:00:00-04:00", "2024-07-20T19:30:00.5+05:30", "2024-07-20T14:00:00",
         " 2024-07-20T14:00:00+0000 ", "2024-07-20T14:00:00 America/New_York", "2024-07-20T14:00", "2024",
         "2024-07-20T14:00Z", "2024-07-20T", "yesterday", "2024-13-01T00:00:00Z", "2024-07-20T14:00:00+25:00", ""]
d = df([(t,) for t in texts], "t string")
ts = values(d.select(F.col("t").cast(T.TimestampType()).alias("x")), "x")
nums = df([(t,) for t in ["12", " -3 ", "1.9", "9223372036854775808", "1e3", "x"]], "t string")
out({"ts": ts,
     "bigint": values(nums.select(F.col("t").cast("bigint").alias("x")), "x"),
     "double": values(nums.select(F.col("t").cast("double").alias("x")), "x"),
     "ntz_from_text": refused(lambda: d.select(F.col("t").cast(T.TimestampNTZType())).collect()),
     "time_only": refused(lambda: df([("14:00:00",)], "t string").select(F.col("t").cast(T.TimestampType())).collect())})`);
    expect(r).toEqual({
      ts: [
        '2024-07-20T14:00:00+00:00',
        '2024-07-20T14:00:00+00:00',
        '2024-07-20T14:00:00.500000+00:00',
        '2024-07-20T14:00:00+00:00',
        '2024-07-20T14:00:00+00:00',
        '2024-07-20T18:00:00+00:00',
        '2024-07-20T14:00:00+00:00',
        '2024-01-01T00:00:00+00:00',
        null,
        null,
        null,
        null,
        null,
        null,
      ],
      bigint: [12, -3, 1, null, null, null],
      double: [12, -3, 1.9, 2 ** 63, 1000, null],
      ntz_from_text: 'NotImplementedError',
      time_only: 'NotImplementedError',
    });
  });

  it('from_utc_timestamp renders an instant in an IANA zone across DST; to_date takes the wall date', () => {
    const r = python<unknown>(`
d = df([(datetime(2024, 11, 3, 4, 59, 59, tzinfo=timezone.utc),), (datetime(2024, 11, 3, 5, 59, 59, tzinfo=timezone.utc),),
        (datetime(2024, 11, 4, 4, 59, 59, tzinfo=timezone.utc),), (None,)], "t timestamp")
out(values(d.select(F.to_date(F.from_utc_timestamp("t", "America/New_York")).alias("x")), "x"))`);
    expect(r).toEqual(['2024-11-03', '2024-11-03', '2024-11-03', null]);
  });

  it('row_number and lag follow the window order (ASC puts NULLs first, DESC last)', () => {
    const r = python<unknown>(`
d = df([("a", 2), ("a", None), ("a", 1), ("b", 5)], "k string, v bigint")
asc = Window.partitionBy("k").orderBy("v")
desc = Window.partitionBy("k").orderBy(F.col("v").desc())
rows = d.select("k", "v", F.row_number().over(asc).alias("ra"), F.row_number().over(desc).alias("rd"),
                F.lag("v").over(asc).alias("prev")).collect()
out(sorted([[r["k"], r["v"], r["ra"], r["rd"], r["prev"]] for r in rows], key=lambda x: (x[0], x[2])))`);
    expect(r).toEqual([
      ['a', null, 1, 3, null],
      ['a', 1, 2, 2, null],
      ['a', 2, 3, 1, 1],
      ['b', 5, 1, 1, null],
    ]);
  });

  it('refuses what it does not implement: other functions, RDDs, UDFs, other readers, global sorts', () => {
    const r = python<Record<string, string>>(`
d = df([("a",)], "k string")
out({
  "udf": refused(lambda: F.udf(lambda x: x)),
  "explode_outer": refused(lambda: F.explode_outer("k")),
  "rdd": refused(lambda: d.rdd),
  "parallelize": refused(lambda: spark.sparkContext.parallelize([1])),
  "read_json": refused(lambda: spark.read.json("s3://b/k")),
  "sql": refused(lambda: spark.sql("SELECT 1")),
  "pivot": refused(lambda: d.groupBy("k").pivot("k")),
  "map_type": refused(lambda: T.MapType(T.StringType(), T.StringType())),
  "cast_interval": refused(lambda: F.col("k").cast("interval")),
})`);
    expect(Object.entries(r).filter(([, v]) => v !== 'NotImplementedError')).toEqual([]);
  });
});
