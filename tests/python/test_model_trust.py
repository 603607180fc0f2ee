"""The model must not fool its user: calibration keeps the ranking and is measured on
rows it was not fitted on; the parameter search does not depend on machine load; a
model at chance is called useless and does not tier the leads.

Shapes: the holdout of a model that ranks backwards (a B2B pipeline whose "deal stage"
feature means the opposite for the newest deals, as in the issue: Platt slope -0.735
was accepted) and the small synthetic training frames of test_training.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl

from leadscore.core.calibration import Platt, calibrate_on_holdout
from leadscore.core.metrics import all_metrics, log_loss, roc_auc
from leadscore.core.training import SearchSpace, train_model
from test_training import FAST, examples


def _inverted_holdout(n: int = 2000, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """A holdout where the model's probabilities rank backwards (AUC about 0.3): a
    Platt fit finds a negative slope and "improves" log loss by inverting the model."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.02, 0.6, n)
    y = (rng.random(n) < truth).astype(float)
    p = np.clip(0.3 - 0.5 * (truth - 0.3) + rng.normal(0, 0.05, n), 0.01, 0.99)
    return y, p


def test_calibration_never_inverts_the_ranking():
    y, p = _inverted_holdout()
    assert roc_auc(y, p) < 0.4
    report = calibrate_on_holdout(y, p)
    calibrated = report.platt.apply(p)
    # the ranking of the calibrated probabilities is the model's ranking
    assert roc_auc(y, calibrated) == roc_auc(y, p)
    assert not report.applied and report.platt.is_identity
    assert "slope" in report.reason and "not positive" in report.reason
    # an old registry row with a negative slope cannot invert scores either
    assert roc_auc(y, Platt(-0.735, 0.2).apply(p)) == roc_auc(y, p)


def test_calibrated_metrics_are_cross_fitted_and_match_sklearn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(9)
    truth = rng.uniform(0.01, 0.5, 3000)
    y = (rng.random(3000) < truth).astype(float)
    p = np.clip(truth * 1.8, 0.001, 0.999)  # over-confident: calibration helps
    report = calibrate_on_holdout(y, p)
    assert report.applied and report.platt.slope > 0
    # each half is calibrated by a Platt fit on the other half (sklearn, no penalty)
    fold = np.arange(len(p)) % 2
    z = np.log(p / (1 - p)).reshape(-1, 1)
    expected = np.empty_like(p)
    for k in (0, 1):
        fit = LogisticRegression(C=np.inf).fit(z[fold != k], y[fold != k])
        expected[fold == k] = fit.predict_proba(z[fold == k])[:, 1]
    np.testing.assert_allclose(report.out_of_fold, expected, atol=1e-4)
    assert report.log_loss_after == log_loss(y, report.out_of_fold)
    # the in-sample number would look better than the honest one
    assert log_loss(y, report.platt.apply(p)) < report.log_loss_after


def test_trained_model_reports_cross_fitted_holdout_metrics():
    # class weights make CatBoost's probabilities too high: calibration is applied
    weighted = replace(FAST, class_weights="Balanced")
    trained = train_model(examples(), weighted, search=SearchSpace(1), log=lambda _: None)
    holdout = examples().filter(pl.col("snapshot_role") == "holdout").sort("as_of", "lead_id")
    y = holdout["label"].cast(pl.Int8).to_numpy()
    assert trained.calibration.applied, trained.calibration.reason
    expected = all_metrics(y, trained.calibration.out_of_fold)
    for name in ("log_loss", "brier", "ece"):
        assert trained.metrics[name] == expected[name]
    # the ranking is the model's: one monotone calibrator cannot change it
    for name in ("auc", "pr_auc", "top_decile_lift"):
        assert trained.metrics[name] == trained.raw_metrics[name]
    row = trained.registry_row("champion", "test")
    assert row["holdout_log_loss"][0] == expected["log_loss"]
    assert row["calibration_slope"][0] > 0


def test_parameter_search_does_not_depend_on_the_clock():
    # a busy machine: the time box is already spent after the first candidate
    busy = train_model(
        examples(), FAST, search=SearchSpace(trials=3, seconds=0.0), log=lambda _: None
    )
    idle = train_model(
        examples(), FAST, search=SearchSpace(trials=3, seconds=1e9), log=lambda _: None
    )
    assert len(busy.search) == len(idle.search) == 3
    assert busy.fingerprint == idle.fingerprint


def test_a_model_at_chance_is_not_promoted_and_says_so(capsys):
    # an export with no signal (the label does not depend on any column): holdout AUC
    # about 0.5; before, it became the champion and tiered every open lead
    from datetime import datetime

    from leadscore.core.lifecycle import Policy, run_training_cycle
    from leadscore.core.metrics import auc_confidence_interval
    from leadscore.core.training import LabelDefinition

    frame = examples(4000)
    rng = np.random.default_rng(3)
    noise = frame.with_columns(label=pl.Series(rng.random(frame.height) < 0.2))
    policy = Policy(min_labelled_leads=100, min_conversions=10, min_useful_auc=0.55)
    rows = run_training_cycle(
        noise, None, datetime(2025, 12, 1), policy, FAST, SearchSpace(1), LabelDefinition()
    )
    out = capsys.readouterr().out
    assert rows["status"][0] == "rejected", rows["status_reason"][0]
    assert "not credibly above min_useful_auc 0.55" in rows["status_reason"][0]
    assert "NO USEFUL MODEL" in out
    # the same data with its signal: promoted
    rows = run_training_cycle(
        frame, None, datetime(2025, 12, 1), policy, FAST, SearchSpace(1), LabelDefinition()
    )
    assert rows["status"][0] == "champion"
    # Hanley-McNeil: a wide interval on a small holdout, a narrow one on a large one
    y = (rng.random(200) < 0.3).astype(int)
    low, high = auc_confidence_interval(0.6, int(y.sum()), int((1 - y).sum()))
    assert low < 0.55 < 0.6 < high
    low, high = auc_confidence_interval(0.6, 3000, 20000)
    assert 0.58 < low < 0.6 < high < 0.62
