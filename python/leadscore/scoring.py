"""Apply a trained model from the registry to the open leads."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import polars as pl

from leadscore.features import FeatureSpec
from leadscore.training import deserialise, predict


def score_open_leads(
    examples: pl.DataFrame,
    model_row: dict[str, object],
    scored_at: datetime,
    log: Callable[[str], None] = print,
) -> pl.DataFrame:
    """One row per example: lead_id, as_of, probability, model_id, scored_at."""
    model = deserialise(model_row["model_blob"])  # type: ignore[arg-type]
    spec = FeatureSpec.from_dict(json.loads(str(model_row["features_json"])))
    examples = examples.sort("lead_id")
    probability = predict(model, spec, examples) if examples.height else []
    log(f"score: {examples.height:,} open leads with model {model_row['model_id']}")
    return pl.DataFrame(
        {
            "lead_id": examples["lead_id"],
            "as_of": examples["as_of"],
            "probability": pl.Series(probability, dtype=pl.Float64),
            "model_id": pl.Series([model_row["model_id"]] * examples.height, dtype=pl.String),
            "scored_at": pl.Series([scored_at] * examples.height, dtype=pl.Datetime("us")),
        }
    )
