"""BI readers and dbt build together: readers use the published copy, never the
build database, so a reader holding its file open cannot make a build fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import run_dbt
from leadscore.reporting.publish import publish


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
        run_dbt(
            ["build", "--select", "lead_scores+"],
            db,
            small_raw,
            tmp_path,
            {"hot_capacity_per_week": 5},
        )
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
        tables = {
            r[0] for r in fresh.sql("select table_name from information_schema.tables").fetchall()
        }
        assert {"lead_scores", "crm_lead_sync", "model_performance", "data_quality"} <= tables
    finally:
        fresh.close()


# -- the CLI on a wrong or busy database: one line, non-zero, the good copy kept -------


def _cli(*args: str) -> subprocess.CompletedProcess:
    leadscore = Path(sys.executable).with_name("leadscore")
    return subprocess.run([str(leadscore), *args], capture_output=True, text=True)


def _one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


MARTS = ("crm_lead_sync", "data_quality", "lead_scores", "model_performance")


@pytest.fixture
def marts_db(tmp_path) -> Path:
    """A build database's shape: the marts schema with a few tables (no dbt run needed)."""
    db = tmp_path / "build.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create schema marts")
    for name in MARTS:
        con.execute(f"create table marts.{name} as select 'L1' as lead_id, 42 as score")
    con.close()
    return db


def test_publish_refuses_a_database_without_marts_and_keeps_the_bi_copy(marts_db, tmp_path):
    # a `dbt build` that stopped in the pre-flight leaves a database without marts
    built_db = marts_db
    bi = tmp_path / "bi.duckdb"
    assert publish(built_db, bi) == len(MARTS)
    before = bi.read_bytes()
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = _cli("publish", "--db", str(empty), "--to", str(bi))
    _one_line_error(result, "publish:", "refused", "0 marts", str(bi))
    assert bi.read_bytes() == before
    # fewer marts than the copy holds (a partial build): refused, naming what is missing
    partial = tmp_path / "partial.duckdb"
    shutil.copy(built_db, partial)
    con = duckdb.connect(str(partial))
    con.execute("drop table marts.lead_scores")
    con.close()
    result = _cli("publish", "--db", str(partial), "--to", str(bi))
    _one_line_error(result, "refused", "lead_scores")
    assert bi.read_bytes() == before
    # no database at all
    result = _cli("publish", "--db", str(tmp_path / "nowhere.duckdb"), "--to", str(bi))
    _one_line_error(result, "no database at", "dbt build")


def test_commands_on_a_database_without_marts_say_so_in_one_line(tmp_path):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    for command in (
        ["export-sync", "--out", str(tmp_path / "x")],
        ["summary"],
        ["report", "--out", str(tmp_path / "r.html")],
    ):
        _one_line_error(_cli(*command, "--db", str(empty)), "has no", "dbt build")


def test_commands_on_a_locked_database_say_so_in_one_line(marts_db, tmp_path):
    # a running `dbt build` holds the write lock (here: another process writing)
    db = marts_db
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        for command in (
            ["export-sync", "--out", str(tmp_path / "x")],
            ["summary"],
            ["publish", "--to", str(tmp_path / "bi.duckdb")],
        ):
            _one_line_error(_cli(*command, "--db", str(db)), "in use by another process")
    finally:
        holder.kill()
        holder.wait()


def test_publish_still_replaces_a_copy_a_bi_tool_holds_open_for_writing(marts_db, tmp_path):
    """DBeaver and others open DuckDB files read-write by default: the refusal check
    must not need to open the copy (it reads the listing of the last publish)."""
    bi = tmp_path / "bi.duckdb"
    assert publish(marts_db, bi) == len(MARTS)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('open', flush=True); time.sleep(60)",
            str(bi),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        assert publish(marts_db, bi) == len(MARTS)
        partial = tmp_path / "partial.duckdb"
        shutil.copy(marts_db, partial)
        con = duckdb.connect(str(partial))
        con.execute("drop table marts.lead_scores")
        con.close()
        _one_line_error(_cli("publish", "--db", str(partial), "--to", str(bi)), "refused")
    finally:
        holder.kill()
        holder.wait()


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
    rows = con.execute(
        f"select count(*), count(*) filter (tier = 'hot') from '{out / 'lead_scores.parquet'}'"
    ).fetchone()
    assert rows == (500, 150)
    assert con.execute(f"select rate from '{out / 'tier_performance.parquet'}'").fetchone()[
        0
    ] == Decimal("0.839")
