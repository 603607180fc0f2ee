"""Copy DuckDB tables into a Spark warehouse laid out as the `spark` target's (profiles.yml).

Run as a script in its own process (one JVM holds the Derby metastore at a time):
    python tests/python/spark_support.py copy DUCKDB_PATH WAREHOUSE schema.table [...]
    python tests/python/spark_support.py export OUT_DIR WAREHOUSE schema.table [...]
    python tests/python/spark_support.py copy-raw RAW_DIR WAREHOUSE [table ...]
(export writes each Spark table as OUT_DIR/schema.table.parquet through polars)
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def session_for(warehouse: Path):
    """A SparkSession with the spark target's settings (local[1], UTC, Derby beside)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.enableHiveSupport()
        .master("local[1]")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={warehouse}/../metastore_db;create=true",
        )
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )


def copy_tables(duckdb_path: Path, warehouse: Path, tables: list[str]) -> None:
    from leadscore.engines.frames import to_engine, to_polars

    spark = session_for(warehouse)
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        for table in tables:
            schema = table.split(".")[0]
            spark.sql(f"create database if not exists {schema}")
            frame = to_polars(con.sql(f"select * from {table}"))
            to_engine(frame, spark).write.mode("overwrite").format("parquet").saveAsTable(table)
    finally:
        con.close()
        spark.stop()


def copy_raw(raw: Path, warehouse: Path, tables: list[str]) -> None:
    """The generated raw parquet tables (RAW/<table>/*.parquet) as crm.<table>."""
    import polars as pl

    from leadscore.engines.frames import to_engine

    spark = session_for(warehouse)
    try:
        spark.sql("create database if not exists crm")
        for table in tables or sorted(
            p.name for p in raw.iterdir() if p.is_dir() and p.name[0] != "_"
        ):
            frame = pl.read_parquet(raw / table / "*.parquet")
            to_engine(frame, spark).write.mode("overwrite").format("parquet").saveAsTable(
                f"crm.{table}"
            )
    finally:
        spark.stop()


def export_tables(out: Path, warehouse: Path, tables: list[str]) -> None:
    from leadscore.engines.frames import to_polars

    spark = session_for(warehouse)
    try:
        for table in tables:
            to_polars(spark.table(table)).write_parquet(out / f"{table}.parquet")
    finally:
        spark.stop()


if __name__ == "__main__":
    command, path, warehouse, *names = sys.argv[1:]
    action = {"copy": copy_tables, "export": export_tables, "copy-raw": copy_raw}[command]
    action(Path(path), Path(warehouse), names)
