"""The pyspark.sql.functions the Glue job uses, with Spark 3.5's documented semantics; anything else raises.

References are to Spark's SQL function docs (https://spark.apache.org/docs/3.5.4/api/sql/) and PySpark's API docs
unless a comment says otherwise.
"""
import builtins
import json
import re
from datetime import datetime, timedelta, timezone

from pyspark.sql import _json
from pyspark.sql.column import Column, _lit_or_col, _none_or, _zone


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError("fake-spark: pyspark.sql.functions.%s is not implemented" % name)


def _c(x):
    """A column name or a Column (PySpark's functions take either)."""
    return col(x) if isinstance(x, str) else x


def col(name):
    """A column by name; `a.b` reads field b of struct column a (Spark's name resolution)."""
    parts = name.split(".")

    def fn(env):
        if parts[0] not in env:
            raise _unresolved(parts[0], env)
        v = env[parts[0]]
        for p in parts[1:]:
            if v is None:
                return None
            v = v.get(p)
        return v
    return Column(fn, parts[-1])


column = col


def _unresolved(name, env):
    from pyspark.sql import AnalysisException

    shown = sorted(k for k in env if not k.startswith("__"))
    return AnalysisException("[UNRESOLVED_COLUMN] A column with name `%s` cannot be resolved; columns: %s"
                             % (name, ", ".join(shown)))


def lit(value):
    if isinstance(value, Column):
        return value
    if value is not None and not isinstance(value, (str, int, float, bool)) and not hasattr(value, "isoformat"):
        raise NotImplementedError("fake-spark: lit(%r)" % (value,))
    return Column(lambda env: value, repr(value))


def when(condition, value):
    """CASE WHEN: the first branch whose condition is true; NULL when none is and there is no otherwise()."""
    from pyspark.sql.column import _case

    return _case([(condition, _lit_or_col(value))], None, False)


def coalesce(*cols):
    cs = [_c(c) for c in cols]

    def fn(env):
        for c in cs:
            v = c._eval(env)
            if v is not None:
                return v
        return None
    return Column(fn, "coalesce(...)", cs)


def least(*cols):
    """The least non-NULL value; NULL only when all are NULL (Spark docs: "Null values are skipped")."""
    cs = [_c(c) for c in cols]

    def fn(env):
        vals = [v for v in (c._eval(env) for c in cs) if v is not None]
        return builtins.min(vals) if vals else None
    return Column(fn, "least(...)", cs)


def concat(*cols):
    """NULL if any input is NULL."""
    cs = [_c(c) for c in cols]

    def fn(env):
        vals = [c._eval(env) for c in cs]
        return None if any(v is None for v in vals) else "".join(vals)
    return Column(fn, "concat(...)", cs)


def trim(c):
    """Removes the SPACE character (only ' ', not tabs or newlines) from both ends (Spark's trim(str))."""
    c = _c(c)
    return Column(lambda env: _none_or(c._eval(env), lambda v: v.strip(" ")), "trim(%s)" % c._name, (c,))


def regexp_extract(c, pattern, idx):
    """Group idx of the first match (Java regex find()); '' when the pattern does not match or the group is unset."""
    c = _c(c)
    rx = re.compile(pattern)

    def f(v):
        m = rx.search(v)
        if not m:
            return ""
        g = m.group(idx)
        return "" if g is None else g
    return Column(lambda env: _none_or(c._eval(env), f), "regexp_extract(%s)" % c._name, (c,))


def floor(c):
    """floor(double) -> BIGINT."""
    import math

    c = _c(c)
    return Column(lambda env: _none_or(c._eval(env), lambda v: int(math.floor(v))), "FLOOR(%s)" % c._name, (c,))


def isnan(c):
    """True for a NaN double; false for NULL (isnan(NULL) is false, not NULL)."""
    import math

    c = _c(c)

    def fn(env):
        v = c._eval(env)
        return isinstance(v, float) and math.isnan(v)
    return Column(fn, "isnan(%s)" % c._name, (c,))


def size(c):
    """Array length; -1 for NULL (spark.sql.legacy.sizeOfNull is true while ANSI mode is off)."""
    c = _c(c)

    def fn(env):
        v = c._eval(env)
        return -1 if v is None else len(v)
    return Column(fn, "size(%s)" % c._name, (c,))


def array(*cols):
    cs = [_c(x) for x in cols]
    return Column(lambda env: [x._eval(env) for x in cs], "array(...)", cs)


def to_json(c):
    """A struct or array as JSON text (NULL in, NULL out); strings are escaped as Jackson writes them."""
    c = _c(c)

    def f(v):
        if not isinstance(v, (list, dict)):
            raise NotImplementedError("fake-spark: to_json takes a struct or an array")
        return json.dumps(_json.plain(v), ensure_ascii=False, separators=(",", ":"))
    return Column(lambda env: _none_or(c._eval(env), f), "to_json(%s)" % c._name, (c,))


