"""SparkSession and DataFrame stand-ins for the Glue job (see ../../README.md)."""
import json
import os
import uuid
from datetime import date, datetime

from pyspark import RDD, SparkContext
from pyspark.sql import types  # noqa: F401


def _local(path):
    """s3://bucket/key -> $FAKE_S3_ROOT/key (one bucket)."""
    if not path.startswith("s3://"):
        raise ValueError("the job must read and write s3:// paths, got %s" % path)
    key = path[len("s3://"):].split("/", 1)[1]
    return os.path.join(os.environ["FAKE_S3_ROOT"], key)


class Row(dict):
    def asDict(self):
        return dict(self)

    def __getattr__(self, name):
        return self[name]


class _Column:
    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return lambda row: row[self.name] == other


def _json_value(v):
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            raise TypeError("TimestampNTZType takes naive datetimes, got %r" % v)
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return v


class _Writer:
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
        os.makedirs(folder, exist_ok=True)
        if self._df._partitions != 1:
            raise RuntimeError("the fake writes one file per partition: call repartition(1) first")
        name = "part-00000-%s-c000.snappy.parquet" % uuid.uuid4()
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            for r in self._df._rows:
                f.write(json.dumps({k: _json_value(v) for k, v in zip(self._df._names, r)}) + "\n")
        # What Hadoop's S3 file systems may leave beside a folder they create: the job must remove it.
        open(folder.rstrip("/") + "_$folder$", "w").close()


class DataFrame:
    def __init__(self, rows, names, types_, partitions=None, sorted_within=None):
        self._rows = list(rows)
        self._names = list(names)
        self._types = list(types_)
        self._partitions = partitions
        self._sorted_within = sorted_within

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._names:
            raise AttributeError("no column %s" % name)
        return _Column(name)

    def _with(self, rows=None, **kw):
        d = DataFrame(self._rows if rows is None else rows, self._names, self._types, self._partitions,
                      self._sorted_within)
        for k, v in kw.items():
            setattr(d, "_" + k, v)
        return d

    def filter(self, predicate):
        return self._with([r for r in self._rows if predicate(dict(zip(self._names, r)))])

    def drop(self, name):
        i = self._names.index(name)
        return DataFrame([r[:i] + r[i + 1:] for r in self._rows], self._names[:i] + self._names[i + 1:],
                         self._types[:i] + self._types[i + 1:], self._partitions, self._sorted_within)

    def repartition(self, n):
        return self._with(partitions=n, sorted_within=None)

    def coalesce(self, n):
        raise RuntimeError("coalesce after a sort does not keep the order: use repartition(1).sortWithinPartitions")

    def orderBy(self, *cols):
        raise RuntimeError("a global orderBy is not how the job sorts a day: use sortWithinPartitions")

    def sortWithinPartitions(self, *cols):
        idx = [self._names.index(c) for c in cols]
        rows = sorted(self._rows, key=lambda r: tuple((r[i] is None, r[i]) for i in idx))
        return self._with(rows, sorted_within=tuple(cols))

    def cache(self):
        return self

    def select(self, *cols):
        idx = [self._names.index(c) for c in cols]
        return DataFrame([tuple(r[i] for i in idx) for r in self._rows], cols, [self._types[i] for i in idx])

    def collect(self):
        return [Row(zip(self._names, r)) for r in self._rows]

    @property
    def write(self):
        return _Writer(self)


class _Reader:
    def parquet(self, *paths):
        rows = []
        names = None
        for p in paths:
            with open(_local(p), encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        d = json.loads(line)
                        names = names or list(d)
                        rows.append(tuple(d.get(n) for n in names))
        return DataFrame(rows, names or [], [None] * len(names or []))


class SparkSession:
    class Builder:
        def __init__(self):
            self.conf = {}

        def appName(self, name):
            return self

        def config(self, key, value):
            self.conf[key] = value
            return self

        def getOrCreate(self):
            s = SparkSession()
            s.conf = dict(self.conf)
            return s

    builder = Builder()

    def __init__(self):
        self.sparkContext = SparkContext()
        self.read = _Reader()

    def createDataFrame(self, data, schema):
        rows = data.collect() if isinstance(data, RDD) else list(data)
        for r in rows:
            if len(r) != len(schema.fields):
                raise ValueError("row of %d values for %d columns" % (len(r), len(schema.fields)))
            for v, f in zip(r, schema.fields):
                if isinstance(v, datetime) and type(f.dataType).__name__ == "TimestampNTZType" and v.tzinfo:
                    raise TypeError("column %s is TIMESTAMP_NTZ: an aware datetime is not a wall time" % f.name)
        return DataFrame(rows, schema.names, [f.dataType for f in schema.fields])

    def stop(self):
        pass
