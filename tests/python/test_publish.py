"""BI readers and dbt build together: readers use the published copy, never the
build database, so a reader holding its file open cannot make a build fail."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import run_dbt
from leadscore.publish import publish


def test_a_reader_of_the_build_database_blocks_dbt(built_db, small_raw, tmp_path):
    """The problem being designed around (DuckDB: one writer per file)."""
    db = tmp_path / "build.duckdb"
    shutil.copy(built_db, db)
    reader = duckdb.connect(str(db), read_only=True)
    try:
        with pytest.raises(BaseException, match="lock"):
            run_dbt(["run", "--select", "lead_scores"], db, small_raw, tmp_path)
    finally:
        reader.close()


def test_builds_succeed_while_a_reader_holds_the_bi_copy(built_db, small_raw, tmp_path):
    db = tmp_path / "build.duckdb"
    bi = tmp_path / "bi" / "leadscore_bi.duckdb"
    shutil.copy(built_db, db)
    assert publish(db, bi) >= 10
    reader = duckdb.connect(str(bi), read_only=True)
    try:
        before = reader.sql("select count(*) from marts.lead_scores").fetchall()[0][0]
        # a build and a publish while the BI tool is connected
        run_dbt(["build", "--select", "lead_scores+"], db, small_raw, tmp_path,
                {"hot_capacity_per_week": 5})  # fmt: skip
        publish(db, bi)
        # the open connection still reads its consistent (old) copy
        assert reader.sql("select count(*) from marts.lead_scores").fetchall()[0][0] == before
        old_hot = reader.sql("select count(*) from marts.lead_scores where tier = 'hot'")
        assert old_hot.fetchall()[0][0] != 5
    finally:
        reader.close()
    fresh = duckdb.connect(str(bi), read_only=True)
    try:
        hot = fresh.sql("select count(*) from marts.lead_scores where tier = 'hot'")
        assert hot.fetchall()[0][0] == 5  # the new copy has the new build
        tables = {r[0] for r in fresh.sql("select table_name from information_schema.tables")
                  .fetchall()}  # fmt: skip
        assert {"lead_scores", "crm_lead_sync", "model_performance", "data_quality"} <= tables
    finally:
        fresh.close()
