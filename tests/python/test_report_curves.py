"""The report's ROC / precision-recall / gains curves are scikit-learn's, ties collapsed.

Shape from a real build (the Olist demo): 588 holdout leads tie at rules score 100,
191 of them converted; the holdout query has no order, so the converted ones can
come first inside the tie. A ranking that breaks ties by row order then draws the
rules' precision at ~1.0 up to recall 0.52, where the true precision is 191/588.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_curve

from leadscore.reporting.report import curves


def _tied_holdout() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(17)
    n_rest = 2400
    tied_y = np.r_[np.ones(191), np.zeros(588 - 191)]  # converted leads first in the tie
    rest_score = rng.integers(0, 100, n_rest).astype(float)  # spread, many small ties too
    rest_y = (rng.random(n_rest) < 0.02 + rest_score / 1000).astype(int)
    y = np.r_[tied_y, rest_y].astype(int)
    score = np.r_[np.full(588, 100.0), rest_score]
    return y, score


def test_curves_equal_scikit_learn_on_heavy_ties():
    y, score = _tied_holdout()
    drawn = curves(y, score)

    fpr, tpr, _ = roc_curve(y, score)
    np.testing.assert_allclose(drawn["roc"][0], fpr)
    np.testing.assert_allclose(drawn["roc"][1], tpr)

    precision, recall, _ = precision_recall_curve(y, score)
    np.testing.assert_allclose(drawn["pr"][0], recall)
    np.testing.assert_allclose(drawn["pr"][1], precision)

    # the tie block is one point: all 588 leads or none of them
    top = np.isclose(drawn["pr"][0], 191 / y.sum())
    np.testing.assert_allclose(drawn["pr"][1][top], 191 / 588)
    assert drawn["pr"][1][drawn["pr"][0] > 0].max() <= 191 / 588 + 1e-12


def test_gains_curve_moves_a_whole_tie_at_once():
    y, score = _tied_holdout()
    share, captured = curves(y, score)["gains"]
    # one point per distinct score plus the origin, in calling order
    assert len(share) == len(np.unique(score)) + 1
    assert share[0] == captured[0] == 0 and share[-1] == captured[-1] == 1
    np.testing.assert_allclose(share[1], 588 / len(y))
    np.testing.assert_allclose(captured[1], 191 / y.sum())
    # every point is reachable by calling all leads at or above some score
    for s, c in zip(share[1:], captured[1:], strict=True):
        cut = np.sort(score)[::-1][round(s * len(y)) - 1]
        called = score >= cut
        np.testing.assert_allclose(called.mean(), s)
        np.testing.assert_allclose(y[called].sum() / y.sum(), c)
