"""Global feature importance of every model in the registry, one row per feature."""

import json

import polars as pl

from leadscore.engines.frames import to_engine, to_polars


def model(dbt, session):
    dbt.config(materialized="table")
    # order only, not read: no Python model runs beside the open leads' scoring (they
    # share the dbt process's interpreter lock; see ml_holdout_predictions)
    dbt.ref("ml_lead_predictions")
    registry = to_polars(dbt.ref("ml_model_registry")).select("model_id", "feature_importance_json")
    families = to_polars(dbt.ref("feature_dictionary")).select("feature", "family")
    rows = [
        {"model_id": model_id, "feature": feature, "importance": float(value)}
        for model_id, blob in registry.iter_rows()
        for feature, value in json.loads(blob).items()
    ]
    frame = pl.DataFrame(
        rows, schema={"model_id": pl.String, "feature": pl.String, "importance": pl.Float64}
    )
    return to_engine(
        frame.join(families, on="feature", how="left")
        .with_columns(
            importance_rank=pl.col("importance")
            .rank(method="ordinal", descending=True)
            .over("model_id")
            .cast(pl.Int64)
        )
        .sort("model_id", "importance_rank"),
        session,
    )
