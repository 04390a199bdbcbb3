"""SparkSession and DataFrame stand-ins for the Glue job (see ../../README.md): a DataFrame is a list of Python rows,
and every transformation evaluates the job's Column expressions (column.py, functions.py) over them."""
import csv
import functools
import gzip
import io
import json
import os
import pickle
import uuid
from datetime import date, datetime

from pyspark import SparkContext
from pyspark.sql.column import compare
from pyspark.sql import types  # noqa: F401
from pyspark.sql import types as T


class AnalysisException(Exception):
    pass


_CONF = {}


def _active_conf():
    return _CONF


def _unsupported(what):
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise NotImplementedError("fake-spark: %s.%s is not implemented" % (what, name))
    return __getattr__


def _local(path):
    """s3://bucket/key -> $FAKE_S3_ROOT/key (one bucket)."""
    if not path.startswith("s3://"):
        raise ValueError("the job must read and write s3:// paths, got %s" % path)
    bucket, key = path[len("s3://"):].split("/", 1)
    want = os.environ.get("FAKE_S3_BUCKET")
    if want and bucket != want:
        raise ValueError("the job addressed bucket %s, not %s" % (bucket, want))
    return os.path.join(os.environ["FAKE_S3_ROOT"], key)


def _ship(value):
    """
    A value the driver hands to Spark to send elsewhere (createDataFrame's rows go to the JVM, broadcast values to
    every executor) is pickled with plain pickle, as PySpark does: kept in $FAKE_SPARK_BROADCAST_DIR so a test can load
    it in a process whose __main__ is not the job.
    """
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    out = os.environ.get("FAKE_SPARK_BROADCAST_DIR")
    if out:
        n = len(os.listdir(out)) + 1
        with open(os.path.join(out, "shipped-%03d.pickle" % n), "wb") as f:
            f.write(data)
    return data


class Row(dict):
    """A row (and a struct value): fields by name, in order."""

    def asDict(self, recursive=False):
        return dict(self)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key):
        if isinstance(key, int):
            return list(self.values())[key]
        return dict.__getitem__(self, key)


def _json_value(v):
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            raise TypeError("a TIMESTAMP (LTZ) column reached the Parquet writer: Spark writes it UTC-adjusted; cast "
                            "it to TIMESTAMP_NTZ (%r)" % v)
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (dict, list)):
        raise TypeError("the fake writes flat rows only")
    return v


class _Writer:
    __getattr__ = _unsupported("DataFrameWriter")

    def __init__(self, df):
        self._df = df
        self._mode = "errorifexists"

    def mode(self, m):
        self._mode = m
        return self

    def parquet(self, path):
        folder = _local(path)
        if os.path.exists(folder) and os.listdir(folder) and self._mode == "errorifexists":
            raise RuntimeError("path %s already exists" % path)
        missing = _missing_folders(path)
        os.makedirs(folder, exist_ok=True)
        if self._df._partitions != 1:
            raise RuntimeError("the fake writes one file per partition: call repartition(1) right before the write")
        name = "part-00000-%s-c000.snappy.parquet" % uuid.uuid4()
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            for r in self._df._rows:
                f.write(json.dumps({k: _json_value(v) for k, v in zip(self._df._names, r)}) + "\n")
        # What EMRFS (s3://) leaves when it creates a folder: a `<folder>_$folder$` marker object for the folder and
        # for each ancestor that did not exist (no object under it, no marker). The job must remove them.
        for key in missing:
            with open(os.path.join(os.environ["FAKE_S3_ROOT"], key + "_$folder$"), "w"):
                pass


def _missing_folders(path):
    """The folder of an s3:// path and its ancestors, deepest first, up to the first that exists in the bucket."""
    root = os.environ["FAKE_S3_ROOT"]
    parts = path[len("s3://"):].split("/", 1)[1].strip("/").split("/")
    out = []
    for i in range(len(parts), 0, -1):
        key = "/".join(parts[:i])
        local = os.path.join(root, key)
        has_object = any(files for _d, _dirs, files in os.walk(local)) if os.path.isdir(local) else False
        if has_object or os.path.isfile(local + "_$folder$"):
            break
        out.append(key)
    return out


