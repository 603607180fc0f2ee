"""Classification metrics on numpy arrays.

The standard ones (ROC AUC, average precision, log loss, Brier score) are
scikit-learn's, returning nan instead of raising when the labels hold one class
(a holdout without conversions is a state to report, not a crash). The product's
own: expected calibration error over equal-width bins, top-decile lift and the
Hanley & McNeil confidence interval of an AUC.
"""

from __future__ import annotations

import math

import numpy as np


def _sk():
    """scikit-learn's metrics, imported on first use: its import (with scipy.stats)
    costs about 2 s of a dbt process, and in a daily build that trains no model the
    registry and the open leads' scoring, on the build's critical path, compute no
    metric; the holdout evaluation after them does (tests/python/test_metrics.py
    checks that those model files' imports leave scikit-learn unloaded)."""
    from sklearn import metrics

    return metrics


def _check(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"labels and scores differ in length: {y.shape} vs {p.shape}")
    return y, p


def _two_classes(y: np.ndarray) -> bool:
    return len(y) > 0 and y.min() != y.max()


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve (ties count one half); nan if one class."""
    y, p = _check(y, p)
    return float(_sk().roc_auc_score(y, p)) if _two_classes(y) else float("nan")


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the precision-recall curve as average precision (step-wise); nan
    without positives."""
    y, p = _check(y, p)
    return float(_sk().average_precision_score(y, p)) if y.sum() > 0 else float("nan")


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    """Mean negative log-likelihood; probabilities of exactly 0 or 1 are clipped to the
    float64 machine epsilon (scikit-learn's rule); nan for no rows."""
    y, p = _check(y, p)
    return float(_sk().log_loss(y, p, labels=[0, 1])) if len(y) else float("nan")


def brier(y: np.ndarray, p: np.ndarray) -> float:
    y, p = _check(y, p)
    return float(_sk().brier_score_loss(y, p, pos_label=1)) if len(y) else float("nan")


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean |predicted - observed| over equal-width probability bins, weighted by size."""
    y, p = _check(y, p)
    if len(y) == 0:
        return float("nan")
    idx = np.minimum((p * bins).astype(int), bins - 1)
    count = np.bincount(idx, minlength=bins)
    gap = np.abs(np.bincount(idx, weights=p, minlength=bins) - np.bincount(idx, y, bins))
    # per bin: count * |mean p - mean y| = |sum p - sum y|
    return float(gap[count > 0].sum() / len(y))


def top_decile_lift(y: np.ndarray, p: np.ndarray) -> float:
    """Conversion rate in the top 10% of scores over the overall rate."""
    y, p = _check(y, p)
    if y.sum() == 0:
        return float("nan")
    k = max(1, int(np.ceil(len(y) * 0.1)))
    top = np.argsort(-p, kind="mergesort")[:k]
    return float(y[top].mean() / y.mean())


def all_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    return {
        "auc": roc_auc(y, p),
        "pr_auc": average_precision(y, p),
        "log_loss": log_loss(y, p),
        "brier": brier(y, p),
        "ece": expected_calibration_error(y, p),
        "top_decile_lift": top_decile_lift(y, p),
        "positive_rate": float(np.mean(y)) if len(y) else float("nan"),
    }


def auc_confidence_interval(
    auc: float, positives: int, negatives: int, z: float = 1.96
) -> tuple[float, float]:
    """95% confidence interval of an AUC (Hanley & McNeil 1982 standard error)."""
    if positives <= 0 or negatives <= 0 or math.isnan(auc):
        return float("nan"), float("nan")
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    variance = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)
    ) / (positives * negatives)
    se = math.sqrt(max(variance, 0.0))
    return max(0.0, auc - z * se), min(1.0, auc + z * se)
