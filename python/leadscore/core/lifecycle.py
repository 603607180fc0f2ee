"""When to train, whether history suffices, and whether a challenger replaces the champion."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl


@dataclass(frozen=True)
class Policy:
    retrain_after_days: int = 30
    force_retrain: bool = False
    alert_raised: bool = False
    # why reps' verdicts disagree with the top tier (marts.model_health), None = no alert
    feedback_alert: str | None = None
    min_labelled_leads: int = 1000
    min_conversions: int = 120
    promotion_metric: str = "auc"  # higher is better
    # a model whose holdout AUC is not credibly (95% interval) above this is useless
    min_useful_auc: float = 0.55


@dataclass(frozen=True)
class Decision:
    train: bool
    reason: str


def champion_row(registry: pl.DataFrame | None) -> dict | None:
    """The current champion: the latest model promoted to champion, if any."""
    if registry is None or registry.is_empty():
        return None
    champions = registry.filter(pl.col("status") == "champion")
    if champions.is_empty():
        return None
    return champions.sort("trained_at", descending=True).row(0, named=True)


def decide_training(
    registry: pl.DataFrame | None,
    now: datetime,
    policy: Policy,
    features: list[str],
    label: dict[str, object],
) -> Decision:
    """Train when there is no champion, it is stale, an alert was raised, it was asked
    for, or the champion cannot score the current examples (features or label changed)."""
    champion = champion_row(registry)
    if champion is None:
        return Decision(True, "no champion yet")
    if policy.force_retrain:
        return Decision(True, "retraining was requested (var retrain)")
    if policy.feedback_alert:
        return Decision(True, f"sales feedback alert: {policy.feedback_alert}")
    if policy.alert_raised:
        return Decision(True, "monitoring raised an alert")
    age = (now - champion["trained_at"]).total_seconds() / 86_400
    if age > policy.retrain_after_days:
        return Decision(
            True, f"champion is {age:.0f} days old (retrain_after_days {policy.retrain_after_days})"
        )
    spec = json.loads(champion["features_json"])
    known = set(spec["numeric"]) | set(spec["categorical"])
    if known != set(features):
        return Decision(True, "the feature set changed since the champion was trained")
    champion_label = {
        "conversion_stage": champion["conversion_stage"],
        "prediction_horizon_days": champion["prediction_horizon_days"],
    }
    if champion_label != label:
        return Decision(True, "the label definition changed since the champion was trained")
    return Decision(
        False, f"champion {champion['model_id']} is {age:.1f} days old: re-scoring with it"
    )


def history_shortfall(examples: pl.DataFrame, policy: Policy) -> str | None:
    """Why the labelled history is too thin for a model, or None when it suffices."""
    labelled = examples.select(pl.col("lead_id").n_unique()).item()
    converted = examples.filter(pl.col("label")).select(pl.col("lead_id").n_unique()).item()
    missing = []
    if labelled < policy.min_labelled_leads:
        missing.append(f"{labelled:,} labelled leads (need {policy.min_labelled_leads:,})")
    if converted < policy.min_conversions:
        missing.append(f"{converted:,} converted leads (need {policy.min_conversions:,})")
    splits = set(examples["snapshot_role"].unique().to_list()) if examples.height else set()
    if not missing and not {"train", "holdout"} <= splits:
        missing.append("no out-of-time holdout: history must span more snapshot dates")
    return "; ".join(missing) or None


def promotion(challenger: float, champion: float | None, metric: str) -> tuple[bool, str]:
    """A challenger replaces the champion when it is at least as good on the same holdout."""
    if champion is None:
        return True, "no champion to compare with"
    if challenger >= champion:
        return True, f"holdout {metric} {challenger:.4f} >= champion's {champion:.4f}"
    return False, f"holdout {metric} {challenger:.4f} < champion's {champion:.4f}: champion kept"


def latest_alert(con) -> bool:
    """True when the latest row of marts.model_health asks for retraining (an accuracy
    or tier-calibration alert; drift alone does not). Read directly, not through
    ref(): the health mart depends on the registry, so a ref would be a cycle.
    `con`: the model's session (a DuckDB connection or a SparkSession)."""
    from leadscore.engines.frames import query, table_exists

    if not table_exists(con, "marts", "model_health"):
        return False
    row = query(con, "select retrain_alert from marts.model_health order by built_at desc limit 1")
    return bool(row.height and row.item(0, 0))


USELESS_MARK = "not credibly above min_useful_auc"