def _hashable(v):
    if isinstance(v, dict):
        return tuple((k, _hashable(x)) for k, x in v.items())
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    return v


def _sorter(orders):
    """A comparator over (value tuple) for [(ascending, nulls_first)]."""
    def cmp(x, y):
        for (asc, nulls_first), a, b in zip(orders, x, y):
            if a is None and b is None:
                continue
            if a is None:
                return -1 if nulls_first else 1
            if b is None:
                return 1 if nulls_first else -1
            c = compare(a, b)
            if c:
                return c if asc else -c
        return 0
    return functools.cmp_to_key(cmp)


def _order_of(c, default=(True, True)):
    return c._meta.get("order", default)


def _as_col(c):
    from pyspark.sql.functions import col

    return col(c) if isinstance(c, str) else c


class DataFrame:
    def __init__(self, rows, names, files=None, partitions=None):
        self._rows = list(rows)
        self._names = list(names)
        if len(set(self._names)) != len(self._names):
            raise AnalysisException("duplicate column names: %s" % self._names)
        self._files = files  # the file each row was read from, right after a read (input_file_name)
        self._partitions = partitions

    # --- columns ---------------------------------------------------------------------------------------------
    @property
    def columns(self):
        return list(self._names)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._names:
            raise NotImplementedError("fake-spark: DataFrame.%s is not implemented (and no column has that name)"
                                      % name)
        return _as_col(name)

    def __getitem__(self, name):
        if name not in self._names:
            raise AnalysisException("no column %s" % name)
        return _as_col(name)

    def _envs(self):
        for i, r in enumerate(self._rows):
            env = dict(zip(self._names, r))
            if self._files is not None:
                env["__input_file__"] = self._files[i]
            yield env

    def _windows(self, cols, envs):
        """Computes every window function inside cols into envs[i][key]."""
        done = set()
        for c in cols:
            for node in c._walk():
                if node._kind == "agg":
                    raise AnalysisException("an aggregate outside groupBy().agg(): %s" % node._name)
                if node._kind != "window" or node._meta["key"] in done:
                    continue
                key = node._meta["key"]
                done.add(key)
                spec = node._meta["window"]
                groups = {}
                for i, env in enumerate(envs):
                    k = tuple(_hashable(p._eval(env)) for p in spec._partition)
                    groups.setdefault(k, []).append(i)
                orders = [_order_of(o) for o in spec._order]
                for idx in groups.values():
                    if orders:
                        keyf = _sorter(orders)
                        idx = sorted(idx, key=lambda i: keyf(tuple(o._eval(envs[i]) for o in spec._order)))
                    elif node._meta["fn_name"] in ("row_number", "lag"):
                        raise AnalysisException("%s requires an ordered window" % node._meta["fn_name"])
                    for pos, i in enumerate(idx):
                        if node._meta["fn_name"] == "row_number":
                            envs[i][key] = pos + 1
                        else:
                            back = pos - node._meta["offset"]
                            envs[i][key] = (node._meta["arg"]._eval(envs[idx[back]]) if back >= 0
                                            else node._meta["default"])

    # --- transformations ---------------------------------------------------------------------------------------
    def select(self, *cols):
        if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
            cols = tuple(cols[0])
        expanded = []
        for c in cols:
            if isinstance(c, str) and c == "*":
                expanded.extend(_as_col(n) for n in self._names)
            else:
                expanded.append(_as_col(c))
        envs = list(self._envs())
        self._windows(expanded, envs)
        gens = [c for c in expanded if c._kind == "generator"]
        for c in expanded:
            for node in c._walk():
                if node._kind == "generator" and node is not c:
                    raise AnalysisException("a generator must be a top-level select expression")
        if len(gens) > 1:
            raise AnalysisException("only one generator is allowed per select clause")
        names = []
        for c in expanded:
            names.extend(c._meta["names"] if c._kind == "generator" else [c._name])
        rows = []
        for env in envs:
            if not gens:
                rows.append(tuple(c._eval(env) for c in expanded))
                continue
            g = gens[0]
            arr = g._meta["arg"]._eval(env)
            for pos, elem in enumerate(arr or []):  # NULL or empty: no row (explode/posexplode, not *_outer)
                row = []
                for c in expanded:
                    if c is g:
                        row.extend([pos, elem] if g._meta["gen"] == "posexplode" else [elem])
                    else:
                        row.append(c._eval(env))
                rows.append(tuple(row))
        return DataFrame(rows, names)

    def withColumn(self, name, c):
        cols = [_as_col(n) if n != name else c.alias(name) for n in self._names]
        if name not in self._names:
            cols.append(c.alias(name))
        return self.select(*cols)

    def withColumns(self, mapping):
        out = self
        for k, v in mapping.items():
            out = out.withColumn(k, v)
        return out

    def filter(self, condition):
        if not hasattr(condition, "_walk"):
            raise NotImplementedError("fake-spark: filter takes a Column")
        for node in condition._walk():
            if node._kind != "expr":
                raise AnalysisException("filter on %s" % node._name)
        rows = [r for r, env in zip(self._rows, self._envs()) if condition._eval(env) is True]
        return DataFrame(rows, self._names)

    where = filter

    def withColumnRenamed(self, existing, new):
        if existing not in self._names:
            return self  # Spark: a no-op when the column is absent
        return DataFrame(self._rows, [new if n == existing else n for n in self._names])

    def drop(self, *names):
        keep = [i for i, n in enumerate(self._names) if n not in names]
        return DataFrame([tuple(r[i] for i in keep) for r in self._rows], [self._names[i] for i in keep])

    def distinct(self):
        seen, rows = set(), []
        for r in self._rows:
            k = _hashable(list(r))
            if k not in seen:
                seen.add(k)
                rows.append(r)
        return DataFrame(rows, self._names)

    def unionByName(self, other):
        if set(other._names) != set(self._names):
            raise AnalysisException("unionByName: %s vs %s" % (self._names, other._names))
        idx = [other._names.index(n) for n in self._names]
        return DataFrame(self._rows + [tuple(r[i] for i in idx) for r in other._rows], self._names)

    def union(self, other):
        if len(other._names) != len(self._names):
            raise AnalysisException("union of %d and %d columns" % (len(self._names), len(other._names)))
        return DataFrame(self._rows + other._rows, self._names)

    def join(self, other, on, how="inner"):
        """An equi-join on same-named columns (USING): keys once, then the left's columns, then the right's. A NULL key
        matches nothing."""
        keys = [on] if isinstance(on, str) else list(on)
        if not all(isinstance(k, str) for k in keys):
            raise NotImplementedError("fake-spark: join on column names only")
        if how not in ("inner", "left", "left_outer"):
            raise NotImplementedError("fake-spark: %s join" % how)
        lk = [self._names.index(k) for k in keys]
        rk = [other._names.index(k) for k in keys]
        lrest = [i for i in range(len(self._names)) if i not in lk]
        rrest = [i for i in range(len(other._names)) if i not in rk]
        names = keys + [self._names[i] for i in lrest] + [other._names[i] for i in rrest]
        index = {}
        for r in other._rows:
            k = tuple(_hashable(r[i]) for i in rk)
            if any(v is None for v in k):
                continue
            index.setdefault(k, []).append(r)
        rows = []
        for r in self._rows:
            k = tuple(_hashable(r[i]) for i in lk)
            matches = [] if any(v is None for v in k) else index.get(k, [])
            for m in matches:
                rows.append(tuple(r[i] for i in lk) + tuple(r[i] for i in lrest) + tuple(m[i] for i in rrest))
            if not matches and how != "inner":
                rows.append(tuple(r[i] for i in lk) + tuple(r[i] for i in lrest) + (None,) * len(rrest))
        return DataFrame(rows, names)

    def groupBy(self, *cols):
        return _Grouped(self, [_as_col(c) for c in cols])

    def repartition(self, n, *cols):
        if cols:
            raise NotImplementedError("fake-spark: repartition by columns")
        return DataFrame(self._rows, self._names, partitions=n)

    def coalesce(self, n):
        raise RuntimeError("coalesce after a sort does not keep the order: use repartition(1).sortWithinPartitions")

    def orderBy(self, *cols):
        raise RuntimeError("a global orderBy is not how the job sorts a day: use sortWithinPartitions")

    sort = orderBy

    def sortWithinPartitions(self, *cols):
        if self._partitions != 1:
            raise NotImplementedError("fake-spark: sortWithinPartitions right after repartition(1) only")
        cs = [_as_col(c) for c in cols]
        keyf = _sorter([_order_of(c) for c in cs])
        pairs = sorted(zip(self._rows, self._envs()), key=lambda p: keyf(tuple(c._eval(p[1]) for c in cs)))
        return DataFrame([r for r, _ in pairs], self._names, partitions=1)

    def cache(self):
        return self

    persist = cache

    def unpersist(self, blocking=False):
        return self

    def collect(self):
        return [Row(zip(self._names, r)) for r in self._rows]

    def count(self):
        return len(self._rows)

    def isEmpty(self):
        return not self._rows

    @property
    def write(self):
        return _Writer(self)


