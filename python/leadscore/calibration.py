"""Platt scaling of predicted probabilities, kept only when it helps out of sample."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadscore.metrics import expected_calibration_error, log_loss

EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class Platt:
    """calibrated = sigmoid(slope * logit(p) + intercept); identity is (1, 0)."""

    slope: float = 1.0
    intercept: float = 0.0

    @property
    def is_identity(self) -> bool:
        return self.slope == 1.0 and self.intercept == 0.0

    def apply(self, p: np.ndarray) -> np.ndarray:
        if self.is_identity:
            return np.asarray(p, dtype=float)
        z = self.slope * _logit(np.asarray(p, dtype=float)) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


def fit_platt(y: np.ndarray, p: np.ndarray, iterations: int = 50) -> Platt:
    """Maximum-likelihood slope and intercept by Newton's method (tiny ridge for stability)."""
    y = np.asarray(y, dtype=float)
    x = _logit(np.asarray(p, dtype=float))
    a, b = 1.0, 0.0
    for _ in range(iterations):
        q = 1.0 / (1.0 + np.exp(-(a * x + b)))
        w = q * (1 - q)
        g = np.array([np.sum((q - y) * x) + 1e-6 * (a - 1), np.sum(q - y)])
        h = np.array([[np.sum(w * x * x) + 1e-6, np.sum(w * x)], [np.sum(w * x), np.sum(w) + 1e-9]])
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.max(np.abs(step)) < 1e-10:
            break
    return Platt(float(a), float(b))


@dataclass(frozen=True)
class CalibrationReport:
    platt: Platt
    applied: bool
    ece_before: float
    ece_after: float
    log_loss_before: float
    log_loss_after: float


def calibrate_on_holdout(y: np.ndarray, p: np.ndarray, folds: int = 2) -> CalibrationReport:
    """Fit Platt scaling on the holdout; keep it only if it improves log loss out of fold.

    The improvement is judged by cross-fitting (fit on one half, score the other),
    so the decision is not made on the rows the calibrator saw. The calibrator kept
    is then fitted on the whole holdout. Rows are split by position (deterministic).
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    out_of_fold = np.empty_like(p)
    fold = np.arange(len(p)) % folds
    for k in range(folds):
        train, test = fold != k, fold == k
        if y[train].min() == y[train].max():
            out_of_fold[test] = p[test]
        else:
            out_of_fold[test] = fit_platt(y[train], p[train]).apply(p[test])
    before, after = log_loss(y, p), log_loss(y, out_of_fold)
    applied = after < before
    platt = fit_platt(y, p) if applied else Platt()
    return CalibrationReport(
        platt=platt,
        applied=applied,
        ece_before=expected_calibration_error(y, p),
        ece_after=expected_calibration_error(y, out_of_fold if applied else p),
        log_loss_before=before,
        log_loss_after=after if applied else before,
    )
