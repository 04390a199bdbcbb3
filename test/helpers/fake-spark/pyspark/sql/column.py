"""Column expressions evaluated over Python rows (pyspark.sql.Column), with Spark's null and cast rules.

A Column is a small expression tree: `fn(env)` computes its value from `env` (column name -> value of one row), and
`children` lets a DataFrame find window functions and aggregates inside it. Values: str, int, float, bool,
datetime.date, aware UTC datetime (TimestampType), naive datetime (TimestampNTZType), Row (struct), list (array).
Spark 3.5 with spark.sql.ansi.enabled=false (Glue 5.0's default): a failed cast gives NULL, not an error.
"""
import math
import re
from datetime import date, datetime, timedelta, timezone

from pyspark.sql import types as T

_ids = [0]


def _next_id():
    _ids[0] += 1
    return _ids[0]


class Column:
    def __init__(self, fn, name, children=(), kind="expr", **meta):
        self._fn = fn
        self._name = name
        self._children = tuple(children)
        self._kind = kind  # expr | window | agg | generator | window_fn
        self._meta = meta
        self._id = _next_id()

    # --- evaluation ------------------------------------------------------------------------------------------
    def _eval(self, env):
        return self._fn(env)

    def _walk(self):
        yield self
        for c in self._children:
            yield from c._walk()

    def __repr__(self):
        return "Column<%s>" % self._name

    def __bool__(self):
        raise ValueError("Cannot convert column into bool: use '&' for 'and', '|' for 'or', '~' for 'not'")

    # --- naming ----------------------------------------------------------------------------------------------
    def alias(self, *names):
        if self._kind == "generator":
            return Column(self._fn, names[0], self._children, "generator", **dict(self._meta, names=names))
        if len(names) != 1:
            raise NotImplementedError("fake-spark: alias with several names is for generators only")
        return _renamed(self, names[0])

    name = alias

    # --- struct fields ---------------------------------------------------------------------------------------
    def getField(self, field):
        def fn(env):
            v = self._eval(env)
            if v is None:
                return None
            return v.get(field)  # a Row; a missing field is a schema error in Spark, the job never asks for one
        return Column(fn, field, (self,))

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.getField(key)
        raise NotImplementedError("fake-spark: only struct field access by name")

    def __getattr__(self, item):
        if item.startswith("_"):
            raise AttributeError(item)
        raise NotImplementedError("fake-spark: Column.%s is not implemented" % item)

    # --- operators (NULL in, NULL out) -----------------------------------------------------------------------
    def _binary(self, other, op, symbol, swap=False):
        other = _lit_or_col(other)
        a, b = (other, self) if swap else (self, other)

        def fn(env):
            x, y = a._eval(env), b._eval(env)
            if x is None or y is None:
                return None
            return op(x, y)
        return Column(fn, "(%s %s %s)" % (a._name, symbol, b._name), (a, b))

    # Comparisons follow Spark's NaN semantics (SQL reference, "NaN Semantics"): NaN = NaN is true and NaN is greater
    # than any other value.
    def __eq__(self, other):
        return self._binary(other, lambda x, y: compare(x, y) == 0, "=")

    def __ne__(self, other):
        return self._binary(other, lambda x, y: compare(x, y) != 0, "!=")

    def __lt__(self, other):
        return self._binary(other, lambda x, y: compare(x, y) < 0, "<")

    def __le__(self, other):
        return self._binary(other, lambda x, y: compare(x, y) <= 0, "<=")

    def __gt__(self, other):
        return self._binary(other, lambda x, y: compare(x, y) > 0, ">")

    def __ge__(self, other):
        return self._binary(other, lambda x, y: compare(x, y) >= 0, ">=")

    def __hash__(self):
        return self._id

    def eqNullSafe(self, other):
        """<=>: NULL <=> NULL is true, NULL <=> x is false (never NULL)."""
        other = _lit_or_col(other)
        def fn(env):
            x, y = self._eval(env), other._eval(env)
            if x is None or y is None:
                return x is None and y is None
            return compare(x, y) == 0
        return Column(fn, "(%s <=> %s)" % (self._name, other._name), (self, other))

    def __add__(self, other):
        return self._binary(other, _arith(lambda x, y: x + y), "+")

    def __radd__(self, other):
        return self._binary(other, _arith(lambda x, y: x + y), "+", swap=True)

    def __sub__(self, other):
        return self._binary(other, _arith(lambda x, y: x - y), "-")

    def __rsub__(self, other):
        return self._binary(other, _arith(lambda x, y: x - y), "-", swap=True)

    def __mul__(self, other):
        return self._binary(other, _arith(lambda x, y: x * y), "*")

    def __rmul__(self, other):
        return self._binary(other, _arith(lambda x, y: x * y), "*", swap=True)

    def __truediv__(self, other):
        # `/` is always fractional in Spark SQL; x / 0 is NULL when ANSI mode is off.
        return self._binary(other, lambda x, y: None if y == 0 else _num(x) / _num(y), "/")

    def __neg__(self):
        return Column(lambda env: _none_or(self._eval(env), lambda v: -v), "(- %s)" % self._name, (self,))

    def __and__(self, other):
        other = _lit_or_col(other)

        def fn(env):  # three-valued logic: false AND NULL = false
            x = self._eval(env)
            if x is False:
                return False
            y = other._eval(env)
            if y is False:
                return False
            return None if x is None or y is None else True
        return Column(fn, "(%s AND %s)" % (self._name, other._name), (self, other))

    def __or__(self, other):
        other = _lit_or_col(other)

        def fn(env):  # true OR NULL = true
            x = self._eval(env)
            if x is True:
                return True
            y = other._eval(env)
            if y is True:
                return True
            return None if x is None or y is None else False
        return Column(fn, "(%s OR %s)" % (self._name, other._name), (self, other))

    def __invert__(self):
        return Column(lambda env: _none_or(self._eval(env), lambda v: not v), "(NOT %s)" % self._name, (self,))

    def isNull(self):
        return Column(lambda env: self._eval(env) is None, "(%s IS NULL)" % self._name, (self,))

    def isNotNull(self):
        return Column(lambda env: self._eval(env) is not None, "(%s IS NOT NULL)" % self._name, (self,))

    def isin(self, *values):
        vals = list(values[0]) if len(values) == 1 and isinstance(values[0], (list, tuple, set)) else list(values)
        # x IN (...) is NULL when x is NULL (the job's lists hold no NULL).
        return Column(lambda env: _none_or(self._eval(env), lambda v: v in vals), "(%s IN (...))" % self._name,
                      (self,))

    def rlike(self, pattern):
        """Java regex, matched with find() (anywhere in the string), as Spark's RLIKE does."""
        rx = re.compile(pattern)
        return Column(lambda env: _none_or(self._eval(env), lambda v: rx.search(v) is not None),
                      "RLIKE(%s)" % self._name, (self,))

    def startswith(self, prefix):
        return Column(lambda env: _none_or(self._eval(env), lambda v: v.startswith(prefix)),
                      "startswith(%s)" % self._name, (self,))

    # --- CASE WHEN ---------------------------------------------------------------------------------------------
    def when(self, condition, value):
        if "branches" not in self._meta or self._meta.get("closed"):
            raise ValueError("when() can only be applied on a Column previously generated by when()")
        return _case(self._meta["branches"] + [(condition, _lit_or_col(value))], None, False)

    def otherwise(self, value):
        if "branches" not in self._meta or self._meta.get("closed"):
            raise ValueError("otherwise() can only be applied once on a Column previously generated by when()")
        return _case(self._meta["branches"], _lit_or_col(value), True)

    # --- cast ------------------------------------------------------------------------------------------------
    def cast(self, dataType):
        from pyspark.sql import _active_conf

        target = T.type_named(dataType, _active_conf().get("spark.sql.timestampType", "TIMESTAMP_LTZ"))
        conv = _caster(target)
        return Column(lambda env: _none_or(self._eval(env), conv), "CAST(%s AS %s)" % (self._name,
                      target.simpleString()), (self,))

    astype = cast

    # --- sort orders ---------------------------------------------------------------------------------------
    def _order(self, ascending, nulls_first):
        return Column(self._fn, self._name, self._children, self._kind,
                      **dict(self._meta, order=(ascending, nulls_first)))

    def asc(self):
        return self._order(True, True)  # Spark: ASC puts NULLs first

    def desc(self):
        return self._order(False, False)  # DESC puts NULLs last

    def asc_nulls_first(self):
        return self._order(True, True)

    def asc_nulls_last(self):
        return self._order(True, False)

    def desc_nulls_first(self):
        return self._order(False, True)

    def desc_nulls_last(self):
        return self._order(False, False)

    # --- windows ---------------------------------------------------------------------------------------------
    def over(self, window):
        if self._kind != "window_fn":
            raise NotImplementedError("fake-spark: only row_number() and lag() run over a window")
        wid = "__w%d" % _next_id()
        spec = dict(self._meta, window=window, key=wid)
        return Column(lambda env: env[wid], self._name, (self,), "window", **spec)