class _Grouped:
    __getattr__ = _unsupported("GroupedData")

    def __init__(self, df, keys):
        self._df = df
        self._keys = keys

    def agg(self, *cols):
        groups = {}
        for env in self._df._envs():
            k = tuple(_hashable(c._eval(env)) for c in self._keys)
            groups.setdefault(k, (tuple(c._eval(env) for c in self._keys), []))[1].append(env)
        names = [c._name for c in self._keys] + [c._name for c in cols]
        rows = []
        for key_values, envs in groups.values():
            out_env = dict(zip([c._name for c in self._keys], key_values))
            for c in cols:
                for node in c._walk():
                    if node._kind == "agg":
                        out_env[node._meta["key"]] = node._meta["agg"]([node._meta["arg"]._eval(e) for e in envs])
            rows.append(tuple(key_values) + tuple(c._eval(out_env) for c in cols))
        return DataFrame(rows, names)


# --- reading -----------------------------------------------------------------------------------------------------


def _read_bytes(path):
    with open(_local(path), "rb") as f:
        data = f.read()
    # Hadoop picks a codec by the file's extension: a .gz object is decompressed (and must be gzip).
    return gzip.decompress(data) if path.endswith(".gz") else data


def _paths(paths):
    if len(paths) == 1 and isinstance(paths[0], (list, tuple)):
        return list(paths[0])
    return list(paths)


