"""A stand-in for the parts of pyspark the Glue job uses (see ../README.md): the SparkContext it configures. The job
works on DataFrames only (pyspark.sql); RDDs are not part of the fake."""
import functools
import pickle
import zoneinfo as _zoneinfo  # held here: a test may hide Python's zoneinfo from the job, not from the JVM's stand-in


@functools.lru_cache(maxsize=1)
def jvm_zone_ids():
    """
    java.time.ZoneId.getAvailableZoneIds() as the fake models it: Python's IANA names without posix/... and right/...
    (and the machine's `localtime` link), which Java's tzdb does not hold. The real list is the JVM's own tzdb.dat (its
    tzdata version); only a Glue run shows it.
    """
    return frozenset(z for z in _zoneinfo.available_timezones()
                     if not z.startswith(("posix/", "right/")) and z not in ("posixrules", "localtime"))


def jvm_zone(name):
    """The zone a region id names, as the JVM resolves it (Python's rules for the same name), or None if unknown."""
    if name not in jvm_zone_ids():
        return None
    return _zoneinfo.ZoneInfo(name)


class _ZoneId:
    @staticmethod
    def getAvailableZoneIds():
        return set(jvm_zone_ids())


class _Namespace:
    def __init__(self, **members):
        self.__dict__.update(members)

    def __getattr__(self, name):
        raise NotImplementedError("fake-spark: the JVM gateway models java.time.ZoneId only, not %s" % name)


# spark._jvm / sc._jvm: only java.time.ZoneId.getAvailableZoneIds().
JVM = _Namespace(java=_Namespace(time=_Namespace(ZoneId=_ZoneId)))


class _Broadcast:
    def __init__(self, value):
        from pyspark.sql import _ship

        # Spark pickles a broadcast value with plain pickle (not cloudpickle): so does this.
        self._data = _ship(value)

    @property
    def value(self):
        return pickle.loads(self._data)


class _Conf:
    def __init__(self):
        self.values = {}

    def set(self, key, value):
        self.values[key] = value


class _Jsc:
    def __init__(self):
        self._conf = _Conf()

    def hadoopConfiguration(self):
        return self._conf


class SparkContext:
    defaultParallelism = 2

    def __init__(self):
        self._jsc = _Jsc()
        self._jvm = JVM

    def broadcast(self, value):
        return _Broadcast(value)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise NotImplementedError("fake-spark: SparkContext.%s (the job works on DataFrames)" % name)
