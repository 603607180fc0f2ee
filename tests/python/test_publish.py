"""BI readers and dbt build together: readers use the published copy, never the
build database, so a reader holding its file open cannot make a build fail."""

from __future__ import annotations

import shutil
from decimal import Decimal

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


def _marts_db(path):
    """A small build database: two marts tables and one table outside the marts."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema ml")
    con.execute(
        "create table marts.lead_scores as select 'L' || i as lead_id, i % 100 as score, "
        "case when i % 100 >= 70 then 'hot' else 'cold' end as tier from range(500) t(i)"
    )
    con.execute("create table marts.tier_performance as select 'hot' as tier, 0.839 as rate")
    con.execute("create table ml.ml_holdout_predictions as select 1 as x")
    con.close()
    return path


def _storage_version(path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "select tags['storage_version'] from duckdb_databases() "
            "where database_name = current_database()"
        ).fetchone()[0]
    finally:
        con.close()


def test_bi_copy_is_written_in_a_storage_version_older_readers_open(tmp_path):
    """DuckDB 2.0 writes new files in its 2.0 format, which DuckDB 1.x drivers (the
    Metabase and Evidence drivers, older duckdb-engine installs) refuse to open."""
    db = _marts_db(tmp_path / "build.duckdb")
    assert _storage_version(db) == "v2.0.0+"  # the build database: the new format
    bi = tmp_path / "bi.duckdb"
    publish(db, bi)
    assert _storage_version(bi) == "v1.0.0+"
    publish(db, bi, storage_version="v1.2.0")
    assert _storage_version(bi) == "v1.2.0+"
    with pytest.raises(ValueError, match=r"storage version 'v0\.1'"):
        publish(db, bi, storage_version="v0.1")
    assert _storage_version(bi) == "v1.2.0+"  # a failed publish leaves the copy alone


def test_publish_writes_parquet_files_of_the_marts(tmp_path):
    db = _marts_db(tmp_path / "build.duckdb")
    out = tmp_path / "parquet"
    assert publish(db, tmp_path / "bi.duckdb", parquet=out) == 2
    assert sorted(p.name for p in out.iterdir()) == [
        "lead_scores.parquet",
        "tier_performance.parquet",
    ]
    con = duckdb.connect()
    rows = con.execute(f"select count(*), count(*) filter (tier = 'hot') "
                   f"from '{out / 'lead_scores.parquet'}'").fetchone()  # fmt: skip
    assert rows == (500, 150)
    assert con.execute(f"select rate from '{out / 'tier_performance.parquet'}'").fetchone()[
        0
    ] == Decimal("0.839")
