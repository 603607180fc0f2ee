"""Classification metrics on numpy arrays (no scikit-learn needed)."""

from __future__ import annotations

import math

import numpy as np


def _check(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"labels and scores differ in length: {y.shape} vs {p.shape}")
    return y, p


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties count one half); nan if one class."""
    y, p = _check(y, p)
    n_pos = y.sum()
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    sorted_p = p[order]
    ranks = np.empty(len(p))
    # average ranks over ties
    _, first, counts = np.unique(sorted_p, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the precision-recall curve as average precision (step-wise)."""
    y, p = _check(y, p)
    n_pos = y.sum()
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-p, kind="mergesort")
    y_sorted, p_sorted = y[order], p[order]
    tp = np.cumsum(y_sorted)
    # evaluate at the last index of each distinct threshold
    last = np.r_[np.flatnonzero(np.diff(p_sorted) != 0), len(p_sorted) - 1]
    precision = tp[last] / (last + 1)
    recall = tp[last] / n_pos
    recall_prev = np.r_[0.0, recall[:-1]]
    return float(np.sum((recall - recall_prev) * precision))


def log_loss(y: np.ndarray, p: np.ndarray, eps: float = 1e-15) -> float:
    y, p = _check(y, p)
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    y, p = _check(y, p)
    return float(np.mean((p - y) ** 2))


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean |predicted - observed| over equal-width probability bins, weighted by size."""
    y, p = _check(y, p)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(p[m].mean() - y[m].mean())
    return float(total / len(y))


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
