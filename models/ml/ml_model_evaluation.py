"""Holdout metrics of the champion and of the rules baseline on the same leads."""

from leadscore.core.evaluation import performance, with_rules_scores
from leadscore.engines.frames import to_engine, to_polars


def model(dbt, session):
    dbt.config(materialized="table")
    joined = with_rules_scores(
        to_polars(dbt.ref("ml_holdout_predictions")), to_polars(dbt.ref("ml_baseline_scores"))
    )
    return to_engine(performance(joined), session)
