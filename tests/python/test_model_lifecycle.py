"""The lifecycle through real builds: train once, re-score identically, retrain on
request and promote only when not worse, and cold start with rules scores."""

from __future__ import annotations

import re
import shutil

import duckdb
import polars as pl
import pytest

from conftest import run_dbt

SCORES = "select lead_id, probability, score, tier, positive_reason_1 from marts.lead_scores"
HOLDOUT = "select * from ml.ml_holdout_predictions order by as_of, lead_id"


def query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


@pytest.fixture(scope="module")
def rebuilt(built_db, small_raw, tmp_path_factory):
    """The first build's database, built a second time on unchanged data."""
    tmp = tmp_path_factory.mktemp("lifecycle")
    db = tmp / "lifecycle.duckdb"
    shutil.copy(built_db, db)
    second = run_dbt(["build"], db, small_raw, tmp)
    return db, tmp, second.stdout


def test_second_build_does_not_retrain_and_scores_identically(rebuilt, built_db):
    db, _, log = rebuilt
    assert "no training: champion" in log
    assert query(db, "select count(*) as n from ml.ml_model_registry")["n"][0] == 1
    first = query(built_db, SCORES + " order by lead_id")
    second = query(db, SCORES + " order by lead_id")
    assert first.height > 100
    assert first.equals(second)
    # nothing changed, so nothing is re-synced to the CRM
    sync = "select lead_id, score_updated_at from marts.crm_lead_sync order by lead_id"
    assert query(built_db, sync).equals(query(db, sync))
    assert query(db, "select count(*) as n from marts.tier_changes")["n"][0] == 0


def test_a_second_build_reuses_the_holdout_predictions(rebuilt, built_db):
    """Same champion, same holdout rows: nothing is predicted again, nothing changes."""
    db, _, log = rebuilt
    first = query(built_db, HOLDOUT)
    assert first.height > 100
    assert query(db, HOLDOUT).equals(first)
    assert f"holdout: 0 of {first.height:,} rows predicted" in log


def test_holdout_rows_whose_inputs_changed_are_predicted_again(
    built_db, small_raw, tmp_path_factory
):
    """A stored holdout prediction is reused only for the same champion, lead, date and
    hash of label and features; every other row is predicted again."""
    tmp = tmp_path_factory.mktemp("holdout_reuse")
    db = tmp / "holdout.duckdb"
    shutil.copy(built_db, db)
    fresh = query(built_db, HOLDOUT)
    con = duckdb.connect(str(db))
    try:
        bucket = "hash(lead_id || cast(as_of as varchar)) % 5"
        # 0: the inputs changed since (another hash); 1: another model's row; 2: gone;
        # 3: unchanged inputs, a marked stored value (reused as stored); 4: untouched
        con.execute(
            "update ml.ml_holdout_predictions set uncalibrated_probability = -1, "
            f"features_hash = features_hash + 1 where {bucket} = 0"
        )
        con.execute(
            "update ml.ml_holdout_predictions set uncalibrated_probability = -1, "
            f"model_id = 'm_another' where {bucket} = 1"
        )
        con.execute(f"delete from ml.ml_holdout_predictions where {bucket} = 2")
        con.execute(
            "update ml.ml_holdout_predictions set uncalibrated_probability = 0.5 "
            f"where {bucket} = 3"
        )
        buckets = con.sql(
            f"select lead_id, as_of, {bucket} as bucket from ml.ml_holdout_predictions "
            "union all "
            f"select lead_id, as_of, 2 from ml.ml_training_examples "
            f"where snapshot_role = 'holdout' and {bucket} = 2"
        ).pl()
    finally:
        con.close()
    log = run_dbt(["run", "--select", "ml_holdout_predictions"], db, small_raw, tmp).stdout
    after = query(db, HOLDOUT)
    assert after.select("lead_id", "as_of").equals(fresh.select("lead_id", "as_of"))
    assert after["model_id"].unique().to_list() == fresh["model_id"].unique().to_list()
    joined = after.join(buckets, on=["lead_id", "as_of"]).join(
        fresh.select("lead_id", "as_of", fresh_p="uncalibrated_probability"),
        on=["lead_id", "as_of"],
    )
    counts = joined["bucket"].value_counts()
    assert counts.height == 5 and counts["count"].min() > 10
    again = joined.filter(pl.col("bucket").is_in([0, 1, 2]))
    assert again["uncalibrated_probability"].equals(again["fresh_p"], check_names=False)
    kept = joined.filter(pl.col("bucket") == 3)
    assert (kept["uncalibrated_probability"] == 0.5).all()
    untouched = joined.filter(pl.col("bucket") == 4)
    assert untouched["uncalibrated_probability"].equals(untouched["fresh_p"], check_names=False)
    assert after["features_hash"].equals(fresh["features_hash"])
    assert re.search(f"holdout: {again.height:,} of {fresh.height:,} rows predicted", log)


