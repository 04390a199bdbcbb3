"""A stand-in for the parts of pyspark the Glue job uses (see ../README.md)."""
import json
import os
import pickle
from functools import reduce


class _Broadcast:
    _n = 0

    def __init__(self, value):
        # Spark pickles a broadcast value with plain pickle (not cloudpickle): so does this.
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        out = os.environ.get("FAKE_SPARK_BROADCAST_DIR")
        if out:
            _Broadcast._n += 1
            with open(os.path.join(out, "broadcast-%03d.pickle" % _Broadcast._n), "wb") as f:
                f.write(data)
        self._data = data

    @property
    def value(self):
        return pickle.loads(self._data)


class RDD:
    def __init__(self, items):
        self._items = list(items)

    def mapPartitions(self, f):
        return RDD(f(iter(self._items)))

    def map(self, f):
        return RDD(f(x) for x in self._items)

    def flatMap(self, f):
        return RDD(y for x in self._items for y in f(x))

    def filter(self, f):
        return RDD(x for x in self._items if f(x))

    def distinct(self):
        seen = []
        for x in self._items:
            if x not in seen:
                seen.append(x)
        return RDD(seen)

    def union(self, other):
        return RDD(self._items + other._items)

    def reduceByKey(self, f):
        groups = {}
        for k, v in self._items:
            groups.setdefault(k, []).append(v)
        return RDD((k, reduce(f, vs)) for k, vs in groups.items())

    def values(self):
        return RDD(v for _, v in self._items)

    def cache(self):
        return self

    def collect(self):
        return list(self._items)


class _Conf:
    def set(self, key, value):
        pass


class _Jsc:
    def hadoopConfiguration(self):
        return _Conf()


class SparkContext:
    defaultParallelism = 2

    def __init__(self):
        self._jsc = _Jsc()

    def parallelize(self, items, slices=None):
        return RDD(items)

    def broadcast(self, value):
        return _Broadcast(value)