def _renamed(col, name):
    return Column(col._fn, name, col._children, col._kind, **col._meta)


def _case(branches, default, closed):
    def fn(env):
        for cond, value in branches:
            if cond._eval(env) is True:  # a NULL condition is not true
                return value._eval(env)
        return default._eval(env) if default is not None else None
    children = [c for b in branches for c in b] + ([default] if default is not None else [])
    return Column(fn, "CASE WHEN ...", children, branches=branches, closed=closed)


def _lit_or_col(v):
    if isinstance(v, Column):
        return v
    return Column(lambda env: v, repr(v))


def _is_nan(v):
    return isinstance(v, float) and math.isnan(v)


def compare(x, y):
    """-1, 0, 1 as Spark orders two non-NULL values of one type (NaN last, equal to itself)."""
    if _is_nan(x) or _is_nan(y):
        return (1 if _is_nan(x) else 0) - (1 if _is_nan(y) else 0)
    return (x > y) - (x < y)


def _none_or(v, f):
    return None if v is None else f(v)


def _num(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise NotImplementedError("fake-spark: arithmetic on %r (only numbers)" % (v,))
    return v


def _arith(op):
    def f(x, y):
        return op(_num(x), _num(y))
    return f


# --- casts (Spark's Cast with ANSI off) ---------------------------------------------------------------------------

_WS = "".join(chr(c) for c in range(33))  # Spark trims characters <= ASCII 32 before casting strings to numbers/dates
_INTEGRAL = re.compile(r"^[+-]?\d+(?:\.\d*)?$")
_DECIMAL_FLOAT = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfF]?$")
INT_RANGE = {"int": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}