def usefulness(auc: float, counts: dict[str, int], min_useful_auc: float) -> str | None:
    """Why the model is useless, or None: its holdout AUC's 95% interval (Hanley-McNeil)
    does not lie above `min_useful_auc`, i.e. it cannot be told from chance."""
    from leadscore.core.metrics import auc_confidence_interval

    positives = counts["holdout_positives"]
    low, high = auc_confidence_interval(auc, positives, counts["holdout_examples"] - positives)
    if low > min_useful_auc:
        return None
    return (
        f"holdout AUC {auc:.3f} (95% interval {low:.3f}-{high:.3f}, "
        f"{counts['holdout_examples']:,} leads) is {USELESS_MARK} {min_useful_auc:.2f}"
    )


def feedback_alert(con) -> str | None:
    """Why the latest row of marts.model_health raised the sales-feedback alert (reps
    reject too many top-tier leads), or None: no alert, no such row or column yet."""
    from leadscore.engines.frames import query, table_columns

    columns = table_columns(con, "marts", "model_health")
    if not {"is_feedback_alert", "hot_verdicts", "hot_rejection_rate"} <= columns:
        return None
    row = query(
        con,
        "select is_feedback_alert, hot_verdicts, hot_rejection_rate from marts.model_health "
        "order by built_at desc limit 1",
    )
    if not row.height or not row.item(0, 0):
        return None
    _, verdicts, rate = row.row(0)
    return f"reps rejected {rate:.0%} of {verdicts} verdicts on top-tier leads"


def champion_auc_on(champion: dict, holdout: pl.DataFrame) -> float | None:
    """The champion's AUC on the given holdout, or None when it cannot score it."""
    from leadscore.core.calibration import Platt
    from leadscore.core.features import FeatureSpec
    from leadscore.core.metrics import roc_auc
    from leadscore.core.training import deserialise, predict

    spec = FeatureSpec.from_dict(json.loads(champion["features_json"]))
    if not set(spec.names) <= set(holdout.columns) or holdout.is_empty():
        return None
    platt = Platt(champion["calibration_slope"], champion["calibration_intercept"])
    p = predict(deserialise(champion["model_blob"]), spec, holdout, platt)
    return roc_auc(holdout["label"].cast(pl.Int8).to_numpy(), p)


def run_training_cycle(
    examples: pl.DataFrame | Callable[[], pl.DataFrame],
    registry: pl.DataFrame | None,
    now: datetime,
    policy: Policy,
    params,
    search,
    label,
    log=print,
    features: list[str] | None = None,
) -> pl.DataFrame:
    """New registry rows for this build: none, or the model just trained with its status.

    `examples` may be a function that reads them, with their feature names in
    `features`: it is then called only once training is decided (reading the fit
    sample of a million leads takes seconds; most builds do not train).
    Nothing already in the registry is changed: the champion is always the latest
    row whose status is 'champion'.
    """
    from leadscore.core.features import feature_names
    from leadscore.core.training import empty_registry, train_model

    if callable(examples):
        if features is None:
            raise TypeError(
                "run_training_cycle: give the feature names with a function that reads the examples"
            )
        names = list(features)
    else:
        names = feature_names(examples.columns)
    decision = decide_training(registry, now, policy, names, label.to_dict())
    log(f"lifecycle: {'train' if decision.train else 'no training'}: {decision.reason}")
    if not decision.train:
        return empty_registry()
    if callable(examples):
        examples = examples()
        read = feature_names(examples.columns)
        if set(read) != set(names):
            raise ValueError(
                "run_training_cycle: the examples read have other features than those "
                f"named: read {sorted(set(read) - set(names))} more, "
                f"{sorted(set(names) - set(read))} missing"
            )
    shortfall = history_shortfall(examples, policy)
    if shortfall:
        log(
            f"lifecycle: cold start, no model trained: {shortfall}. Open leads are scored "
            "by the points in seed scoring_rules (lead_scores.score_source = 'rules') "
            "until the history reaches min_labelled_leads and min_conversions."
        )
        return empty_registry()
    trained = train_model(examples, params, label, search, log=log)
    champion = champion_row(registry)
    champion_auc = None
    if champion is not None:
        holdout = examples.filter(pl.col("snapshot_role") == "holdout")
        champion_auc = champion_auc_on(champion, holdout)
        if champion_auc is None:
            log("lifecycle: the champion cannot score the current features: challenger promoted")
    promote, why = promotion(trained.metrics["auc"], champion_auc, policy.promotion_metric)
    useless = usefulness(trained.metrics["auc"], trained.counts, policy.min_useful_auc)
    if useless:
        promote, why = False, useless
        log(
            f"WARNING NO USEFUL MODEL: {useless}. It scores no lead: "
            + (
                "the champion keeps scoring."
                if champion is not None
                else "open leads are tiered by the baseline (lead_scores.score_source = "
                "'rules'), flagged in model_health and by leadscore summary."
            )
        )
    reason = f"{decision.reason}; {why}"
    status = "champion" if promote else "rejected"
    log(f"lifecycle: model {trained.model_id} is {status}: {reason}")
    return trained.registry_row(status, reason)
