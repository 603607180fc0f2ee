"""The marts, their contracts, the data tests and the snapshot on the Spark target.

Parse-level (`dbt parse --target spark`, no JVM, no build): what a Spark build of the
marts tripped over in a trial on Spark 4.3 (dbt-spark 1.11, session method, parquet
tables) is checked on the parsed project, so it fails without a Spark session:
- contract data types a Spark table cannot have (bare varchar: Spark wants a length;
  hugeint: DuckDB's sum(integer) type, unknown to Spark);
- SQL in the marts, the semantic models and the data tests that only DuckDB reads
  (bare varchar casts, information_schema, the range() table function, :: casts);
- the snapshot: dbt snapshots MERGE into their table, which parquet tables on OSS
  Spark cannot do: off on Spark (unless var spark_snapshots), and nothing that is built
  on Spark may depend on it.
The DuckDB parse keeps the snapshot and score_history reading it.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import run_dbt

# the types a contract may name: both adapters read them (DuckDB: VARCHAR for string)
PORTABLE_TYPES = {"string", "bigint", "integer", "double", "boolean", "timestamp", "date"}
# SQL only DuckDB reads, as found in the project's marts and tests before they were
# made portable; a bare `varchar` is one not followed by a length
DUCKDB_ONLY_SQL = {
    "bare varchar": re.compile(r"\bvarchar\b(?!\s*\()", re.IGNORECASE),
    "hugeint": re.compile(r"\bhugeint\b", re.IGNORECASE),
    "information_schema": re.compile(r"\binformation_schema\b", re.IGNORECASE),
    "range() table function": re.compile(r"\bfrom\s+range\s*\(", re.IGNORECASE),
    ":: cast": re.compile(r"::"),
}


def _parse(tmp_path_factory, name: str, target: str, extra_vars: dict | None = None) -> dict:
    tmp = tmp_path_factory.mktemp(name)
    run_dbt(["parse", "--target", target], tmp / "db.duckdb", tmp / "raw", tmp, extra_vars)
    return json.loads((tmp / "target" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def spark_manifest(tmp_path_factory) -> dict:
    return _parse(tmp_path_factory, "parse_spark", "spark")


@pytest.fixture(scope="module")
def duckdb_manifest(tmp_path_factory) -> dict:
    return _parse(tmp_path_factory, "parse_duckdb", "dev")


def _marts_and_tests(manifest: dict) -> list[dict]:
    """The marts, the semantic models' SQL and the singular / generic data tests."""
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["package_name"] == "leadscore"
        and (
            (node["resource_type"] == "model" and node["schema"].endswith("marts"))
            or (node["resource_type"] == "test" and "original_file_path" in node)
        )
    ]
    macros = [
        macro
        for macro in manifest["macros"].values()
        if macro["package_name"] == "leadscore" and macro["original_file_path"].startswith("tests/")
    ]
    return nodes + macros


def test_mart_contracts_name_types_both_engines_have(spark_manifest):
    wrong = {
        f"{node['name']}.{column['name']}": column["data_type"]
        for node in spark_manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["contract"]["enforced"]
        for column in node["columns"].values()
        if (column.get("data_type") or "").lower() not in PORTABLE_TYPES
    }
    assert not wrong, f"contract data types Spark or DuckDB cannot read: {wrong}"


def test_marts_and_data_tests_use_no_duckdb_only_sql(spark_manifest):
    found = {}
    for node in _marts_and_tests(spark_manifest):
        code = node.get("raw_code") or node.get("macro_sql") or ""
        code = re.sub(r"\{#.*?#\}", "", code, flags=re.S)
        code = re.sub(r"--[^\n]*", "", code)
        for problem, pattern in DUCKDB_ONLY_SQL.items():
            if pattern.search(code):
                found.setdefault(problem, []).append(node["original_file_path"])
    assert not found, f"DuckDB-only SQL in marts / data tests: {found}"


def _snapshot_nodes(manifest: dict, enabled: bool = True) -> list[str]:
    if enabled:
        pool = manifest["nodes"].values()
    else:
        pool = (node for versions in manifest["disabled"].values() for node in versions)
    return [n["unique_id"] for n in pool if n["resource_type"] == "snapshot"]


def test_snapshot_is_off_on_spark_and_nothing_depends_on_it(spark_manifest):
    assert _snapshot_nodes(spark_manifest) == []
    disabled = _snapshot_nodes(spark_manifest, enabled=False)
    assert "snapshot.leadscore.lead_scores_snapshot" in disabled
    dependants = [
        node["unique_id"]
        for node in spark_manifest["nodes"].values()
        if "snapshot.leadscore.lead_scores_snapshot" in node.get("depends_on", {}).get("nodes", [])
    ]
    assert dependants == []
    history = spark_manifest["nodes"]["model.leadscore.score_history"]
    assert history["depends_on"]["nodes"] == ["model.leadscore.lead_scores"]


def test_snapshot_stays_on_duckdb(duckdb_manifest):
    assert _snapshot_nodes(duckdb_manifest) == ["snapshot.leadscore.lead_scores_snapshot"]
    history = duckdb_manifest["nodes"]["model.leadscore.score_history"]
    assert history["depends_on"]["nodes"] == ["snapshot.leadscore.lead_scores_snapshot"]


def test_spark_snapshots_var_turns_the_snapshot_on(tmp_path_factory):
    manifest = _parse(tmp_path_factory, "parse_spark_delta", "spark", {"spark_snapshots": True})
    assert _snapshot_nodes(manifest) == ["snapshot.leadscore.lead_scores_snapshot"]
    history = manifest["nodes"]["model.leadscore.score_history"]
    assert history["depends_on"]["nodes"] == ["snapshot.leadscore.lead_scores_snapshot"]
