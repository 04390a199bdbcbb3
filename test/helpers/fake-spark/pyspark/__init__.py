"""A stand-in for the parts of pyspark the Glue job uses (see ../README.md): the SparkContext it configures. The job
works on DataFrames only (pyspark.sql); RDDs are not part of the fake."""
import pickle


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

    def broadcast(self, value):
        return _Broadcast(value)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        raise NotImplementedError("fake-spark: SparkContext.%s (the job works on DataFrames)" % name)