class _Reader:
    __getattr__ = _unsupported("DataFrameReader")

    def text(self, paths, wholetext=False, lineSep=None):
        """wholetext=True: one row per file, column `value` = the file's text (UTF-8; bad bytes become U+FFFD)."""
        if not wholetext or lineSep is not None:
            raise NotImplementedError("fake-spark: spark.read.text(wholetext=True) only")
        ps = _paths([paths])
        rows = [(_read_bytes(p).decode("utf-8", errors="replace"),) for p in ps]
        return DataFrame(rows, ["value"], files=ps)

    def csv(self, paths, schema=None, header=None, multiLine=None, escape=None, quote=None, mode=None,
            encoding=None, **other):
        """
        With an explicit all-STRING schema and header=True (each file's first record is skipped): RFC 4180 records
        (multiLine=True: a quoted field may hold a line break; escape='"': a doubled quote is a quote); a missing
        trailing field is NULL and extra fields are dropped (PERMISSIVE); an empty field is NULL (nullValue "");
        blank lines are skipped.
        """
        if other or not isinstance(schema, T.StructType) or header is not True or str(multiLine).lower() != "true" \
                or escape != '"' or quote not in (None, '"') or (mode or "PERMISSIVE").upper() != "PERMISSIVE" \
                or (encoding or "UTF-8").upper() != "UTF-8":
            raise NotImplementedError("fake-spark: spark.read.csv(paths, schema=<strings>, header=True, "
                                      "multiLine=True, escape='\"') only")
        if not all(isinstance(f.dataType, T.StringType) for f in schema.fields):
            raise NotImplementedError("fake-spark: CSV fields are read as STRING")
        n = len(schema.fields)
        rows, files = [], []
        for p in _paths([paths]):
            text = _read_bytes(p).decode("utf-8", errors="replace")
            records = list(csv.reader(io.StringIO(text, newline="")))
            for fields in records[1:]:
                if not fields or fields == [""]:
                    continue
                values = [f if f != "" else None for f in fields[:n]] + [None] * max(0, n - len(fields))
                rows.append(tuple(values))
                files.append(p)
        return DataFrame(rows, schema.names, files=files)

    def parquet(self, *paths):
        """The fake's Parquet is JSON lines (see _Writer)."""
        rows = []
        names = None
        for p in _paths(paths):
            with open(_local(p), encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        d = json.loads(line)
                        names = names or list(d)
                        rows.append(tuple(d.get(n) for n in names))
        return DataFrame(rows, names or [])


def _check(v, dt, name):
    """PySpark's createDataFrame verifies each value against its field's type (verifySchema=True)."""
    if v is None:
        return
    ok = {
        T.LongType: lambda x: isinstance(x, int) and not isinstance(x, bool),
        T.IntegerType: lambda x: isinstance(x, int) and not isinstance(x, bool),
        T.DoubleType: lambda x: isinstance(x, float),
        T.StringType: lambda x: isinstance(x, str),
        T.BooleanType: lambda x: isinstance(x, bool),
        T.DateType: lambda x: isinstance(x, date) and not isinstance(x, datetime),
        # Spark reads a naive datetime in TimestampType as the driver's LOCAL time: the job passes aware UTC ones.
        T.TimestampType: lambda x: isinstance(x, datetime) and x.tzinfo is not None,
        T.TimestampNTZType: lambda x: isinstance(x, datetime) and x.tzinfo is None,
    }.get(type(dt))
    if ok is None:
        raise NotImplementedError("fake-spark: createDataFrame with a %s field" % dt.simpleString())
    if not ok(v):
        raise TypeError("field %s: %r can not accept object %r in type %s" % (name, dt, v, type(v)))


class SparkSession:
    __getattr__ = _unsupported("SparkSession")

    class Builder:
        def __init__(self):
            self._conf = {}

        def appName(self, name):
            return self

        def config(self, key, value):
            self._conf[key] = value
            return self

        def getOrCreate(self):
            s = SparkSession()
            _CONF.clear()
            _CONF.update(self._conf)
            if _CONF.get("spark.sql.session.timeZone", "UTC") != "UTC":
                raise NotImplementedError("fake-spark: the session time zone is UTC")
            if str(_CONF.get("spark.sql.ansi.enabled", "false")).lower() != "false":
                raise NotImplementedError("fake-spark: ANSI mode is not modelled (casts give NULL, not errors)")
            s.conf = dict(self._conf)
            return s

    class _NewBuilder:
        """PySpark 3.5: each SparkSession.builder is a new Builder (a classproperty), so settings do not leak."""

        def __get__(self, obj, cls):
            return cls.Builder()

    builder = _NewBuilder()

    def __init__(self):
        self.sparkContext = SparkContext()
        self._jvm = self.sparkContext._jvm
        self.read = _Reader()

    def createDataFrame(self, data, schema):
        if not isinstance(schema, T.StructType):
            raise NotImplementedError("fake-spark: createDataFrame with a StructType schema only")
        rows = []
        for r in data:
            values = tuple(r.get(n) for n in schema.names) if isinstance(r, dict) else tuple(r)
            if len(values) != len(schema.fields):
                raise ValueError("row of %d values for %d columns" % (len(values), len(schema.fields)))
            for v, f in zip(values, schema.fields):
                _check(v, f.dataType, f.name)
            rows.append(values)
        _ship(rows)
        return DataFrame(rows, schema.names)

    def stop(self):
        pass


from pyspark.sql.column import Column  # noqa: E402,F401
from pyspark.sql.window import Window  # noqa: E402,F401