def _string_to_integral(s, kind):
    # Cast string -> int/bigint: trimmed; a fractional part is truncated (Hive-compatible UTF8String.toLong);
    # anything else, or an overflow, is NULL.
    t = s.strip(_WS)
    if not _INTEGRAL.match(t):
        return None
    v = int(t.split(".")[0])
    lo, hi = INT_RANGE[kind]
    return v if lo <= v <= hi else None


def _string_to_double(s):
    # Cast string -> double: Java's Double.parseDouble on the trimmed text, plus Spark's special literals.
    t = s.strip(_WS)
    low = t.lower()
    specials = {"inf": math.inf, "+inf": math.inf, "infinity": math.inf, "+infinity": math.inf, "-inf": -math.inf,
                "-infinity": -math.inf, "nan": math.nan}
    if low in specials:
        return specials[low]
    if not _DECIMAL_FLOAT.match(t):
        return None  # (Java also reads hex floats such as 0x1p3: not modelled; no raw field is one)
    return float(t.rstrip("dDfF"))


def _java_int(v, bits):
    """Double/long -> int as the JVM does without ANSI: a double saturates (NaN -> 0), a long wraps."""
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if isinstance(v, float):
        if math.isnan(v):
            return 0
        return int(max(lo, min(hi, math.trunc(v)))) if not math.isinf(v) else (hi if v > 0 else lo)
    v = int(v)
    return (v - lo) % (2 ** bits) + lo


