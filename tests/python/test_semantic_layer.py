"""The MetricFlow semantic layer (models/semantic/): dbt parse accepts it, MetricFlow
validates it against the built warehouse, and its metrics equal the marts."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT

MF = Path(sys.executable).with_name("mf")
METRICS = {
    "open_leads",
    "hot_lead_count",
    "holdout_conversion_rate",
    "hot_tier_lift",
    "hot_warm_share_of_conversions",
    "holdout_auc",
    "max_feature_psi",
    "score_psi",
    "model_alerts",
    "stage_conversion_rate",
}


@pytest.fixture(scope="module")
def mf_project(built_db, tmp_path_factory):
    """The project seen from a scratch folder (mf reads <project>/target), parsed, on a
    copy of the built database (with the time spine, as `dbt build` made it)."""
    root = tmp_path_factory.mktemp("mf")
    for name in (
        "dbt_project.yml",
        "profiles.yml",
        "selectors.yml",
        "models",
        "macros",
        "seeds",
        "snapshots",
        "tests",
    ):
        (root / name).symlink_to(PROJECT / name)
    db = root / "warehouse.duckdb"
    shutil.copy(built_db, db)
    env = {
        **os.environ,
        "DUCKDB_PATH": str(db),
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(PROJECT),
    }
    dbt = Path(sys.executable).with_name("dbt")
    parse = subprocess.run(
        [str(dbt), "parse", "--log-path", str(root / "logs")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert parse.returncode == 0, parse.stdout[-4000:]
    return root, env, db


def test_semantic_manifest_has_models_metrics_and_a_time_spine(mf_project):
    root, _, _ = mf_project
    manifest = json.loads((root / "target" / "semantic_manifest.json").read_text())
    metrics = {m["name"]: m for m in manifest["metrics"]}
    assert set(metrics) >= METRICS, METRICS - set(metrics)
    models = {m["name"]: m for m in manifest["semantic_models"]}
    assert {"lead_scores", "tier_performance", "model_health", "funnel_conversion"} <= set(models)
    for model in models.values():
        assert model["entities"] and model["dimensions"] and model["measures"], model["name"]
    spines = manifest["project_configuration"]["time_spines"]
    assert [s["primary_column"]["name"] for s in spines] == ["date_day"]


@pytest.mark.skipif(not MF.exists(), reason="dbt-metricflow not installed (make install does)")
def test_metricflow_validates_the_configs_against_the_warehouse(mf_project):
    root, env, _ = mf_project
    result = subprocess.run(
        [str(MF), "validate-configs"], cwd=root, env=env, capture_output=True, text=True
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert "Successfully validated metrics against data warehouse" in out, out[-4000:]
    assert "ERRORS: 0" in out and "✖" not in out, out[-4000:]


@pytest.mark.skipif(not MF.exists(), reason="dbt-metricflow not installed (make install does)")
def test_metrics_equal_the_marts(mf_project):
    root, env, db = mf_project
    out = root / "metrics.csv"
    query = [
        "query",
        "--metrics",
        "open_leads,hot_lead_count,hot_warm_share_of_conversions,"
        "hot_tier_lift,holdout_conversion_rate,holdout_auc",
        "--csv",
        str(out),
    ]
    result = subprocess.run([str(MF), *query], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    row = next(csv.DictReader(out.open()))
    con = duckdb.connect(str(db), read_only=True)
    try:
        hot, open_ = con.execute(
            "select count(*) filter (tier = 'hot'), count(*) filter (status = 'scored') "
            "from marts.lead_scores"
        ).fetchone()
        share, lift, rate = con.execute(
            "select sum(share_of_conversions) filter (tier_rank <= 2), "
            "max(lift) filter (tier = 'hot'), sum(conversions) / sum(leads) "
            "from marts.tier_performance"
        ).fetchone()
        auc = con.execute(
            "select current_holdout_auc from marts.model_health order by built_at desc limit 1"
        ).fetchone()[0]
    finally:
        con.close()
    assert int(row["hot_lead_count"]) == hot and int(row["open_leads"]) == open_
    assert float(row["hot_warm_share_of_conversions"]) == pytest.approx(share)
    # no holdout lead in the hot tier (a small world): the metric is empty, not 0
    if lift is None:
        assert row["hot_tier_lift"] == ""
    else:
        assert float(row["hot_tier_lift"]) == pytest.approx(lift)
    assert float(row["holdout_conversion_rate"]) == pytest.approx(float(rate))
    assert float(row["holdout_auc"]) == pytest.approx(auc)
