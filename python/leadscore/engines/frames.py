"""Engine-neutral frames for the dbt Python models: DuckDB or Spark in, polars out, and back.

The models work on polars frames. `to_polars` reads a DuckDB relation or a Spark
DataFrame (through Arrow) into one; `to_engine` turns a polars result into what the
engine's Python materialisation writes (DuckDB: the polars frame itself; Spark: a Spark
DataFrame with the same column types). `query`, `table_exists` and `table_columns` answer
the few catalog questions the models ask, on either engine. `map_batches` applies a
row-wise polars function to a relation: in process on DuckDB, on the executors on Spark
(`mapInArrow`, with the function's inputs broadcast once).

Type mapping polars -> Spark: String -> string, Int8/16/32/64 -> tinyint/smallint/int/
bigint, unsigned -> the next wider signed type, Float32/64 -> float/double, Boolean ->
boolean, Date -> date, Datetime -> timestamp (the naive values are UTC wall clock: the
Spark target runs with spark.sql.session.timeZone UTC), Decimal -> decimal, Binary ->
binary, an all-null column without type -> string. Spark timestamps come back as naive
UTC Datetime("us"), as DuckDB's `timestamp` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import pyarrow as pa


def is_spark(obj: Any) -> bool:
    """True for a pyspark SparkSession or DataFrame (without importing pyspark)."""
    return type(obj).__module__.startswith("pyspark.")


def _naive_utc(frame: pl.DataFrame) -> pl.DataFrame:
    zoned = [
        name
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None
    ]
    if not zoned:
        return frame
    return frame.with_columns(
        pl.col(c).dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.cast_time_unit("us")
        for c in zoned
    )


def arrow_to_polars(data: pa.Table | pa.RecordBatch) -> pl.DataFrame:
    """An Arrow table or batch as polars, zoned timestamps made naive UTC."""
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    return _naive_utc(frame)


def to_polars(relation: Any) -> pl.DataFrame:
    """A DuckDB relation, Spark DataFrame or polars frame as a polars DataFrame."""
    if isinstance(relation, pl.DataFrame):
        return relation
    if is_spark(relation):
        return arrow_to_polars(relation.toArrow())
    if hasattr(relation, "pl"):
        return relation.pl()
    raise TypeError(f"cannot read a {type(relation).__name__} as a frame")


def query(session: Any, sql: str) -> pl.DataFrame:
    """The result of `sql` on the engine behind `session`, as polars."""
    return to_polars(session.sql(sql))


def table_exists(session: Any, schema: str, table: str) -> bool:
    """Whether schema.table exists in the engine behind `session`."""
    if is_spark(session):
        return bool(session.catalog.tableExists(f"{schema}.{table}"))
    found = session.sql(
        "select count(*) from information_schema.tables "
        f"where table_schema = '{schema}' and table_name = '{table}'"
    ).fetchall()
    return bool(found[0][0])


def table_columns(session: Any, schema: str, table: str) -> set[str]:
    """The column names of schema.table (empty when it does not exist)."""
    if not table_exists(session, schema, table):
        return set()
    if is_spark(session):
        return {c.name for c in session.catalog.listColumns(f"{schema}.{table}")}
    rows = session.sql(
        "select column_name from information_schema.columns "
        f"where table_schema = '{schema}' and table_name = '{table}'"
    ).fetchall()
    return {row[0] for row in rows}


def spark_type(name: str, dtype: pl.DataType):
    """The Spark SQL type a polars column of `dtype` is written as."""
    from pyspark.sql import types as T

    simple = {
        pl.String: T.StringType,
        pl.Categorical: T.StringType,
        pl.Null: T.StringType,
        pl.Boolean: T.BooleanType,
        pl.Int8: T.ByteType,
        pl.Int16: T.ShortType,
        pl.Int32: T.IntegerType,
        pl.Int64: T.LongType,
        pl.UInt8: T.ShortType,
        pl.UInt16: T.IntegerType,
        pl.UInt32: T.LongType,
        pl.Float32: T.FloatType,
        pl.Float64: T.DoubleType,
        pl.Date: T.DateType,
        pl.Binary: T.BinaryType,
    }
    for polars_type, spark in simple.items():
        if dtype == polars_type:
            return spark()
    if isinstance(dtype, pl.Enum):
        return T.StringType()
    if isinstance(dtype, pl.Datetime):
        return T.TimestampType()
    if isinstance(dtype, pl.Decimal):
        return T.DecimalType(dtype.precision or 38, dtype.scale or 0)
    raise TypeError(
        f"column {name!r} has polars type {dtype}, which has no Spark equivalent here: "
        "cast it to text, a number, a boolean, a date or a timestamp"
    )


def spark_schema(schema: pl.Schema | dict[str, pl.DataType]):
    """The Spark StructType for a polars schema (see the module doc for the mapping)."""
    from pyspark.sql import types as T

    return T.StructType(
        [T.StructField(name, spark_type(name, dtype), True) for name, dtype in schema.items()]
    )


def _arrow_for_spark(frame: pl.DataFrame) -> pa.Table:
    """The frame as Arrow with Spark's physical types: timestamps zoned UTC, microseconds."""
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            column = pl.col(name).dt.cast_time_unit("us")
            if dtype.time_zone is None:
                column = column.dt.replace_time_zone("UTC")
            else:
                column = column.dt.convert_time_zone("UTC")
            casts.append(column)
        elif dtype in (pl.Categorical, pl.Null) or isinstance(dtype, pl.Enum):
            casts.append(pl.col(name).cast(pl.String))
        elif dtype == pl.UInt8:
            casts.append(pl.col(name).cast(pl.Int16))
        elif dtype == pl.UInt16:
            casts.append(pl.col(name).cast(pl.Int32))
        elif dtype == pl.UInt32:
            casts.append(pl.col(name).cast(pl.Int64))
    return (frame.with_columns(casts) if casts else frame).to_arrow()


