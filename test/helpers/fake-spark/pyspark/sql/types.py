"""Spark SQL types the Glue job names (pyspark.sql.types), with their simpleString names."""


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise NotImplementedError("fake-spark: pyspark.sql.types.%s is not implemented" % name)


class DataType:
    _name = None

    def simpleString(self):
        return self._name

    def __repr__(self):
        return type(self).__name__ + "()"

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self):
        return hash(type(self).__name__)


class NullType(DataType):
    _name = "void"


class LongType(DataType):
    _name = "bigint"


class IntegerType(DataType):
    _name = "int"


class DoubleType(DataType):
    _name = "double"


class StringType(DataType):
    _name = "string"


class TimestampType(DataType):
    """TIMESTAMP_LTZ: an instant. The fake holds it as an aware UTC datetime."""

    _name = "timestamp"


class TimestampNTZType(DataType):
    """TIMESTAMP_NTZ: a wall time without zone. The fake holds it as a naive datetime."""

    _name = "timestamp_ntz"


class DateType(DataType):
    _name = "date"


class BooleanType(DataType):
    _name = "boolean"


class ArrayType(DataType):
    def __init__(self, elementType, containsNull=True):
        self.elementType = elementType
        self.containsNull = containsNull

    def simpleString(self):
        return "array<%s>" % self.elementType.simpleString()


class StructField:
    def __init__(self, name, dataType, nullable=True):
        self.name = name
        self.dataType = dataType
        self.nullable = nullable

    def __eq__(self, other):
        return isinstance(other, StructField) and (self.name, self.dataType) == (other.name, other.dataType)


class StructType(DataType):
    def __init__(self, fields=None):
        self.fields = list(fields or [])

    def add(self, name, dataType, nullable=True):
        self.fields.append(StructField(name, dataType, nullable))
        return self

    @property
    def names(self):
        return [f.name for f in self.fields]

    def simpleString(self):
        return "struct<%s>" % ",".join("%s:%s" % (f.name, f.dataType.simpleString()) for f in self.fields)


_BY_NAME = {
    "bigint": LongType, "long": LongType, "int": IntegerType, "integer": IntegerType, "double": DoubleType,
    "string": StringType, "timestamp_ltz": TimestampType, "timestamp_ntz": TimestampNTZType, "date": DateType,
    "boolean": BooleanType,
}


def type_named(name, session_timestamp_type="TIMESTAMP_LTZ"):
    """A cast target given by name. 'timestamp' follows spark.sql.timestampType, as Spark's parser does."""
    if isinstance(name, DataType):
        return name
    n = name.strip().lower()
    if n == "timestamp":
        return TimestampNTZType() if session_timestamp_type == "TIMESTAMP_NTZ" else TimestampType()
    if n not in _BY_NAME:
        raise NotImplementedError("fake-spark: no type named %r" % name)
    return _BY_NAME[n]()
