"""leadscore.engines.frames: DuckDB relation / Spark DataFrame <-> polars, both ways.

The frames are shaped after the Python models' real inputs and outputs: the registry
(text, bigint, double, boolean, timestamp, binary model blob, nulls), the scoring
examples (zoned timestamps from Spark, decimals from SQL sums) and empty frames (cold
start: no champion, no holdout).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from leadscore.engines import frames

REGISTRY_LIKE = pl.DataFrame(
    {
        "model_id": ["m1", None],
        "trained_at": [datetime(2026, 3, 1, 12, 30, 5, 123456), None],
        "train_examples": [1200, None],
        "holdout_auc": [0.8125, None],
        "calibration_applied": [True, None],
        "model_blob": [b"\x00\x01cbm\xff", None],
        "rank32": pl.Series([1, None], dtype=pl.Int32),
        "as_date": [datetime(2026, 3, 1).date(), None],
    },
    schema_overrides={"train_examples": pl.Int64},
)


def test_duckdb_relation_reads_as_polars_with_types_and_nulls():
    con = duckdb.connect()
    con.register("registry_like", REGISTRY_LIKE.to_arrow())
    got = frames.to_polars(con.sql("select * from registry_like"))
    assert got.schema == REGISTRY_LIKE.schema
    assert got.equals(REGISTRY_LIKE)
    assert frames.query(con, "select count(*) as n from registry_like").item() == 2


def test_duckdb_materialises_the_polars_frame_itself():
    con = duckdb.connect()
    assert frames.to_engine(REGISTRY_LIKE, con) is REGISTRY_LIKE


def test_duckdb_catalog_questions():
    con = duckdb.connect()
    con.sql("create schema marts; create table marts.model_health (retrain_alert boolean)")
    assert frames.table_exists(con, "marts", "model_health")
    assert not frames.table_exists(con, "marts", "nope")
    assert frames.table_columns(con, "marts", "model_health") == {"retrain_alert"}
    assert frames.table_columns(con, "marts", "nope") == set()


HASHED = pl.DataFrame(
    {
        "lead_id": ["L1", "L2", "L3", "L4", "L5"],
        # a feature name that needs quoting
        "visits 7d": [1.5, 1.5, 1.5, 1.5, None],
        "channel": ["web", "web", "ads", None, "web"],
    }
)


def _check_row_hashes(hashed: pl.DataFrame) -> None:
    assert hashed.columns == ["lead_id", "features_hash"]
    h = dict(zip(hashed["lead_id"], hashed["features_hash"], strict=True))
    assert h["L1"] == h["L2"]  # the same values under another key
    assert len({h["L1"], h["L3"], h["L4"], h["L5"]}) == 4  # a changed value; a null


def test_duckdb_row_hash_covers_the_values_not_the_keys():
    con = duckdb.connect()
    con.register("hashed", HASHED.to_arrow())
    relation = con.table("hashed")
    hashed = frames.with_row_hash(relation, ["lead_id"], ["visits 7d", "channel"], "features_hash")
    _check_row_hashes(frames.to_polars(hashed).sort("lead_id"))


def test_zoned_arrow_timestamps_become_naive_utc():
    # Spark's toArrow() gives timestamp[us, tz=<session time zone>]
    zoned = pl.DataFrame({"as_of": [datetime(2026, 3, 1, 14, 0)]}).with_columns(
        pl.col("as_of").dt.replace_time_zone("Europe/Berlin")
    )  # 14:00 in Berlin is 13:00 UTC
    got = frames.arrow_to_polars(zoned.to_arrow())
    assert got.schema["as_of"] == pl.Datetime("us")
    assert got["as_of"][0] == datetime(2026, 3, 1, 13, 0)


def test_unmappable_type_names_the_column():
    with pytest.raises(TypeError, match=r"'reasons'.*List"):
        frames.spark_schema({"lead_id": pl.String, "reasons": pl.List(pl.String)})


def test_map_batches_on_duckdb_is_one_call_on_the_relation():
    con = duckdb.connect()
    relation = con.sql("select * from range(5) t(x)")
    got = frames.map_batches(relation, con, lambda f, k: f.with_columns(y=pl.col("x") * k), 3)
    assert got["y"].to_list() == [0, 3, 6, 9, 12]


# -- Spark: one local session for the module (about 20 s of JVM start) -----------------


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    import os
    import sys

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if shutil.which("java") is None:
        pytest.skip("no java: run `make java`")
    pyspark_sql = pytest.importorskip("pyspark.sql")
    warehouse = tmp_path_factory.mktemp("spark")
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_round_trip_keeps_types_values_and_nulls(spark):
    df = frames.to_engine(REGISTRY_LIKE, spark)
    types = {f.name: f.dataType.simpleString() for f in df.schema.fields}
    assert types == {
        "model_id": "string",
        "trained_at": "timestamp",
        "train_examples": "bigint",
        "holdout_auc": "double",
        "calibration_applied": "boolean",
        "model_blob": "binary",
        "rank32": "int",
        "as_date": "date",
    }
    back = frames.to_polars(df)
    assert back.schema == REGISTRY_LIKE.schema
    assert back.equals(REGISTRY_LIKE)
    # the wall clock is stored as UTC, as DuckDB's timestamp holds it
    assert spark.sql("select 1").count() == 1
    hour = df.selectExpr("hour(trained_at) as h").collect()[0]["h"]
    assert hour == 12


def test_spark_empty_frame_keeps_its_schema(spark):
    empty = REGISTRY_LIKE.clear()
    df = frames.to_engine(empty, spark)
    assert df.count() == 0
    back = frames.to_polars(df)
    assert back.schema == empty.schema and back.height == 0


def test_spark_decimals_and_sql_reads(spark):
    spark.sql("create database if not exists marts")
    spark.sql(
        "create or replace temporary view v as "
        "select cast(12.50 as decimal(10,2)) as amount, cast(null as string) as note"
    )
    got = frames.query(spark, "select * from v")
    assert got.schema == pl.Schema({"amount": pl.Decimal(10, 2), "note": pl.String})
    assert got.row(0) == (Decimal("12.50"), None)
    frames.to_engine(pl.DataFrame({"retrain_alert": [True]}), spark).write.mode(
        "overwrite"
    ).saveAsTable("marts.model_health")
    assert frames.table_exists(spark, "marts", "model_health")
    assert not frames.table_exists(spark, "marts", "nope")
    assert frames.table_columns(spark, "marts", "model_health") == {"retrain_alert"}


def test_spark_map_batches_runs_per_batch_with_broadcast_inputs(spark):
    source = frames.to_engine(
        pl.DataFrame({"lead_id": [f"L{i:03d}" for i in range(300)], "x": list(range(300))}),
        spark,
    ).repartition(3)
    scored_at = datetime(2026, 3, 1, 9, 0)

    def score(frame: pl.DataFrame, factor: float, at: datetime) -> pl.DataFrame:
        return frame.select(
            "lead_id",
            score=pl.col("x").cast(pl.Float64) * factor,
            scored_at=pl.lit(at, dtype=pl.Datetime("us")),
        )

    got = frames.to_polars(frames.map_batches(source, spark, score, 0.5, scored_at))
    assert got.height == 300
    assert got.schema == pl.Schema(
        {"lead_id": pl.String, "score": pl.Float64, "scored_at": pl.Datetime("us")}
    )
    got = got.sort("lead_id")
    assert got["score"].to_list() == [i * 0.5 for i in range(300)]
    assert got["scored_at"].unique().to_list() == [scored_at]


def test_retraining_alerts_read_model_health_through_frames():
    # marts.model_health's alert columns (models/marts/model_health.sql); latest row wins
    from leadscore.core.lifecycle import feedback_alert, latest_alert

    con = duckdb.connect()
    assert latest_alert(con) is False and feedback_alert(con) is None  # no table yet
    con.sql(
        "create schema marts; create table marts.model_health as select * from (values "
        "(timestamp '2026-03-01', false, false, 10, 0.1), "
        "(timestamp '2026-03-08', true, true, 40, 0.45)) "
        "t(built_at, retrain_alert, is_feedback_alert, hot_verdicts, hot_rejection_rate)"
    )
    assert latest_alert(con) is True
    assert feedback_alert(con) == "reps rejected 45% of 40 verdicts on top-tier leads"
    con.sql("insert into marts.model_health values (timestamp '2026-03-15', false, false, 5, 0.0)")
    assert latest_alert(con) is False and feedback_alert(con) is None


def test_spark_row_hash_covers_the_values_not_the_keys(spark):
    relation = frames.to_engine(HASHED, spark)
    hashed = frames.with_row_hash(relation, ["lead_id"], ["visits 7d", "channel"], "features_hash")
    _check_row_hashes(frames.to_polars(hashed).sort("lead_id"))
