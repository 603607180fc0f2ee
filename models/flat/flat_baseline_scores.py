"""The baseline scorer of flat mode (a flat export has no points table): a plain
logistic regression (one-hot categories, standardised numbers, L2) fitted on the train
leads, scoring the holdout and the open leads. Same columns as
intermediate.int_lead_rules_scores, so lead_scores and the performance marts treat it
as the rules baseline (score_source / scorer 'rules'); baseline_ranking is its
probability, used for the holdout metrics."""

import polars as pl

from leadscore.flat import baseline_scores, train_baseline


def model(dbt, session):
    dbt.config(materialized="table")
    examples = dbt.ref("flat_examples").pl()
    baseline = train_baseline(examples.filter(pl.col("snapshot_role") == "train"))
    return baseline_scores(
        baseline, examples.filter(pl.col("snapshot_role").is_in(["holdout", "scoring"]))
    )
