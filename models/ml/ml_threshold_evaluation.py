"""Precision, recall and F1 at each tier threshold, for the model and the rules."""

from leadscore.core.evaluation import threshold_performance, with_rules_scores


def model(dbt, session):
    dbt.config(materialized="table")
    joined = with_rules_scores(
        dbt.ref("ml_holdout_predictions").pl(), dbt.ref("ml_baseline_scores").pl()
    )
    return threshold_performance(joined, dbt.ref("score_tiers").pl())
