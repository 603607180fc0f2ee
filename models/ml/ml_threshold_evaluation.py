"""Precision, recall and F1 at each tier threshold, for the model and the rules."""

from leadscore.core.evaluation import threshold_performance, with_rules_scores
from leadscore.engines.frames import to_engine, to_polars


def model(dbt, session):
    dbt.config(materialized="table")
    joined = with_rules_scores(
        to_polars(dbt.ref("ml_holdout_predictions")), to_polars(dbt.ref("ml_baseline_scores"))
    )
    tiers = to_polars(dbt.ref("score_tiers"))
    return to_engine(threshold_performance(joined, tiers), session)
