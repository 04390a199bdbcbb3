"""pyspark.sql.Window: a window's partitioning and order (row_number and lag run over it)."""


class WindowSpec:
    def __init__(self, partition=(), order=()):
        self._partition = tuple(partition)
        self._order = tuple(order)

    def partitionBy(self, *cols):
        return WindowSpec(_cols(cols), self._order)

    def orderBy(self, *cols):
        return WindowSpec(self._partition, _cols(cols))

    def rowsBetween(self, start, end):
        raise NotImplementedError("fake-spark: window frames are not implemented")

    rangeBetween = rowsBetween


def _cols(cols):
    from pyspark.sql.functions import col

    if len(cols) == 1 and isinstance(cols[0], (list, tuple)):
        cols = cols[0]
    return tuple(col(c) if isinstance(c, str) else c for c in cols)


class Window:
    @staticmethod
    def partitionBy(*cols):
        return WindowSpec().partitionBy(*cols)

    @staticmethod
    def orderBy(*cols):
        return WindowSpec().orderBy(*cols)
