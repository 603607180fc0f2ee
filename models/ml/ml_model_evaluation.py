"""Holdout metrics of the champion and of the rules baseline on the same leads."""

from leadscore.core.evaluation import performance, with_rules_scores


def model(dbt, session):
    dbt.config(materialized="table")
    joined = with_rules_scores(
        dbt.ref("ml_holdout_predictions").pl(), dbt.ref("ml_baseline_scores").pl()
    )
    return performance(joined)
