"""`leadscore summary` for a build on the Spark target.

The summary reads a DuckDB database; after a Spark build this copies the tables it
reads from the Spark warehouse (the `spark` target's: SPARK_WAREHOUSE, its Derby
metastore beside it) into a DuckDB file through polars, then prints the same summary:

    python -m leadscore.engines.spark_summary --raw data/raw --db data/spark/summary.duckdb
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from leadscore.engines.frames import to_polars

# every table leadscore.reporting.summary reads
SUMMARY_TABLES = (
    "staging.stg_crm__leads",
    "intermediate.int_leads_deduplicated",
    "intermediate.int_events_cleaned",
    "intermediate.int_events_quarantined",
    "intermediate.int_leads_quarantined",
    "ml.ml_training_examples",
    "ml.ml_model_registry",
    "marts.lead_scores",
    "marts.data_quality",
)


def copy_to_duckdb(spark, db: Path, tables=SUMMARY_TABLES) -> None:
    """The Spark tables as tables of the same names in a fresh DuckDB file `db`."""
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        for table in tables:
            schema, name = table.split(".")
            if not spark.catalog.tableExists(table):
                raise SystemExit(f"spark summary: {table} does not exist: build on Spark first")
            frame = to_polars(spark.table(table))  # noqa: F841 (read by DuckDB below)
            con.sql(f"create schema if not exists {schema}")
            con.sql(f"create table {schema}.{name} as select * from frame")
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    from leadscore.reporting.summary import print_summary

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", help="the raw data directory (for the oracle AUC)")
    parser.add_argument("--db", default="data/spark/summary.duckdb", help="DuckDB file to write")
    args = parser.parse_args(argv)
    from leadscore.engines.parity import spark_session

    spark = spark_session()
    try:
        copy_to_duckdb(spark, Path(args.db))
    finally:
        spark.stop()
    return print_summary(Path(args.db), Path(args.raw) if args.raw else None)


if __name__ == "__main__":
    raise SystemExit(main())
