"""Metrics agree with their definitions on small cases and brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from leadscore.core import metrics


def brute_force_auc(y, p):
    pos = [s for s, t in zip(p, y, strict=True) if t == 1]
    neg = [s for s, t in zip(p, y, strict=True) if t == 0]
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_auc_matches_pairwise_definition_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.random(300), 1)  # many ties
    assert metrics.roc_auc(y, p) == pytest.approx(brute_force_auc(y, p))


def test_auc_extremes_and_single_class():
    y = np.array([0, 0, 1, 1])
    assert metrics.roc_auc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert metrics.roc_auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert np.isnan(metrics.roc_auc(np.ones(4), np.arange(4.0)))


def test_average_precision_on_a_known_ranking():
    # ranking: 1, 0, 1, 0 -> precision at the two hits: 1/1 and 2/3
    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.8, 0.7, 0.1])
    assert metrics.average_precision(y, p) == pytest.approx((1.0 + 2 / 3) / 2)


def test_log_loss_and_brier():
    y = np.array([1, 0])
    p = np.array([0.8, 0.4])
    assert metrics.log_loss(y, p) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)
    assert metrics.brier(y, p) == pytest.approx((0.04 + 0.16) / 2)


def test_calibration_error_is_zero_when_calibrated_and_large_when_not():
    y = np.array([1, 0, 0, 0] * 50)
    assert metrics.expected_calibration_error(y, np.full(200, 0.25)) == pytest.approx(0.0)
    assert metrics.expected_calibration_error(y, np.full(200, 0.95)) == pytest.approx(0.70)


def test_top_decile_lift():
    y = np.array([1] * 10 + [0] * 90)
    p = np.linspace(1, 0, 100)  # the ten converters score highest
    assert metrics.top_decile_lift(y, p) == pytest.approx(10.0)


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differ in length"):
        metrics.roc_auc(np.zeros(3), np.zeros(4))


def test_parity_with_the_hand_written_metrics_they_replace():
    """The metrics are scikit-learn's (ECE and lift the product's own, vectorised); on a
    fixed example with many ties they give the numbers the previous hand-written
    implementation gave (recorded from it before it was deleted), to 1e-12."""
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 500)
    p = np.round(rng.beta(2, 5, 500), 2).clip(0.01, 0.99)  # ties: two decimals
    recorded = {
        "auc": 0.49764060092449924,
        "pr_auc": 0.519282774365843,
        "log_loss": 0.9508555010892996,
        "brier": 0.33912120000000007,
        "ece": 0.2863599999999999,
        "top_decile_lift": 0.9848484848484849,
        "positive_rate": 0.528,
    }
    assert metrics.all_metrics(y, p) == pytest.approx(recorded, abs=1e-12)
    assert metrics.auc_confidence_interval(0.7, 40, 400) == pytest.approx(
        (0.6062552203806401, 0.7937447796193599), abs=1e-12
    )


def test_one_class_and_no_rows_give_nan_not_an_error():
    # a holdout without conversions (a small flat export, an early snapshot) is reported
    ones = metrics.all_metrics(np.ones(5), np.linspace(0.1, 0.9, 5))
    assert np.isnan(ones["auc"]) and ones["pr_auc"] == pytest.approx(1.0)
    zeros = metrics.all_metrics(np.zeros(5), np.linspace(0.1, 0.9, 5))
    assert np.isnan(zeros["auc"]) and np.isnan(zeros["pr_auc"])
    assert np.isnan(zeros["top_decile_lift"]) and zeros["log_loss"] > 0
    empty = metrics.all_metrics(np.zeros(0), np.zeros(0))
    assert all(np.isnan(v) for v in empty.values())


def test_the_model_files_of_a_build_without_training_do_not_import_scikit_learn():
    """The registry (deciding not to train) and the open leads' scoring run one after
    the other on a daily build's critical path; scikit-learn's import (with
    scipy.stats, about 2 s) belongs to the evaluation that runs beside them. In a fresh
    interpreter: the modules those two model files import leave sklearn unloaded, and
    the first metric loads it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import leadscore.core.lifecycle, leadscore.core.scoring, leadscore.core.training\n"
        "import leadscore.core.wording, leadscore.core.features, leadscore.engines.frames\n"
        "before = 'sklearn' in sys.modules\n"
        "from leadscore.core.metrics import roc_auc\n"
        "roc_auc([0, 1], [0.2, 0.7])\n"
        "print(before, 'sklearn' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
