"""Global feature importance of every model in the registry, one row per feature."""

import json

import polars as pl


def model(dbt, session):
    dbt.config(materialized="table")
    registry = dbt.ref("ml_model_registry").pl().select("model_id", "feature_importance_json")
    families = dbt.ref("feature_dictionary").pl().select("feature", "family")
    rows = [
        {"model_id": model_id, "feature": feature, "importance": float(value)}
        for model_id, blob in registry.iter_rows()
        for feature, value in json.loads(blob).items()
    ]
    frame = pl.DataFrame(
        rows, schema={"model_id": pl.String, "feature": pl.String, "importance": pl.Float64}
    )
    return (
        frame.join(families, on="feature", how="left")
        .with_columns(
            importance_rank=pl.col("importance")
            .rank(method="ordinal", descending=True)
            .over("model_id")
            .cast(pl.Int64)
        )
        .sort("model_id", "importance_rank")
    )
