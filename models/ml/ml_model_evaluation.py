"""Holdout metrics of the champion and of the rules baseline on the same leads."""

import polars as pl

from leadscore.evaluation import performance


def model(dbt, session):
    dbt.config(materialized="table")
    holdout = dbt.ref("ml_holdout_predictions").pl()
    rules = dbt.ref("int_lead_rules_scores").pl().select("lead_id", "as_of", "rules_score")
    joined = holdout.join(
        rules.with_columns(pl.col("as_of").cast(pl.Datetime("us"))), on=["lead_id", "as_of"]
    )
    return performance(joined)