_OFFSET = re.compile(r"^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$")


def _zone(text):
    """A zone id as Java's ZoneId.of reads it (Spark's getZoneId), or None if unknown: region ids are the JVM's."""
    from pyspark import jvm_zone

    t = text.strip()
    if t in ("", "Z", "UTC", "GMT", "UT"):
        return timezone.utc
    m = _OFFSET.match(t)
    if m:
        sign, h, mi, s = m.groups()
        delta = timedelta(hours=int(h), minutes=int(mi or 0), seconds=int(s or 0))
        if delta > timedelta(hours=18):
            return None
        return timezone(-delta if sign == "-" else delta)
    try:
        return jvm_zone(t)
    except Exception:
        return None


def _valid_digits(segment, digits):
    # A year has 4 to 6 digits, the fraction any number (past 6 dropped), the zone segment up to 2, the rest 1 or 2.
    return (segment == 6 or (segment == 0 and 4 <= digits <= 6) or (segment == 7 and digits <= 2)
            or (segment not in (0, 6, 7) and 0 < digits <= 2))


def _timestamp_segments(text):
    """
    A port of Spark 3.5's SparkDateTimeUtils.parseTimestampString: (segments, zone text or None, just_time), or None.
    Forms: [+-]yyyy*[-[m]m[-[d]d[( |T)[h]h:[m]m[:[s]s[.fraction][zone]]]]] (and time-only forms); the zone may only
    follow the seconds.
    """
    b = text.strip(_WS)
    if not b:
        return None
    seg = [1, 1, 1, 0, 0, 0, 0, 0, 0]
    i = value = digits = milli = 0
    j = 0
    just_time = False
    sign = None
    tz = None
    if b[0] in "+-":
        sign = -1 if b[0] == "-" else 1
        j = 1
    while j < len(b):
        c = b[j]
        if not ("0" <= c <= "9"):
            if j == 0 and c == "T":
                just_time = True
                i += 3
            elif i < 2:
                if c == "-":
                    if not _valid_digits(i, digits):
                        return None
                    seg[i], value, digits, i = value, 0, 0, i + 1
                elif i == 0 and c == ":" and sign is None:
                    just_time = True
                    if not _valid_digits(3, digits):
                        return None
                    seg[3], value, digits, i = value, 0, 0, 4
                else:
                    return None
            elif i == 2:
                if c not in " T" or not _valid_digits(i, digits):
                    return None
                seg[i], value, digits, i = value, 0, 0, i + 1
            elif i in (3, 4):
                if c != ":" or not _valid_digits(i, digits):
                    return None
                seg[i], value, digits, i = value, 0, 0, i + 1
            elif i in (5, 6):
                if c == "." and i == 5:
                    if not _valid_digits(i, digits):
                        return None
                    seg[i], value, digits, i = value, 0, 0, i + 1
                else:
                    if not _valid_digits(i, digits):
                        return None
                    seg[i], value, digits, i = value, 0, 0, i + 1
                    tz = b[j:]
                    j = len(b) - 1
                if i == 6 and c != ".":
                    i += 1
            else:
                if i < len(seg) and c in ": " and _valid_digits(i, digits):
                    seg[i], value, digits, i = value, 0, 0, i + 1
                else:
                    return None
        else:
            if i == 6:
                milli += 1
            if i != 6 or digits < 6:
                value = value * 10 + int(c)
            digits += 1
        j += 1
    if not _valid_digits(i, digits):
        return None
    seg[i] = value
    while milli < 6:
        seg[6] *= 10
        milli += 1
    seg[0] *= sign or 1
    return seg, (tz.strip() if tz is not None else None), just_time


