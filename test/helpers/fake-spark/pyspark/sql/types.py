"""Spark SQL types, by name only."""


class DataType:
    def __repr__(self):
        return type(self).__name__ + "()"


class LongType(DataType):
    pass


class IntegerType(DataType):
    pass


class DoubleType(DataType):
    pass


class StringType(DataType):
    pass


class TimestampType(DataType):
    pass


class TimestampNTZType(DataType):
    pass


class DateType(DataType):
    pass


class BooleanType(DataType):
    pass


class StructField:
    def __init__(self, name, dataType, nullable=True):
        self.name = name
        self.dataType = dataType
        self.nullable = nullable


class StructType:
    def __init__(self, fields):
        self.fields = list(fields)

    @property
    def names(self):
        return [f.name for f in self.fields]
