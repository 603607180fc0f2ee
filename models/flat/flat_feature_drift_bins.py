"""Drift bins of flat mode, as intermediate.int_feature_drift_bins in CRM mode: every
model feature and the score, reference = train leads (score: holdout predictions),
current = open leads."""

import polars as pl

from leadscore.flat import drift_bins


def model(dbt, session):
    dbt.config(materialized="table")
    examples = dbt.ref("flat_examples").pl()
    holdout = dbt.ref("ml_holdout_predictions").pl()
    scored = dbt.ref("ml_lead_predictions").pl()
    keys = {"lead_id", "as_of", "snapshot_role", "label"}
    features = [c for c in examples.columns if c not in keys]
    return drift_bins(
        examples.filter(pl.col("snapshot_role") == "train"),
        examples.filter(pl.col("snapshot_role") == "scoring"),
        features,
        holdout["probability"],
        scored["probability"].drop_nulls(),
    )