def test_retrain_adds_a_challenger_and_promotes_only_when_not_worse(rebuilt, small_raw):
    db, tmp, _ = rebuilt
    run_dbt(["build"], db, small_raw, tmp, {"retrain": True})
    weak = {
        "retrain": True,
        "catboost_iterations": 3,
        "catboost_depth": 1,
        "param_search_trials": 1,
    }
    log = run_dbt(["build"], db, small_raw, tmp, weak).stdout
    registry = query(db, "select * from ml.ml_model_registry order by trained_at")
    assert registry.height == 3
    # the same data and parameters learn the same model: as good, so promoted
    assert registry["status"].to_list() == ["champion", "champion", "rejected"]
    assert registry["model_fingerprint"][0] == registry["model_fingerprint"][1]
    assert "champion kept" in registry["status_reason"][2]
    assert "is rejected" in log
    champion = registry["model_id"][1]
    used = query(db, "select distinct model_id from marts.lead_scores where status = 'scored'")[
        "model_id"
    ].to_list()
    assert used == [champion]


def test_calibration_is_measured_before_and_after(rebuilt):
    db, _, _ = rebuilt
    row = query(db, "select * from ml.ml_model_registry order by trained_at limit 1").row(
        0, named=True
    )
    assert row["holdout_ece_uncalibrated"] > 0
    if row["calibration_applied"]:
        assert row["holdout_log_loss"] < row["holdout_log_loss_uncalibrated"]
    else:
        assert row["calibration_slope"] == 1.0 and row["calibration_intercept"] == 0.0


def test_cold_start_scores_with_rules_and_says_why(small_raw, tmp_path):
    db = tmp_path / "cold.duckdb"
    log = run_dbt(
        ["build"], db, small_raw, tmp_path, {"min_labelled_leads": 10**7, "min_conversions": 10**7}
    ).stdout
    assert "cold start, no model trained" in log
    assert "labelled leads (need 10,000,000)" in log
    scores = query(db, "select * from marts.lead_scores where status = 'scored'")
    assert scores.height > 100
    assert scores["score_source"].unique().to_list() == ["rules"]
    assert scores["model_id"].null_count() == scores.height
    assert (scores["score"] == scores["rules_score"]).all()
    assert scores["positive_reason_1"].null_count() < scores.height
    assert query(db, "select count(*) as n from ml.ml_model_registry")["n"][0] == 0


@pytest.mark.parametrize("basis", ["percentile"])
def test_percentile_tiers_and_capacity(small_raw, built_db, tmp_path, basis):
    db = tmp_path / "tiers.duckdb"
    shutil.copy(built_db, db)
    run_dbt(
        ["build", "--select", "lead_scores+"],
        db,
        small_raw,
        tmp_path,
        {"tier_basis": basis, "hot_capacity_per_week": 25},
    )
    scores = query(db, "select * from marts.lead_scores")
    hot = scores.filter(scores["tier"] == "hot")
    assert hot.height == 25
    # hot are exactly the 25 best
    assert hot["score"].min() >= scores.filter(scores["tier"] != "hot")["score"].max()
    # percentile basis: cold = below the 40th percentile (seed min_percentile)
    cold = scores.filter(scores["tier"] == "cold")
    assert cold.height > 0 and cold["percentile"].max() < 40
    # the CRM sync re-stamps exactly the leads whose tier changed (scores did not)
    changed = set(query(db, "select lead_id from marts.tier_changes")["lead_id"].to_list())
    sync = "select lead_id, score_updated_at from marts.crm_lead_sync order by lead_id"
    before, after = query(built_db, sync), query(db, sync)
    moved = {
        lead
        for lead, t0, t1 in zip(
            before["lead_id"], before["score_updated_at"], after["score_updated_at"], strict=True
        )
        if t0 != t1
    }
    assert changed and moved == changed


