"""Holdout evaluation of the model and the rules baseline on the same leads."""

from __future__ import annotations

import numpy as np
import polars as pl

from leadscore.core.calibration import holdout_metrics
from leadscore.core.metrics import all_metrics, average_precision, roc_auc, top_decile_lift

THRESHOLD_SCHEMA = {
    "model_id": pl.String,
    "scorer": pl.String,
    "tier": pl.String,
    "min_score": pl.Int64,
    "leads_flagged": pl.Int64,
    "precision": pl.Float64,
    "recall": pl.Float64,
    "f1": pl.Float64,
}
PERFORMANCE_SCHEMA = {
    "model_id": pl.String,
    "scorer": pl.String,
    "examples": pl.Int64,
    "positives": pl.Int64,
    "auc": pl.Float64,
    "pr_auc": pl.Float64,
    "log_loss": pl.Float64,
    "brier": pl.Float64,
    "ece": pl.Float64,
    "top_decile_lift": pl.Float64,
}


def with_rules_scores(holdout: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    """Holdout predictions joined with the rules score of the same (lead, as_of), and
    with the baseline's ranking value when it has one (flat mode: a probability)."""
    extra = ["baseline_ranking"] if "baseline_ranking" in rules.columns else []
    rules = rules.select("lead_id", pl.col("as_of").cast(pl.Datetime("us")), "rules_score", *extra)
    return holdout.with_columns(pl.col("as_of").cast(pl.Datetime("us"))).join(
        rules, on=["lead_id", "as_of"]
    )


METRIC_COLUMNS = ("auc", "pr_auc", "log_loss", "brier", "ece", "top_decile_lift")


def _metric_columns(metrics: dict[str, float]) -> dict[str, float | None]:
    """The performance table's metric columns (None where a scorer has no such metric)."""
    return {k: metrics.get(k) for k in METRIC_COLUMNS}


def performance(holdout: pl.DataFrame) -> pl.DataFrame:
    """One row per scorer ('model', 'rules') with its holdout metrics.

    `holdout` has label, probability (model), rules_score (0-100) and model_id. The
    rules score is a points total, not a probability: only its ranking metrics are
    reported (log loss, Brier and calibration error are null). In flat mode the
    baseline is a logistic regression: its probability (`baseline_ranking`) is
    measured instead, with every metric."""
    if holdout.is_empty():
        return pl.DataFrame(schema=PERFORMANCE_SCHEMA)
    y = holdout["label"].cast(pl.Int8).to_numpy()
    model_id = holdout["model_id"][0]
    m = all_metrics(y, holdout["probability"].to_numpy())
    if "uncalibrated_probability" in holdout.columns:
        # probabilities cross-fitted per half: rank by the model's own (one monotone
        # calibrator keeps that ranking for the open leads)
        m = holdout_metrics(
            y, holdout["uncalibrated_probability"].to_numpy(), holdout["probability"].to_numpy()
        )
    # the points table ranks leads but is no probability: no log loss, Brier or ECE
    r = holdout["rules_score"].cast(pl.Float64).to_numpy()
    rules_metrics = {
        "auc": roc_auc(y, r),
        "pr_auc": average_precision(y, r),
        "top_decile_lift": top_decile_lift(y, r),
    }
    if "baseline_ranking" in holdout.columns:  # flat mode: a logistic regression, measured fully
        rules_metrics = all_metrics(y, holdout["baseline_ranking"].cast(pl.Float64).to_numpy())
    rows = [
        {"scorer": "model", **_metric_columns(m)},
        {"scorer": "rules", **_metric_columns(rules_metrics)},
    ]
    return pl.DataFrame(
        [
            {"model_id": model_id, "examples": len(y), "positives": int(y.sum()), **row}
            for row in rows
        ],
        schema=PERFORMANCE_SCHEMA,
    )


def threshold_performance(holdout: pl.DataFrame, tiers: pl.DataFrame) -> pl.DataFrame:
    """Precision, recall and F1 when every lead scoring at least a tier's min_score is
    flagged, for the model (score = probability in percent) and the rules."""
    if holdout.is_empty():
        return pl.DataFrame(schema=THRESHOLD_SCHEMA)
    y = holdout["label"].cast(pl.Int8).to_numpy().astype(bool)
    scores = {
        "model": np.round(holdout["probability"].to_numpy() * 100),
        "rules": holdout["rules_score"].cast(pl.Float64).to_numpy(),
    }
    rows = []
    for scorer, score in scores.items():
        for tier, min_score in tiers.select("tier", "min_score").iter_rows():
            flagged = score >= min_score
            tp = int((flagged & y).sum())
            precision = tp / flagged.sum() if flagged.sum() else None
            recall = tp / y.sum() if y.sum() else None
            f1 = (
                2 * precision * recall / (precision + recall)
                if precision and recall
                else (0.0 if precision is not None and recall is not None else None)
            )
            rows.append(
                {
                    "model_id": holdout["model_id"][0],
                    "scorer": scorer,
                    "tier": tier,
                    "min_score": int(min_score),
                    "leads_flagged": int(flagged.sum()),
                    "precision": precision,
                    "recall": recall,
                    "f1": f1,
                }
            )
    return pl.DataFrame(rows, schema=THRESHOLD_SCHEMA)
