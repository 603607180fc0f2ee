"""Platt scaling of predicted probabilities: monotone increasing, kept only when it
helps on rows it was not fitted on, and measured there (cross-fitting).

The fit is scikit-learn's unpenalised logistic regression of the label on logit(p).
scikit-learn's CalibratedClassifierCV(method="sigmoid") is not used: it fits Platt's
smoothed targets on the folds of a training set, while this calibrator is fitted on the
out-of-time holdout, cross-fitted in deterministic folds, and rejected whenever a slope
is not positive (a calibrator must never invert the model's ranking)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit, logit

from leadscore.core.metrics import all_metrics, expected_calibration_error, log_loss

RANKING_METRICS = ("auc", "pr_auc", "top_decile_lift")

EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    return logit(np.clip(p, EPS, 1 - EPS))


@dataclass(frozen=True)
class Platt:
    """calibrated = sigmoid(slope * logit(p) + intercept); identity is (1, 0).

    A calibrator must keep the model's ranking: a non-positive slope (which would
    invert or flatten it) is never applied, whatever a registry row holds."""

    slope: float = 1.0
    intercept: float = 0.0

    @property
    def is_identity(self) -> bool:
        return (self.slope == 1.0 and self.intercept == 0.0) or not self.slope > 0

    def apply(self, p: np.ndarray) -> np.ndarray:
        if self.is_identity:
            return np.asarray(p, dtype=float)
        z = self.slope * _logit(np.asarray(p, dtype=float)) + self.intercept
        return expit(z)


def fit_platt(y: np.ndarray, p: np.ndarray) -> Platt:
    """Maximum-likelihood slope and intercept: scikit-learn's unpenalised logistic
    regression of the label on logit(p)."""
    from sklearn.linear_model import LogisticRegression

    fit = LogisticRegression(C=np.inf, max_iter=1000).fit(
        _logit(np.asarray(p, dtype=float)).reshape(-1, 1), np.asarray(y, dtype=float)
    )
    return Platt(float(fit.coef_[0, 0]), float(fit.intercept_[0]))


@dataclass(frozen=True)
class CalibrationReport:
    platt: Platt
    applied: bool
    ece_before: float
    ece_after: float
    log_loss_before: float
    log_loss_after: float
    # per holdout row: the probability calibrated by a Platt fit on the other fold(s)
    # when calibration is applied, else the model's own; the holdout metrics use these
    out_of_fold: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reason: str = ""


def cross_fitted(y: np.ndarray, p: np.ndarray, folds: int = 2) -> tuple[np.ndarray, list[Platt]]:
    """Each row calibrated by a Platt fit on the other folds (rows split by position,
    so it is deterministic); a fold whose complement has one class keeps its p."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    out = p.copy()
    fits: list[Platt] = []
    fold = np.arange(len(p)) % folds
    for k in range(folds):
        train, test = fold != k, fold == k
        if train.sum() == 0 or y[train].min() == y[train].max():
            continue
        platt = fit_platt(y[train], p[train])
        fits.append(platt)
        out[test] = platt.apply(p[test]) if platt.slope > 0 else p[test]
    return out, fits


def calibrate_on_holdout(y: np.ndarray, p: np.ndarray, folds: int = 2) -> CalibrationReport:
    """Fit Platt scaling on the holdout; keep it only when its slope is positive (in
    every fold and on the whole holdout) and it improves log loss out of fold.

    The decision and the reported calibrated metrics use cross-fitting (fit on one
    half, score the other), so they are not measured on the rows the calibrator saw.
    The calibrator kept for the open leads is fitted on the whole holdout.
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    before = log_loss(y, p)
    ece_before = expected_calibration_error(y, p)
    keep = CalibrationReport(Platt(), False, ece_before, ece_before, before, before, p, "")
    if len(p) == 0 or y.min() == y.max():
        return CalibrationReport(**{**keep.__dict__, "reason": "the holdout has one class"})
    full = fit_platt(y, p)
    out_of_fold, fits = cross_fitted(y, p, folds)
    slopes = [full.slope, *(f.slope for f in fits)]
    if min(slopes) <= 0:
        return CalibrationReport(
            **{
                **keep.__dict__,
                "reason": f"rejected: Platt slope {min(slopes):.3f} is not positive (it would "
                "invert the model's ranking); probabilities left as the model gives them",
            }
        )
    after = log_loss(y, out_of_fold)
    if not after < before:
        return CalibrationReport(
            **{
                **keep.__dict__,
                "reason": f"not needed: out-of-fold log loss {after:.4f} >= {before:.4f}",
            }
        )
    return CalibrationReport(
        platt=full,
        applied=True,
        ece_before=ece_before,
        ece_after=expected_calibration_error(y, out_of_fold),
        log_loss_before=before,
        log_loss_after=after,
        out_of_fold=out_of_fold,
        reason=f"applied: out-of-fold log loss {before:.4f} -> {after:.4f} (cross-fitted)",
    )


def holdout_metrics(y: np.ndarray, raw: np.ndarray, calibrated: np.ndarray) -> dict[str, float]:
    """The holdout metrics of a calibrated model: probability metrics (log loss, Brier,
    calibration error) on the cross-fitted calibrated probabilities; ranking metrics
    (AUC, PR-AUC, top-decile lift) on the model's own, because the one monotone
    calibrator applied to open leads keeps that ranking (pooling two half-calibrators
    would blur it)."""
    metrics = all_metrics(y, calibrated)
    ranking = all_metrics(y, raw)
    return {**metrics, **{k: ranking[k] for k in RANKING_METRICS}}
