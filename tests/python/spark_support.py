"""Copy tables into a Spark warehouse laid out as the `spark` target's (profiles.yml).

Run as a script in its own process (one JVM holds the Derby metastore at a time):
    python tests/python/spark_support.py copy DUCKDB_PATH RAW_DIR WAREHOUSE schema.table [...]
    python tests/python/spark_support.py export OUT_DIR WAREHOUSE schema.table [...]
`copy` writes the generated raw tables (RAW_DIR/<table>/*.parquet) as crm.<table> and the
DuckDB tables under their names (RAW_DIR `-`: no raw tables, the project's pre-flight
registers them); `export` writes each Spark table as
OUT_DIR/schema.table.parquet through polars.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import polars as pl


def session_for(warehouse: Path):
    """A SparkSession with the spark target's settings (UTC, Derby beside the warehouse)."""
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


def _write(spark, frame: pl.DataFrame, table: str) -> None:
    from leadscore.engines.frames import to_engine

    spark.sql(f"create database if not exists {table.split('.')[0]}")
    to_engine(frame, spark).write.mode("overwrite").format("parquet").saveAsTable(table)


def copy(duckdb_path: Path, raw: Path, warehouse: Path, tables: list[str]) -> None:
    from leadscore.engines.frames import to_polars

    spark = session_for(warehouse)
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        folders = [] if str(raw) == "-" else sorted(raw.iterdir())
        for folder in (p for p in folders if p.is_dir() and p.name[0] != "_"):
            _write(spark, pl.read_parquet(folder / "*.parquet"), f"crm.{folder.name}")
        for table in tables:
            _write(spark, to_polars(con.sql(f"select * from {table}")), table)
    finally:
        con.close()
        spark.stop()


def export(out: Path, warehouse: Path, tables: list[str]) -> None:
    from leadscore.engines.frames import to_polars

    spark = session_for(warehouse)
    try:
        for table in tables:
            to_polars(spark.table(table)).write_parquet(out / f"{table}.parquet")
    finally:
        spark.stop()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "copy":
        copy(Path(args[0]), Path(args[1]), Path(args[2]), args[3:])
    else:
        export(Path(args[0]), Path(args[1]), args[2:])
