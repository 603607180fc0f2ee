"""Point-in-time correctness: rows dated after an example's as_of cannot change it.

The raw export is perturbed after a cut-off T: events, stage changes, opportunities,
leads and rep verdicts (sales_feedback) dated after T are deleted, moved (to other
times after T) or added, and every updated_at is rewritten. The features of every
example with as_of <= T must be identical to those built from the untouched export.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import duckdb
import numpy as np
import polars as pl
import pytest

from conftest import run_dbt
from tests_support import parse_mixed_timestamps

FEATURES = "intermediate.int_lead_features_joined"


def _perturb(table: pl.DataFrame, column: str, cutoff: datetime, rng, add: bool) -> pl.DataFrame:
    ts = parse_mixed_timestamps(table[column])
    after = (ts > cutoff).fill_null(False).to_numpy()
    action = rng.random(table.height)
    keep = ~after | (action < 0.5)
    move = after & (action >= 0.5) & (action < 0.75)
    new_ts = pl.Series(
        [
            (cutoff + timedelta(days=float(d))).strftime("%Y-%m-%d %H:%M:%S")
            for d in rng.uniform(0.01, 200, table.height)
        ]
    )
    out = table.with_columns(
        pl.when(pl.Series(move)).then(new_ts).otherwise(pl.col(column)).alias(column)
    ).filter(pl.Series(keep))
    if add:
        before = table.filter(pl.Series(~after))
        extra = before.sample(n=min(500, before.height), seed=1)
        extra = extra.with_columns(pl.Series(column, new_ts[: extra.height]))
        if "event_id" in extra.columns:
            extra = extra.with_columns(pl.format("NEW{}", pl.int_range(pl.len())).alias("event_id"))
        out = pl.concat([out, extra])
    return out


@pytest.fixture(scope="module")
def perturbed_features(small_raw, built_db, tmp_path_factory):
    con = duckdb.connect(str(built_db), read_only=True)
    dates = con.sql(
        "select as_of from intermediate.int_snapshot_dates "
        "where snapshot_role = 'train' order by as_of"
    ).fetchall()
    score_as_of = con.sql(
        "select as_of from intermediate.int_snapshot_dates where snapshot_role = 'scoring'"
    ).fetchall()[0][0]
    con.close()
    cutoff = dates[len(dates) // 2][0]
    tmp = tmp_path_factory.mktemp("leak")
    raw = tmp / "raw"
    shutil.copytree(small_raw, raw)
    rng = np.random.default_rng(0)
    for table, column, add in (
        ("events", "occurred_at", True),
        ("lifecycle_stage_changes", "changed_at", True),
        ("opportunities", "created_at", False),
        ("leads", "created_at", False),
        ("sales_feedback", "created_at", True),
    ):
        folder = raw / table
        frame = pl.read_parquet(folder / "*.parquet")
        shutil.rmtree(folder)
        folder.mkdir()
        _perturb(frame, column, cutoff, rng, add).write_parquet(folder / "part-00000.parquet")
    leads = pl.read_parquet(raw / "leads" / "*.parquet").with_columns(
        updated_at=pl.lit("2030-01-01 00:00:00")
    )
    leads.write_parquet(raw / "leads" / "part-00000.parquet")
    pinned = {"score_as_of": str(score_as_of)}
    results = {}
    for name, source in (("original", small_raw), ("perturbed", raw)):
        db = tmp / f"{name}.duckdb"
        run_dbt(["build", "--select", "+int_lead_features_joined"], db, source, tmp, pinned)
        c = duckdb.connect(str(db), read_only=True)
        results[name] = c.sql(
            f"select * exclude (snapshot_role) from {FEATURES} "
            f"where as_of <= '{cutoff}' order by lead_id, as_of"
        ).pl()
        c.close()
    return cutoff, results


def test_features_before_the_cutoff_do_not_change(perturbed_features):
    cutoff, results = perturbed_features
    original, perturbed = results["original"], results["perturbed"]
    assert original.height > 500
    assert original["as_of"].max() <= cutoff
    assert original.select("lead_id", "as_of").equals(perturbed.select("lead_id", "as_of"))
    changed = [c for c in original.columns if not original[c].equals(perturbed[c])]
    assert changed == [], f"features that read data after as_of: {changed}"


def test_every_feature_is_exercised(perturbed_features):
    """A feature that never varies would pass the leakage test vacuously."""
    _, results = perturbed_features
    original = results["original"]
    constant = [c for c in original.columns if original[c].n_unique() < 2]
    assert constant == [], f"features constant on the sample (test them on richer data): {constant}"


def test_the_perturbation_did_change_later_data(perturbed_features, small_raw):
    """Guard against a vacuous pass: the perturbed export differs after the cut-off."""
    cutoff, _ = perturbed_features
    events = pl.read_parquet(small_raw / "events" / "*.parquet")
    after = (parse_mixed_timestamps(events["occurred_at"]) > cutoff).sum()
    assert after > 1000