def string_to_timestamp(s):
    """Cast string -> TIMESTAMP (stringToTimestamp: an instant; text without a zone is in the session zone, UTC)."""
    parsed = _timestamp_segments(s)
    if parsed is None:
        return None
    seg, tz_text, just_time = parsed
    if just_time:
        # Spark takes today's date in the zone: not modelled (a test would depend on the day it runs).
        raise NotImplementedError("fake-spark: a time without a date (%r) cast to TIMESTAMP" % s)
    tz = _zone(tz_text) if tz_text is not None else timezone.utc
    if tz is None:
        return None  # an unknown zone: getZoneId throws, stringToTimestamp catches it
    try:
        local = datetime(seg[0], seg[1], seg[2], seg[3], seg[4], seg[5], seg[6])
    except ValueError:
        return None
    # A wall time in a DST gap moves forward and one in an overlap takes the earlier offset, in java.time
    # (ZonedDateTime.of) as in Python (fold=0).
    return local.replace(tzinfo=tz).astimezone(timezone.utc)


def _caster(target):
    name = target.simpleString()
    if name == "string":
        return _to_string
    if name in ("int", "bigint"):
        bits = 32 if name == "int" else 64

        def to_int(v):
            if isinstance(v, str):
                return _string_to_integral(v, name)
            if isinstance(v, bool):
                return int(v)
            if isinstance(v, (int, float)):
                return _java_int(v, bits)
            raise NotImplementedError("fake-spark: cast %r to %s" % (v, name))
        return to_int
    if name == "double":
        def to_double(v):
            if isinstance(v, str):
                return _string_to_double(v)
            if isinstance(v, bool):
                return 1.0 if v else 0.0
            if isinstance(v, (int, float)):
                return float(v)
            raise NotImplementedError("fake-spark: cast %r to double" % (v,))
        return to_double
    if name == "timestamp":
        def to_ts(v):
            if isinstance(v, str):
                return string_to_timestamp(v)
            if isinstance(v, datetime):
                # NTZ -> LTZ: the wall time in the session zone (UTC)
                return v.replace(tzinfo=timezone.utc) if v.tzinfo is None else v
            raise NotImplementedError("fake-spark: cast %r to timestamp" % (v,))
        return to_ts
    if name == "timestamp_ntz":
        def to_ntz(v):
            if isinstance(v, datetime) and v.tzinfo is not None:
                # LTZ -> NTZ: the instant's wall time in the session zone (UTC)
                return v.astimezone(timezone.utc).replace(tzinfo=None)
            if isinstance(v, datetime):
                return v
            # Spark 3.5 parses text for TIMESTAMP_NTZ ignoring any zone in it: the job must not rely on that.
            raise NotImplementedError("fake-spark: cast %r to timestamp_ntz (cast text to TimestampType first)" % (v,))
        return to_ntz
    if name == "boolean":
        def to_bool(v):
            if isinstance(v, bool):
                return v
            raise NotImplementedError("fake-spark: cast %r to boolean" % (v,))
        return to_bool
    if name == "date":
        def to_date(v):
            if isinstance(v, datetime):
                return (v.astimezone(timezone.utc) if v.tzinfo else v).date()
            if isinstance(v, date):
                return v
            raise NotImplementedError("fake-spark: cast %r to date" % (v,))
        return to_date
    raise NotImplementedError("fake-spark: cast to %s" % name)


def _to_string(v):
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, date) and not isinstance(v, datetime):
        return v.isoformat()
    raise NotImplementedError("fake-spark: cast %r to string" % (v,))
