"""The benchmark's pandas peer computes the same features as the product (bench/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import peer_pandas  # noqa: E402
from phases import PHASES, phase_of  # noqa: E402

COMPARED = ["page_view_30d", "email_open_90d", "pricing_views_30d", "events_7d"]


def test_peer_features_match_the_product_on_the_same_examples(built_db, small_raw):
    con = duckdb.connect(str(built_db), read_only=True)
    product = con.sql(
        f"select lead_id, as_of, snapshot_role, label, {', '.join(COMPARED)} "
        "from ml.ml_training_examples where snapshot_role in ('train', 'holdout')"
    ).pl()
    con.close()
    peer = pl.from_pandas(
        peer_pandas.features(
            product.select("lead_id", "as_of", "snapshot_role", "label").to_pandas(),
            small_raw,
            chunk_leads=1000,
        )
    )
    assert peer.height == product.height
    joined = product.join(peer, on=["lead_id", "as_of"], suffix="_peer")
    assert joined.height == product.height
    for col in COMPARED:
        same = joined[col].cast(pl.Int64) == joined[f"{col}_peer"].fill_null(0).cast(pl.Int64)
        # the peer does not merge duplicate records nor quarantine events: a few differ
        assert same.mean() > 0.95, col
        assert joined[col].sum() > 0


def test_every_dbt_node_kind_falls_in_a_benchmark_phase():
    cases = {
        ("model", "stg_crm__events", "models/staging/crm/stg_crm__events.sql"): "staging + seeds",
        ("seed", "score_tiers", "seeds/score_tiers.csv"): "staging + seeds",
        ("model", "int_events_cleaned", "models/intermediate/x.sql"): "cleaning",
        ("model", "int_lead_engagement_windows", "models/intermediate/x.sql"): "features",
        ("model", "ml_training_examples", "models/ml/x.sql"): "training examples",
        ("model", "ml_model_registry", "models/ml/x.py"): "training",
        ("model", "ml_lead_predictions", "models/ml/x.py"): "scoring",
        ("model", "lead_scores", "models/marts/lead_scores.sql"): "marts",
        ("snapshot", "lead_scores_snapshot", "snapshots/x.yml"): "marts",
        ("test", "unique_x", "models/marts/_m.yml"): "data tests",
    }
    for (kind, name, path), phase in cases.items():
        node = {"resource_type": kind, "name": name, "original_file_path": path}
        assert phase_of(node) == phase, name
    assert set(cases.values()) <= set(PHASES)


def test_peer_trains_and_reports_its_holdout_auc(built_db, small_raw, tmp_path):
    out = tmp_path / "peer.json"
    cmd = [sys.executable, str(BENCH / "peer_pandas.py"), "--raw", str(small_raw)]
    cmd += ["--db", str(built_db), "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    result = json.loads(out.read_text())
    con = duckdb.connect(str(built_db), read_only=True)
    holdout = con.sql(
        "select count(*) from ml.ml_training_examples where snapshot_role = 'holdout'"
    ).fetchall()[0][0]
    con.close()
    # judged on exactly the product's holdout rows, and it learns something
    assert result["holdout_examples"] == holdout
    assert 0.7 < result["holdout_auc"] <= 1.0
    assert result["features"] > 50
