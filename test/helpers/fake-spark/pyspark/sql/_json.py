"""from_json as Spark 3.5's JacksonParser + FailureSafeParser do it in PERMISSIVE mode, for the types the job asks for.

What this models (Spark docs "JSON Files" data source options and the SQL migration guide, 3.0 -> "from_json"):
- Input NULL, empty or blank: NULL (JacksonParser.parse: no first token, no row).
- Malformed text (a syntax error, a root that is not an object, a `null` root: rootConverterReturnNullError): a row of
  NULLs whose corrupt-record column (option
  columnNameOfCorruptRecord, default `_corrupt_record`, present only if the schema has that STRING field) holds the
  input text.
- A value that does not convert to its field's type: the TOP-LEVEL field holding it becomes NULL, the other fields
  keep their values, and the corrupt-record column is set. That is Spark's behaviour with
  spark.sql.json.enablePartialResults=false; the conf defaults to TRUE since Spark 3.4.0 (SQLConf,
  apache/spark#38784), where a failure inside a nested struct or array keeps the rest of that field. The fake models
  only false, so from_json refuses to run unless the session pins spark.sql.json.enablePartialResults=false (the job
  does, so its behaviour does not depend on the default).
- Conversions: STRING takes a JSON string as its text and any other value as its JSON text (Jackson's
  copyCurrentStructure); DOUBLE takes a JSON number, and exactly the strings NaN, Infinity, +Infinity, -Infinity,
  +INF, -INF only when allowNonNumericNumbers is true (JacksonParser.makeConverter; not INF, not inf); INT/BIGINT
  take a JSON integer in range (not 2.0, not "2"); BOOLEAN takes true/false only; STRUCT takes an object (unknown
  keys ignored, missing keys NULL); ARRAY takes an array. An empty string converts to nothing but STRING
  (SPARK-25040).
- Strictness: the job must turn off allowSingleQuotes (on by default in Spark) and may turn off
  allowNonNumericNumbers (bare NaN/Infinity tokens then make the text malformed). Comments, unquoted field names,
  leading zeros and unescaped control characters are malformed, as in Spark's defaults.
- A bare NaN/Infinity token read into a STRING field comes out as its quoted text ("NaN"): Jackson's generator
  quotes non-finite numbers by default (QUOTE_NON_NUMERIC_NUMBERS).
Not modelled: text after the root value (the fake calls it malformed), Jackson's exact text of a float inside a
STRING field (the fake writes Java's Double.toString layout from Python's shortest digits).
"""
import json
import math

from pyspark.sql import types as T

# JacksonParser's DoubleType converter for a JSON string: "NaN"; "+INF" | "+Infinity" | "Infinity"; "-INF" |
# "-Infinity" (and nothing else, not "INF"), each only with allowNonNumericNumbers.
_SPECIALS = {"NaN": math.nan, "Infinity": math.inf, "+Infinity": math.inf, "-Infinity": -math.inf,
             "+INF": math.inf, "-INF": -math.inf}


class _Fail(Exception):
    pass


class _Malformed(Exception):
    pass


def _require_pinned_partial_results():
    from pyspark.sql import _active_conf

    if str(_active_conf().get("spark.sql.json.enablePartialResults", "")).lower() != "false":
        raise NotImplementedError(
            "fake-spark: from_json is modelled with spark.sql.json.enablePartialResults=false only (Spark >= 3.4 "
            "defaults to true): pin it in the SparkSession builder")


def _options(opts):
    known = {"mode", "allowNonNumericNumbers", "allowSingleQuotes", "columnNameOfCorruptRecord"}
    unknown = set(opts) - known
    if unknown:
        raise NotImplementedError("fake-spark: from_json options %s" % sorted(unknown))
    if str(opts.get("mode", "PERMISSIVE")).upper() != "PERMISSIVE":
        raise NotImplementedError("fake-spark: from_json only in PERMISSIVE mode")
    if str(opts.get("allowSingleQuotes", "true")).lower() != "false":
        raise NotImplementedError("fake-spark: Jackson's single-quoted JSON is not modelled: set allowSingleQuotes "
                                  "to false")
    return {
        "non_numeric": str(opts.get("allowNonNumericNumbers", "true")).lower() == "true",
        "corrupt": opts.get("columnNameOfCorruptRecord", "_corrupt_record"),
    }


