"""The model registry: one row per trained model, appended, never overwritten.

(dbt finds config keys by reading literal `dbt.config.get("key")` calls: keep them literal.)

Each build decides whether to train (no champion, champion older than
retrain_after_days, monitoring alert, var retrain, or features/label changed),
checks the history is sufficient (cold start otherwise), trains a challenger and
promotes it only if it is at least as good as the champion on the same holdout.
Thin on purpose: the logic lives in leadscore.core.lifecycle and leadscore.core.training.
"""

from datetime import UTC, datetime

from leadscore.core.features import feature_names
from leadscore.core.lifecycle import Policy, feedback_alert, latest_alert, run_training_cycle
from leadscore.core.training import LabelDefinition, SearchSpace, TrainParams, collect_examples
from leadscore.engines.frames import query, to_engine


def _flag(value) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes", "y")


def _none_or(value) -> str | None:
    return None if str(value).strip().lower() in ("", "none", "null") else str(value)


def model(dbt, session):
    dbt.config(materialized="incremental")
    if _flag(dbt.config.get("scoring_only")):
        raise ValueError(
            "scoring_only builds reuse the champion and must not rebuild the registry: run "
            "`dbt build --selector scoring_only --vars '{scoring_only: true}'` (make score)"
        )
    registry = query(session, f"select * from {dbt.this}") if dbt.is_incremental else None
    policy = Policy(
        retrain_after_days=int(dbt.config.get("retrain_after_days")),
        force_retrain=_flag(dbt.config.get("retrain")),
        alert_raised=_flag(dbt.config.get("retrain_on_alert")) and latest_alert(session),
        feedback_alert=feedback_alert(session)
        if _flag(dbt.config.get("retrain_on_alert"))
        else None,
        min_labelled_leads=int(dbt.config.get("min_labelled_leads")),
        min_conversions=int(dbt.config.get("min_conversions")),
        min_useful_auc=float(dbt.config.get("min_useful_auc")),
    )
    params = TrainParams(
        iterations=int(dbt.config.get("catboost_iterations")),
        depth=int(dbt.config.get("catboost_depth")),
        learning_rate=float(dbt.config.get("catboost_learning_rate")),
        l2_leaf_reg=float(dbt.config.get("catboost_l2_leaf_reg")),
        random_seed=int(dbt.config.get("catboost_random_seed")),
        class_weights=_none_or(dbt.config.get("class_weights")),
        max_fit_examples=int(dbt.config.get("max_fit_examples")),
    )
    search = SearchSpace(
        trials=int(dbt.config.get("param_search_trials")),
        seconds=float(dbt.config.get("param_search_seconds")),
    )
    label = LabelDefinition(
        conversion_stage=str(dbt.config.get("conversion_stage")),
        prediction_horizon_days=int(dbt.config.get("prediction_horizon_days")),
    )
    # read only once training is decided, and then only the capped fit sample's
    # features reach the driver (max_fit_examples)
    relation = dbt.ref("ml_training_examples")
    features = feature_names(relation.columns)
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = run_training_cycle(
        lambda: collect_examples(relation, session, params),
        registry,
        now,
        policy,
        params,
        search,
        label,
        features=features,
    )
    return to_engine(rows, session)