def to_engine(frame: pl.DataFrame, session: Any) -> Any:
    """What the engine behind `session` materialises: the polars frame (DuckDB) or a
    Spark DataFrame with the mapped column types (Spark)."""
    if not is_spark(session):
        return frame
    schema = spark_schema(frame.schema)
    return session.createDataFrame(_arrow_for_spark(frame), schema=schema)


def map_batches(
    relation: Any,
    session: Any,
    function: Callable[..., pl.DataFrame],
    *inputs: Any,
) -> Any:
    """`function(frame, *inputs)` applied to `relation`, returned as the engine's frame.

    `function` must be row-wise (each output row depends on its input row only) and
    give the same columns for every input, including an empty one. DuckDB: one call on
    the whole relation. Spark: one call per Arrow batch on the executors (mapInArrow),
    `inputs` broadcast once; the output schema is taken from a call on zero rows.
    """
    if not is_spark(session):
        return function(to_polars(relation), *inputs)
    empty = to_polars(relation.limit(0))
    schema = function(empty, *inputs).schema
    shared = session.sparkContext.broadcast(inputs)

    def apply(batches):
        values = shared.value
        for batch in batches:
            result = function(arrow_to_polars(batch), *values)
            yield from _arrow_for_spark(result).to_batches()

    return relation.mapInArrow(apply, spark_schema(schema))


def select_columns(relation: Any, columns: tuple[str, ...] | list[str]) -> Any:
    """Only `columns` of a DuckDB relation or Spark DataFrame, still in the engine."""
    if is_spark(relation):
        return relation.select(*columns)
    return relation.project(", ".join(f'"{c}"' for c in columns))


def with_row_hash(relation: Any, keys: list[str], columns: list[str], name: str) -> Any:
    """`keys` and one 64-bit hash of the `columns` values per row, named `name`, still in
    the engine (DuckDB `hash`, Spark `xxhash64`). The hashes of the two engines differ:
    compare a hash only with one the same engine computed."""
    quoted = ", ".join(f"`{c}`" if is_spark(relation) else f'"{c}"' for c in columns)
    if is_spark(relation):
        return relation.selectExpr(*(f"`{k}`" for k in keys), f"xxhash64({quoted}) as {name}")
    selected = ", ".join(f'"{k}"' for k in keys)
    return relation.project(f"{selected}, hash({quoted}) as {name}")


def semi_join(relation: Any, keys: pl.DataFrame, session: Any) -> Any:
    """The rows of `relation` whose values in `keys`' columns appear in `keys`, in the
    engine (the small key frame is sent to it)."""
    on = list(keys.columns)
    if is_spark(relation):
        return relation.join(to_engine(keys, session), on=on, how="left_semi")
    wanted = session.from_arrow(keys.to_arrow())
    condition = " and ".join(f'l."{c}" = r."{c}"' for c in on)
    return relation.set_alias("l").join(wanted.set_alias("r"), condition, how="semi")
