"""Model vs rules evaluation on the same holdout leads."""

from __future__ import annotations

import polars as pl
import pytest

from leadscore.core.evaluation import performance, threshold_performance

HOLDOUT = pl.DataFrame(
    {
        "model_id": ["m"] * 6,
        "label": [True, True, False, False, False, False],
        "probability": [0.9, 0.45, 0.5, 0.2, 0.1, 0.05],
        "rules_score": [10, 80, 90, 20, 5, 0],
    }
)
TIERS = pl.DataFrame({"tier": ["hot", "warm"], "min_score": [70, 40]})


def test_model_and_rules_are_scored_on_the_same_leads():
    perf = performance(HOLDOUT).sort("scorer")
    assert perf["scorer"].to_list() == ["model", "rules"]
    assert perf["examples"].to_list() == [6, 6]
    model, rules = perf.row(0, named=True), perf.row(1, named=True)
    # model ranks 0.9 and 0.45 above all but one negative (0.5): 7/8 pairs
    assert model["auc"] == pytest.approx(7 / 8)
    # rules: 80 beats 20, 5 and 0 but not 90; 10 beats 5 and 0: 5/8
    assert rules["auc"] == pytest.approx(5 / 8)
    assert rules["log_loss"] is None and model["log_loss"] > 0


def test_precision_recall_at_tier_thresholds():
    out = threshold_performance(HOLDOUT, TIERS)
    hot = out.filter((pl.col("scorer") == "model") & (pl.col("tier") == "hot")).row(0, named=True)
    assert hot["leads_flagged"] == 1 and hot["precision"] == 1.0 and hot["recall"] == 0.5
    warm = out.filter((pl.col("scorer") == "rules") & (pl.col("tier") == "warm")).row(0, named=True)
    # rules >= 40: scores 80 (converted) and 90 (not)
    assert warm["precision"] == 0.5 and warm["recall"] == 0.5 and warm["f1"] == pytest.approx(0.5)


def test_empty_holdout_gives_empty_tables():
    assert performance(HOLDOUT.clear()).is_empty()
    assert threshold_performance(HOLDOUT.clear(), TIERS).is_empty()


def test_rules_scores_join_on_lead_and_date():
    from datetime import datetime

    from leadscore.core.evaluation import with_rules_scores

    d1, d2 = datetime(2026, 1, 1), datetime(2026, 2, 1)
    holdout = pl.DataFrame({"lead_id": ["a", "a"], "as_of": [d1, d2], "probability": [0.1, 0.2]})
    rules = pl.DataFrame(
        {"lead_id": ["a", "a", "b"], "as_of": [d2, d1, d1], "rules_score": [20, 10, 99]}
    )
    joined = with_rules_scores(holdout, rules).sort("as_of")
    assert joined["rules_score"].to_list() == [10, 20]