def java_double(x):
    """Double.toString's layout: 12.5, 100.0, 1.0E-7, 1.5E7, NaN, Infinity."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        r = repr(x)
        if "e" in r or "E" in r:
            r = format(x, "f")
        return r if "." in r else r + ".0"
    mantissa, exp = ("%r" % x).lower().split("e") if "e" in repr(x) else (repr(x), "0")
    digits = float(mantissa)
    e = int(exp)
    while abs(digits) >= 10:
        digits /= 10
        e += 1
    while abs(digits) < 1:
        digits *= 10
        e -= 1
    m = repr(digits)
    return (m if "." in m else m + ".0") + "E" + str(e)


def _json_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        # Jackson's generator quotes NaN and Infinity (JsonGenerator.Feature.QUOTE_NON_NUMERIC_NUMBERS, on by default).
        return java_double(v) if math.isfinite(v) else '"%s"' % java_double(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join("null" if e is None else _json_text(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + ("null" if e is None else _json_text(e))
                              for k, e in v.items()) + "}"
    raise NotImplementedError(repr(v))


def _convert(v, dt, o):
    from pyspark.sql import Row

    if v is None:
        return None
    if isinstance(dt, T.StringType):
        return v if isinstance(v, str) else _json_text(v)
    if isinstance(v, str) and v == "":
        raise _Fail("empty string for %s" % dt.simpleString())
    if isinstance(dt, T.DoubleType):
        if isinstance(v, bool):
            raise _Fail("boolean for double")
        if isinstance(v, (int, float)):
            return float(v)
        if isinstance(v, str) and o["non_numeric"] and v in _SPECIALS:
            return _SPECIALS[v]
        raise _Fail("not a double")
    if isinstance(dt, (T.IntegerType, T.LongType)):
        lo, hi = (-(2**31), 2**31 - 1) if isinstance(dt, T.IntegerType) else (-(2**63), 2**63 - 1)
        if isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi:
            return v
        raise _Fail("not an integer in range")
    if isinstance(dt, T.BooleanType):
        if isinstance(v, bool):
            return v
        raise _Fail("not a boolean")
    if isinstance(dt, T.StructType):
        if not isinstance(v, dict):
            raise _Fail("not an object")
        return Row((f.name, _convert(v.get(f.name), f.dataType, o)) for f in dt.fields)
    if isinstance(dt, T.ArrayType):
        if not isinstance(v, list):
            raise _Fail("not an array")
        return [_convert(e, dt.elementType, o) for e in v]
    raise NotImplementedError("fake-spark: from_json into %s" % dt.simpleString())


def from_json(text, schema, opts):
    from pyspark.sql import Row

    if not isinstance(schema, T.StructType):
        raise NotImplementedError("fake-spark: from_json with a StructType schema only")
    o = _options(opts)
    if text is None or text.strip(" \t\r\n") == "":
        return None
    corrupt = o["corrupt"]
    has_corrupt = any(f.name == corrupt and isinstance(f.dataType, T.StringType) for f in schema.fields)

    def constant(name):
        if o["non_numeric"]:
            return _SPECIALS[name]
        raise _Malformed(name)

    def bad_row():
        row = Row((f.name, None) for f in schema.fields)
        if has_corrupt:
            row[corrupt] = text
        return row

    try:
        doc = json.loads(text, parse_constant=constant)
    except (ValueError, _Malformed, RecursionError):
        return bad_row()
    if not isinstance(doc, dict):
        return bad_row()
    row = Row()
    failed = False
    for f in schema.fields:
        if has_corrupt and f.name == corrupt:
            row[f.name] = None
            continue
        try:
            row[f.name] = _convert(doc.get(f.name), f.dataType, o)
        except _Fail:
            row[f.name] = None
            failed = True
    if failed and has_corrupt:
        row[corrupt] = text
    return row


def plain(v):
    """Rows and lists as plain JSON-able values (for to_json)."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v
