"""Retraining policy, cold start, promotion, calibration and reasons, on small inputs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from leadscore.core.calibration import Platt, calibrate_on_holdout, fit_platt
from leadscore.core.explain import reasons, render, shap_values
from leadscore.core.features import FeatureSpec, feature_names
from leadscore.core.lifecycle import (
    Policy,
    champion_row,
    decide_training,
    history_shortfall,
    promotion,
    run_training_cycle,
)
from leadscore.core.metrics import expected_calibration_error
from leadscore.core.training import LabelDefinition, SearchSpace, train_model
from test_training import FAST, examples

NOW = datetime(2026, 11, 1)
LABEL = LabelDefinition()
FEATURES = ["is_flag", "noise", "x", "channel"]


def registry(*rows: dict) -> pl.DataFrame:
    base = {
        "model_id": "m1",
        "status": "champion",
        "trained_at": NOW - timedelta(days=3),
        "features_json": json.dumps(
            {"numeric": ["is_flag", "noise", "x"], "categorical": ["channel"]}
        ),
        **LABEL.to_dict(),
    }
    return pl.DataFrame([{**base, **r} for r in rows])


def test_training_decisions():
    policy = Policy(retrain_after_days=30)
    label = LABEL.to_dict()
    assert decide_training(None, NOW, policy, FEATURES, label).reason == "no champion yet"
    fresh = registry({})
    assert not decide_training(fresh, NOW, policy, FEATURES, label).train
    stale = registry({"trained_at": NOW - timedelta(days=45)})
    assert "45 days old" in decide_training(stale, NOW, policy, FEATURES, label).reason
    forced = Policy(force_retrain=True)
    assert decide_training(fresh, NOW, forced, FEATURES, label).train
    alert = Policy(alert_raised=True)
    assert "alert" in decide_training(fresh, NOW, alert, FEATURES, label).reason
    assert "feature set" in decide_training(fresh, NOW, policy, [*FEATURES, "new"], label).reason
    other = {**label, "prediction_horizon_days": 60}
    assert "label definition" in decide_training(fresh, NOW, policy, FEATURES, other).reason


def test_champion_is_the_latest_promoted_model():
    rows = registry(
        {"model_id": "old", "trained_at": NOW - timedelta(days=9)},
        {"model_id": "new", "trained_at": NOW - timedelta(days=2)},
        {"model_id": "worse", "status": "rejected", "trained_at": NOW - timedelta(days=1)},
    )
    assert champion_row(rows)["model_id"] == "new"
    assert champion_row(rows.filter(pl.col("status") == "rejected")) is None


def test_history_shortfall_names_what_is_missing():
    frame = examples(500)
    converted = frame.filter(pl.col("label"))["lead_id"].n_unique()
    short = history_shortfall(frame, Policy(min_labelled_leads=1000, min_conversions=1000))
    assert "500 labelled leads (need 1,000)" in short
    assert f"{converted} converted leads (need 1,000)" in short
    assert history_shortfall(frame, Policy(min_labelled_leads=10, min_conversions=5)) is None


def test_promotion_needs_at_least_as_good():
    assert promotion(0.80, None, "auc")[0]
    assert promotion(0.80, 0.80, "auc")[0]
    keep, why = promotion(0.79, 0.80, "auc")
    assert not keep and "champion kept" in why


def test_training_cycle_appends_and_keeps_the_better_champion():
    frame = examples()
    policy = Policy(min_labelled_leads=10, min_conversions=5)
    first = run_training_cycle(frame, None, NOW, policy, FAST, SearchSpace(1), LABEL, log=print)
    assert first["status"].to_list() == ["champion"]
    # nothing new when the champion is fresh
    none = run_training_cycle(frame, first, NOW, policy, FAST, SearchSpace(1), LABEL, log=print)
    assert none.is_empty()
    # a deliberately weak challenger is rejected
    weak = FAST.__class__(iterations=2, depth=1, learning_rate=0.01)
    forced = Policy(min_labelled_leads=10, min_conversions=5, force_retrain=True)
    second = run_training_cycle(frame, first, NOW, forced, weak, SearchSpace(1), LABEL, log=print)
    assert second["status"].to_list() == ["rejected"]
    assert "champion kept" in second["status_reason"][0]


def test_training_cycle_reads_the_examples_only_when_it_trains():
    """The examples (the capped fit sample: seconds at a million leads) are read only
    once training is decided; the decision needs the feature names alone."""
    frame = examples()
    policy = Policy(min_labelled_leads=10, min_conversions=5)
    features = feature_names(frame.columns)
    reads = []

    def load() -> pl.DataFrame:
        reads.append(1)
        return frame

    first = run_training_cycle(
        load, None, NOW, policy, FAST, SearchSpace(1), LABEL, features=features
    )
    assert first["status"].to_list() == ["champion"] and len(reads) == 1
    none = run_training_cycle(
        load, first, NOW, policy, FAST, SearchSpace(1), LABEL, features=features
    )
    assert none.is_empty() and len(reads) == 1
    # training is decided from the names (the feature set changed); the examples read
    # then lack the named feature, which is an error
    renamed = [*features, "new_feature"]
    with pytest.raises(ValueError, match="new_feature"):
        run_training_cycle(load, first, NOW, policy, FAST, SearchSpace(1), LABEL, features=renamed)
    assert len(reads) == 2


def test_cold_start_trains_nothing_and_says_why(capsys):
    policy = Policy(min_labelled_leads=10**6, min_conversions=10**6)
    out = run_training_cycle(examples(), None, NOW, policy, FAST, SearchSpace(1), LABEL, log=print)
    assert out.is_empty()
    assert "cold start" in capsys.readouterr().out


def test_platt_recovers_a_known_distortion():
    rng = np.random.default_rng(0)
    true_p = rng.uniform(0.01, 0.6, 20_000)
    y = (rng.random(20_000) < true_p).astype(float)
    logit = np.log(true_p / (1 - true_p))
    distorted = 1 / (1 + np.exp(-(0.5 * logit + 1.0)))  # over-confident and shifted
    platt = fit_platt(y, distorted)
    assert platt.slope == pytest.approx(2.0, abs=0.15)
    assert platt.intercept == pytest.approx(-2.0, abs=0.2)
    report = calibrate_on_holdout(y, distorted)
    assert report.applied and report.log_loss_after < report.log_loss_before
    assert expected_calibration_error(y, report.platt.apply(distorted)) < 0.02


def test_calibration_is_skipped_when_already_calibrated():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.5, 4000)
    y = (rng.random(4000) < p).astype(float)
    # already calibrated: the fitted correction is close to the identity ...
    platt = fit_platt(y, p)
    assert platt.slope == pytest.approx(1.0, abs=0.15)
    assert platt.intercept == pytest.approx(0.0, abs=0.2)
    # ... and it is kept only when it lowers log loss out of fold
    report = calibrate_on_holdout(y, p)
    assert report.applied == (report.log_loss_after < report.log_loss_before)
    if not report.applied:
        assert report.platt == Platt()


def test_reason_templates():
    d = {
        "pricing_views_7d": {
            "template": "Visited the pricing page {value} times in the last 7 days",
            "template_if_zero": "Did not visit the pricing page in the last 7 days",
        },
        "days_since_last_activity": {
            "template": "No activity for {value} days",
            "template_if_missing": "No activity ever",
        },
        "has_bounced": {"template": "E-mail address bounced", "template_if_false": "E-mail works"},
    }
    views = render("pricing_views_7d", pl.Series([3, 0, 1]), d).to_list()
    assert views == [
        "Visited the pricing page 3 times in the last 7 days",
        "Did not visit the pricing page in the last 7 days",
        "Visited the pricing page once in the last 7 days",
    ]
    assert render("days_since_last_activity", pl.Series([64.0, None]), d).to_list() == [
        "No activity for 64 days",
        "No activity ever",
    ]
    assert render("has_bounced", pl.Series([True, False]), d).to_list() == [
        "E-mail address bounced",
        "E-mail works",
    ]


def test_reasons_follow_the_shap_signs():
    trained = train_model(examples(), FAST, log=lambda _: None)
    probe = examples(2, seed=3).with_columns(
        x=pl.Series([3.0, -3.0]), channel=pl.Series(["referral", "outbound"])
    )
    contributions = shap_values(trained.model, trained.spec, probe)
    dictionary = pl.DataFrame(
        {"feature": ["x", "channel"], "template": ["x is {value}", "Came in through {value}"]}
    )
    out = reasons(contributions, trained.spec, probe, dictionary)
    assert out["positive_reason_1"][0] == "x is 3"  # high x is the strongest positive
    assert out["negative_reason_1"][1] == "x is -3"  # low x the strongest negative
    detail = json.loads(out["reasons_json"][0])
    assert all(r["contribution"] > 0 for r in detail if r["direction"] == "positive")


def test_reasons_json_escapes_awkward_names_and_values():
    """reasons_json is encoded by polars per feature, not by json.dumps per row: a flat export's
    header or a value with quotes, backslashes or accents must still give valid JSON
    with the exact values, positive reasons first, ranked."""
    frame = pl.DataFrame(
        {
            'say "hi"': pl.Series([1.5, 2.0], dtype=pl.Float32),
            "city\\name": ['Köln "Mitte"', None],
            "visits": [12, 0],
        }
    )
    spec = FeatureSpec(numeric=('say "hi"', "visits"), categorical=("city\\name",))
    contributions = np.array([[0.5, -0.25, 0.123456], [-0.1, 0.0, 0.2]])
    out = reasons(contributions, spec, frame, pl.DataFrame({"feature": [], "template": []}))
    first = json.loads(out["reasons_json"][0])
    assert [(r["direction"], r["rank"], r["feature"]) for r in first] == [
        ("positive", 1, 'say "hi"'),
        ("positive", 2, "city\\name"),
        ("negative", 1, "visits"),
    ]
    assert [r["value"] for r in first] == [1.5, 'Köln "Mitte"', 12]
    assert [r["contribution"] for r in first] == [0.5, 0.1235, -0.25]
    assert first[1]["sentence"] == 'city\\name is Köln "Mitte"'
    second = json.loads(out["reasons_json"][1])
    assert [(r["direction"], r["feature"], r["value"]) for r in second] == [
        ("positive", "city\\name", None),
        ("negative", 'say "hi"', 2.0),
    ]