def test_export_sync_writes_csv_and_parquet(built_db, tmp_path):
    from leadscore.reporting.export import export_sync

    assert export_sync(built_db, tmp_path) == 0
    csv = pl.read_csv(tmp_path / "crm_lead_sync.csv")
    parquet = pl.read_parquet(tmp_path / "crm_lead_sync.parquet")
    rows = query(built_db, "select count(*) as n from marts.lead_scores")["n"][0]
    assert csv.height == parquet.height == rows
    assert {"lead_id", "ml_lead_score", "ml_lead_tier", "score_updated_at"} <= set(csv.columns)


def test_scoring_only_build_reuses_the_champion_and_leaves_evaluation_alone(
    built_db, small_raw, tmp_path_factory
):
    """`make score`: features for the open leads only, the same scores, no training."""
    tmp = tmp_path_factory.mktemp("scoring_only")
    db = tmp / "score.duckdb"
    shutil.copy(built_db, db)
    result = run_dbt(
        ["build", "--selector", "scoring_only"], db, small_raw, tmp, {"scoring_only": True}
    )
    # neither model runs (a test that only reads the registry, e.g. the relationship of
    # lead_scores.model_id, may: the scored models depend on it)
    assert "model ml.ml_model_registry" not in result.stdout
    assert "model ml.ml_training_examples" not in result.stdout
    assert query(db, "select count(*) as n from ml.ml_model_registry")["n"][0] == 1
    # only the score date was featurised ...
    roles = query(db, "select distinct snapshot_role from intermediate.int_lead_features_joined")
    assert roles["snapshot_role"].to_list() == ["scoring"]
    # ... yet every open lead gets the score of the full build
    first = query(built_db, SCORES + " order by lead_id")
    assert first.height > 100
    assert first.equals(query(db, SCORES + " order by lead_id"))
    # evaluation marts and the training set keep the full build's rows
    for table in ("ml.ml_training_examples", "marts.model_performance"):
        sql = f"select count(*) as n from {table}"
        assert query(db, sql)["n"][0] == query(built_db, sql)["n"][0] > 0


def test_scoring_only_var_without_the_selector_stops_with_the_command_to_run(
    built_db, small_raw, tmp_path_factory
):
    tmp = tmp_path_factory.mktemp("scoring_only_misuse")
    db = tmp / "misuse.duckdb"
    shutil.copy(built_db, db)
    args = ["run", "--select", "ml_model_registry"]
    env_vars = {"scoring_only": True}
    with pytest.raises(pytest.fail.Exception, match="--selector scoring_only") as stopped:
        run_dbt(args, db, small_raw, tmp, env_vars)
    # stopped before any model ran, with the message only
    assert "Traceback" not in str(stopped.value)
    assert "OK created" not in str(stopped.value)
    assert query(db, "select count(*) as n from ml.ml_model_registry")["n"][0] == 1


def test_train_candidates_above_the_cap_are_sampled_stably(built_db, small_raw, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sampled_spine")
    db = tmp / "sampled.duckdb"
    shutil.copy(built_db, db)
    roles = (
        "select snapshot_role, count(*) as n from intermediate.int_lead_snapshots_filtered "
        "group by 1 order by 1"
    )
    full = dict(query(db, roles).iter_rows())
    spine = "select * from intermediate.int_lead_snapshots_filtered order by lead_id, as_of"
    args = ["run", "--select", "int_lead_snapshots_filtered"]
    run_dbt(args, db, small_raw, tmp, {"max_training_examples": 1000})
    first = query(db, spine)
    sampled = dict(query(db, roles).iter_rows())
    # only train rows are sampled (about 1000 candidates, fewer once closed leads go);
    # gap dates never reach the spine
    assert "gap" not in full
    assert 100 < sampled["train"] < min(1000, full["train"])
    assert {k: v for k, v in sampled.items() if k != "train"} == {
        k: v for k, v in full.items() if k != "train"
    }
    run_dbt(args, db, small_raw, tmp, {"max_training_examples": 1000})
    assert first.equals(query(db, spine))