def from_json(c, schema, options=None):
    """See _json.from_json (PERMISSIVE mode, partial results, the corrupt record column)."""
    _json._require_pinned_partial_results()
    c = _c(c)
    opts = dict(options or {})
    return Column(lambda env: _json.from_json(c._eval(env), schema, opts), "from_json(%s)" % c._name, (c,))


def posexplode(c):
    """A generator: one row per element, columns pos (0-based) and col; a NULL or empty array gives no row."""
    c = _c(c)
    return Column(None, "pos", (c,), "generator", gen="posexplode", arg=c, names=("pos", "col"))


def explode(c):
    """A generator: one row per element, column col; a NULL or empty array gives no row."""
    c = _c(c)
    return Column(None, "col", (c,), "generator", gen="explode", arg=c, names=("col",))


def input_file_name():
    """The path of the file the row was read from (only in a projection right above the read, as in Spark)."""
    def fn(env):
        if "__input_file__" not in env:
            raise NotImplementedError("fake-spark: input_file_name() is only evaluated right after spark.read")
        return env["__input_file__"]
    return Column(fn, "input_file_name()")


def to_date(c):
    """TIMESTAMP -> DATE in the session zone (UTC)."""
    return _c(c).cast("date")


def from_utc_timestamp(ts, tz):
    """
    "Takes a timestamp which is timezone-agnostic, interprets it as a timestamp in UTC, and renders that timestamp as
    a timestamp in the given time zone": the wall time of the instant in zone tz, as a TIMESTAMP. NULL in, NULL out;
    an unknown zone fails the query (Spark raises), so the job only passes zones it checked.
    """
    ts = _c(ts)
    tz = _c(tz) if not isinstance(tz, str) else lit(tz)

    def fn(env):
        t, z = ts._eval(env), tz._eval(env)
        if t is None or z is None:
            return None
        zone = _zone(z)
        if zone is None:
            raise ValueError("java.time.DateTimeException: Invalid ID for region-based ZoneId: %s" % z)
        wall = t.astimezone(zone).replace(tzinfo=None)
        return wall.replace(tzinfo=timezone.utc)
    return Column(fn, "from_utc_timestamp(...)", (ts, tz))


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def unix_micros(c):
    """Microseconds since 1970-01-01T00:00:00Z of a TIMESTAMP."""
    c = _c(c)

    def f(v):
        if not (isinstance(v, datetime) and v.tzinfo is not None):
            raise NotImplementedError("fake-spark: unix_micros takes a TIMESTAMP (LTZ)")
        d = v - _EPOCH
        return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
    return Column(lambda env: _none_or(c._eval(env), f), "unix_micros(%s)" % c._name, (c,))


def timestamp_micros(c):
    """The TIMESTAMP that many microseconds after 1970-01-01T00:00:00Z."""
    c = _c(c)
    return Column(lambda env: _none_or(c._eval(env), lambda v: _EPOCH + timedelta(microseconds=int(v))),
                  "timestamp_micros(%s)" % c._name, (c,))


# --- window functions ---------------------------------------------------------------------------------------------


def row_number():
    """1, 2, ... within the window partition, in the window's order."""
    return Column(None, "row_number()", (), "window_fn", fn_name="row_number")


def lag(c, offset=1, default=None):
    """The value `offset` rows before in the window's order; default (NULL) where there is none."""
    c = _c(c)
    return Column(None, "lag(%s)" % c._name, (c,), "window_fn", fn_name="lag", arg=c, offset=offset,
                  default=default)


# --- aggregates (groupBy().agg()) ---------------------------------------------------------------------------------


def _agg(name, c, f):
    c = _c(c)
    out = Column(None, "%s(%s)" % (name, c._name), (c,), "agg", agg=f, arg=c)
    key = out._meta["key"] = "__a%d" % out._id
    out._fn = lambda env: env[key]
    return out


def count(c):
    """Rows where c is not NULL; count(lit(1)) counts every row."""
    return _agg("count", c, lambda vals: len([v for v in vals if v is not None]))


def sum(c):  # noqa: A001 - pyspark's name
    """Sum of the non-NULL values; NULL when there are none."""
    return _agg("sum", c, lambda vals: builtins.sum(v for v in vals if v is not None)
                if any(v is not None for v in vals) else None)


def min(c):  # noqa: A001
    return _agg("min", c, lambda vals: builtins.min([v for v in vals if v is not None], default=None))


def max(c):  # noqa: A001
    return _agg("max", c, lambda vals: builtins.max([v for v in vals if v is not None], default=None))


def broadcast(df):
    """A hint that df is small enough to ship whole to every executor (a broadcast join): the same rows."""
    return df
