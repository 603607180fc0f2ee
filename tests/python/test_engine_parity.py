"""The engine comparison (leadscore.engines.parity) on polars frames, and one round trip
DuckDB -> Spark -> polars (that one starts a JVM: marked `build`)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from leadscore.engines import parity
from leadscore.engines.parity import compare_frames


def _scores() -> pl.DataFrame:
    # shaped after marts.lead_scores: a key, a timestamp, a decimal-ish score, a tier
    return pl.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4"],
            "scored_at": [dt.datetime(2026, 1, 2, 3, 4, 5)] * 4,
            "score": [0.91, 0.5, 0.123456789, None],
            "n_events": [12, 3, 0, 7],
            "is_hot": [True, False, False, None],
            "tier": ["hot", "warm", "cold", "cold"],
        }
    )


def test_equal_up_to_tolerance_and_types_pass():
    left = _scores()
    right = (
        _scores()
        .with_columns(
            # Spark: decimal scores, bigint counts, UTC-aware timestamps, upper-case names
            pl.col("score").map_elements(
                lambda v: Decimal(str(round(v * (1 + 5e-7), 12))), return_dtype=pl.Decimal(20, 12)
            ),
            pl.col("n_events").cast(pl.Int64),
            pl.col("scored_at").dt.replace_time_zone("UTC").dt.cast_time_unit("ns"),
        )
        .rename({"tier": "TIER"})
    )
    result = compare_frames("lead_scores", left, right)
    assert result.equal, result.line()
    assert 0 < result.max_abs_diff < 1e-6


def test_a_changed_value_is_reported_with_its_column_and_values():
    right = _scores().with_columns(
        pl.when(pl.col("lead_id") == "L2").then(0.5001).otherwise(pl.col("score")).alias("score")
    )
    result = compare_frames("lead_scores", _scores(), right)
    assert not result.equal
    assert result.differing_columns == ["score"]
    assert "column score: 1 of 4 rows differ (first: duckdb 0.5, spark 0.5001)" in result.reasons
    assert result.max_abs_diff == pytest.approx(1e-4)
    assert any("'lead_id': 'L2'" in e for e in result.examples)


def test_a_missing_row_is_reported_with_the_row():
    right = _scores().filter(pl.col("lead_id") != "L3")
    result = compare_frames("lead_scores", _scores(), right)
    assert not result.equal
    assert result.reasons == ["row count: duckdb 4, spark 3"]
    assert result.examples[0] == "1 row(s) only on duckdb, e.g.:"
    assert "'lead_id': 'L3'" in result.examples[1]


def test_a_duplicated_row_is_not_hidden_by_the_sort():
    right = pl.concat([_scores(), _scores().head(1)])
    result = compare_frames("lead_scores", _scores(), right)
    assert result.reasons == ["row count: duckdb 4, spark 5"]
    assert "1 row(s) only on spark, e.g.:" in result.examples


def test_null_versus_value_differs():
    right = _scores().with_columns(pl.col("is_hot").fill_null(False))
    result = compare_frames("lead_scores", _scores(), right)
    assert result.differing_columns == ["is_hot"]
    assert result.reasons == ["column is_hot: 1 of 4 rows differ (first: duckdb None, spark False)"]
    # and a numeric NULL is not 0 either
    right = _scores().with_columns(pl.col("score").fill_null(0.0))
    assert compare_frames("lead_scores", _scores(), right).differing_columns == ["score"]


def test_a_missing_or_extra_column_is_reported():
    result = compare_frames("lead_scores", _scores(), _scores().drop("tier"))
    assert result.missing_columns == ["tier"]
    assert result.reasons == ["columns missing on spark: tier"]
    result = compare_frames("lead_scores", _scores(), _scores().with_columns(x=pl.lit(1)))
    assert result.reasons == ["columns only on spark: x"]


def test_row_order_does_not_matter():
    right = _scores().reverse()
    result = compare_frames("lead_scores", _scores(), right)
    assert result.equal, result.line()


def test_row_order_with_floats_equal_within_tolerance():
    # the engines' sums differ in the last bits; the sort key rounds floats, so such noise
    # in the first sort column does not pair a row with the wrong partner
    left = pl.DataFrame({"x": [0.3 + 1e-12, 0.3], "y": [2.0, 1.0]})
    right = pl.DataFrame({"x": [0.3, 0.3 + 1e-12], "y": [2.0, 1.0]})
    assert compare_frames("m", left, right).equal
    right = pl.DataFrame({"x": [0.3, 0.3 + 1e-12], "y": [2.0, 1.5]})
    assert compare_frames("m", left, right).differing_columns == ["y"]


def test_lists_of_numbers_are_compared_per_position_within_tolerance():
    # shaped after int_lead_rules_scores.behaviour_sums: a list of doubles per row, which
    # each engine sums in its own order (Spark: array<double>, DuckDB: DOUBLE[])
    left = pl.DataFrame({"lead_id": ["L1", "L2"], "sums": [[1.0, 0.1 + 0.2], [0.0, 2.5]]})
    near = left.with_columns(pl.Series("sums", [[1.0, 0.3], [0.0, 2.5 * (1 + 1e-12)]]))
    result = compare_frames("int_lead_rules_scores", left, near)
    assert result.equal, result.line()
    off = left.with_columns(pl.Series("sums", [[1.0, 0.3], [0.0, 2.6]]))
    result = compare_frames("int_lead_rules_scores", left, off)
    assert result.differing_columns == ["sums[2]"]
    shorter = left.with_columns(pl.Series("sums", [[1.0], [0.0]]))
    result = compare_frames("int_lead_rules_scores", left, shorter)
    assert result.missing_columns == ["sums[2]"]


def test_excluded_columns_are_not_compared_and_listed():
    right = _scores().with_columns(pl.col("scored_at") + dt.timedelta(hours=1))
    assert compare_frames("lead_scores", _scores(), right).differing_columns == ["scored_at"]
    result = compare_frames("lead_scores", _scores(), right, exclude=("scored_at",))
    assert result.equal and result.excluded == ["scored_at"]


def test_relations_from_the_manifest(tmp_path):
    # the shape of dbt's manifest.json (spark target): a model in a layer schema, a model
    # without a custom schema, a seed, a snapshot; depends_on names parents by unique id
    nodes = {
        "model.leadscore.stg_crm__leads": {
            "name": "stg_crm__leads",
            "resource_type": "model",
            "schema": "staging",
            "alias": "stg_crm__leads",
            "config": {"schema": "staging", "materialized": "table"},
            "depends_on": {"nodes": ["source.leadscore.crm.leads"]},
        },
        "model.leadscore.metricflow_time_spine": {
            "name": "metricflow_time_spine",
            "resource_type": "model",
            "schema": "leadscore",
            "alias": "metricflow_time_spine",
            "config": {"schema": None, "materialized": "table"},
            "depends_on": {"nodes": []},
        },
        "seed.leadscore.job_title_rules": {
            "name": "job_title_rules",
            "resource_type": "seed",
            "schema": "config",
            "alias": "job_title_rules",
            "config": {"schema": "config", "materialized": "seed"},
        },
        "snapshot.leadscore.lead_tier_history": {
            "name": "lead_tier_history",
            "resource_type": "snapshot",
            "schema": "marts",
            "alias": "lead_tier_history",
            "config": {"schema": "marts", "materialized": "snapshot"},
        },
    }
    sources = {"source.leadscore.crm.leads": {"name": "leads"}}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": nodes, "sources": sources}))
    rel = parity.load_relations(manifest)
    assert rel["stg_crm__leads"].spark_name == "`staging`.`stg_crm__leads`"
    assert rel["stg_crm__leads"].duckdb_name == '"staging"."stg_crm__leads"'
    assert rel["stg_crm__leads"].parents == ("leads",)
    assert rel["metricflow_time_spine"].duckdb_schema == "main"
    assert rel["metricflow_time_spine"].spark_schema == "leadscore"
    assert parity.comparable_models(rel) == ["metricflow_time_spine", "stg_crm__leads"]


@pytest.mark.build
@pytest.mark.skipif(shutil.which("java") is None, reason="no Java runtime (make java)")
def test_copy_a_duckdb_table_into_spark_and_read_it_back(tmp_path, monkeypatch):
    """A JVM: copy a DuckDB table (types of the marts: varchar, double, decimal, bigint,
    timestamp, date, boolean, NULLs, no rows) into a fresh warehouse and read it back."""
    monkeypatch.setenv("SPARK_WAREHOUSE", str(tmp_path / "spark" / "warehouse"))
    monkeypatch.chdir(tmp_path)  # Derby writes derby.log into the working directory
    db = tmp_path / "t.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    con.execute(
        """create table marts.lead_scores as
        select * from (values
          ('L1', 0.91::double, 12.5::decimal(18,3), 12::bigint,
           timestamp '2026-01-02 03:04:05.123456', date '2026-01-02', true),
          ('L2', null, null, null, null, null, null),
          ('L\\b3', 1e-300, -1.000::decimal(18,3), -7,
           timestamp '1970-01-01', date '1999-12-31', false)
        ) t(lead_id, score, amount, n, scored_at, scored_on, is_hot)"""
    )
    con.execute("create table marts.empty as select * from marts.lead_scores where false")
    con.close()
    rel = parity.Relation("lead_scores", "model", "marts", "marts", "lead_scores")
    empty = parity.Relation("empty", "model", "marts", "marts", "empty")
    spark = parity.spark_session()
    try:
        for r in (rel, empty):
            parity.write_spark(spark, r, parity.read_duckdb(db, r))
        back = parity.read_spark(spark, rel)
        result = compare_frames("lead_scores", parity.read_duckdb(db, rel), back)
        assert result.equal, result.line()
        assert back.height == 3 and "L\\b3" in back["lead_id"].to_list()
        back_empty = parity.read_spark(spark, empty)
        assert back_empty.height == 0 and back_empty.columns == back.columns
    finally:
        spark.stop()
