"""Precision, recall and F1 at each tier threshold, for the model and the rules."""

import polars as pl

from leadscore.evaluation import threshold_performance


def model(dbt, session):
    dbt.config(materialized="table")
    holdout = dbt.ref("ml_holdout_predictions").pl()
    rules = dbt.ref("int_lead_rules_scores").pl().select("lead_id", "as_of", "rules_score")
    joined = holdout.join(
        rules.with_columns(pl.col("as_of").cast(pl.Datetime("us"))), on=["lead_id", "as_of"]
    )
    return threshold_performance(joined, dbt.ref("score_tiers").pl())
