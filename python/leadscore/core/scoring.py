"""Apply the champion: to the open leads (calibrated probability and plain reasons) and
to the holdout examples (the probabilities monitoring measures)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from leadscore.core.calibration import Platt, cross_fitted
from leadscore.core.explain import REASONS, Wording, reasons, shap_values
from leadscore.core.features import FeatureSpec
from leadscore.core.training import deserialise, predict

REASON_COLUMNS = [
    f"{d}_reason_{i}" for d in ("positive", "negative") for i in range(1, REASONS + 1)
]
HOLDOUT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "lead_id": pl.String,
    "as_of": pl.Datetime("us"),
    "label": pl.Boolean,
    "probability": pl.Float64,
    "model_id": pl.String,
    "uncalibrated_probability": pl.Float64,
    "features_hash": pl.Int64,
}
_EXAMPLE = ["lead_id", "as_of"]


def score_open_leads(
    examples: pl.DataFrame,
    champion: dict[str, Any] | None,
    dictionary: pl.DataFrame,
    scored_at: datetime,
    log: Callable[[str], None] = print,
    wording: Wording | None = None,
) -> pl.DataFrame:
    """One row per open lead. Without a champion (cold start) probability is null and
    lead_scores falls back to the rules score. `wording`: display names and scales the
    reasons use (leadscore.core.wording.reason_wording)."""
    examples = examples.sort("lead_id")
    n = examples.height
    base = pl.DataFrame(
        {
            "lead_id": examples["lead_id"],
            "as_of": examples["as_of"],
            "scored_at": pl.Series([scored_at] * n, dtype=pl.Datetime("us")),
        }
    )
    if champion is not None:
        needed = FeatureSpec.from_dict(json.loads(str(champion["features_json"]))).names
        missing = sorted(set(needed) - set(examples.columns))
        if missing:
            log(
                f"score: champion {champion['model_id']} needs features that no longer exist "
                f"({', '.join(missing[:5])}...): falling back to rules scores"
            )
            champion = None
    if champion is None:
        log(f"score: no champion model: {n:,} open leads get rules scores only")
        empty = {c: pl.Series([None] * n, dtype=pl.String) for c in REASON_COLUMNS}
        return base.with_columns(
            probability=pl.lit(None, dtype=pl.Float64),
            model_id=pl.lit(None, dtype=pl.String),
            **empty,
            reasons_json=pl.lit(None, dtype=pl.String),
        )
    t0 = time.perf_counter()
    model = deserialise(champion["model_blob"])
    spec = FeatureSpec.from_dict(json.loads(str(champion["features_json"])))
    platt = Platt(float(champion["calibration_slope"]), float(champion["calibration_intercept"]))
    if n:
        # the probabilities come from the pools the SHAP values are computed on
        uncalibrated = np.empty(n)
        contributions = shap_values(model, spec, examples, probabilities=uncalibrated)
        probability = platt.apply(uncalibrated)
        explained = reasons(contributions, spec, examples, dictionary, wording=wording)
    else:
        probability = np.zeros(0)
        explained = pl.DataFrame(
            schema={**dict.fromkeys(REASON_COLUMNS, pl.String), "reasons_json": pl.String}
        )
    log(
        f"score: {n:,} open leads with model {champion['model_id']}, reasons included, "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    return pl.concat(
        [
            base.with_columns(
                probability=pl.Series(probability, dtype=pl.Float64),
                model_id=pl.lit(champion["model_id"], dtype=pl.String),
            ),
            explained,
        ],
        how="horizontal",
    )


def _reusable(stored: pl.DataFrame | None, model_id: str, hash_type: pl.DataType) -> pl.DataFrame:
    """The stored holdout rows of model `model_id`: key, features hash, probability."""
    needed = {*_EXAMPLE, "features_hash", "model_id", "uncalibrated_probability"}
    if stored is None or not needed <= set(stored.columns):
        return pl.DataFrame(
            schema={**{k: HOLDOUT_SCHEMA[k] for k in _EXAMPLE}, "features_hash": hash_type}
        ).with_columns(uncalibrated_probability=pl.lit(None, dtype=pl.Float64))
    return stored.filter(pl.col("model_id") == model_id).select(
        "lead_id",
        pl.col("as_of").cast(pl.Datetime("us")),
        pl.col("features_hash").cast(hash_type),
        "uncalibrated_probability",
    )


def score_holdout(
    keys: pl.DataFrame,
    stored: pl.DataFrame | None,
    champion: dict[str, Any],
    rows_of: Callable[[pl.DataFrame | None], pl.DataFrame],
    log: Callable[[str], None] = print,
) -> pl.DataFrame:
    """The champion's probabilities on the holdout examples (ml_holdout_predictions).

    `keys`: lead_id, as_of, label and features_hash (a hash of the label and the
    champion's features) of every holdout example. `stored`: the previous build's rows,
    or None. A stored uncalibrated probability is reused when the model, the example
    and the hash are the same (CatBoost scores each row on its own, so it is the value
    predicting again would give); the other examples' rows are read with
    `rows_of(their keys)` (`rows_of(None)`: all of them) and predicted. Calibration is
    then applied to all rows: cross-fitted when the holdout is the one the champion's
    calibrator was fitted on, its Platt fit otherwise.
    """
    keys = keys.with_columns(pl.col("as_of").cast(pl.Datetime("us"))).sort(_EXAMPLE[::-1])
    reusable = _reusable(stored, str(champion["model_id"]), keys.schema["features_hash"])
    joined = keys.join(reusable, on=[*_EXAMPLE, "features_hash"], how="left", maintain_order="left")
    todo = joined.filter(pl.col("uncalibrated_probability").is_null()).select(_EXAMPLE)
    if todo.height:
        spec = FeatureSpec.from_dict(json.loads(str(champion["features_json"])))
        rows = rows_of(None if todo.height == joined.height else todo)
        predicted = rows.select(
            "lead_id",
            pl.col("as_of").cast(pl.Datetime("us")),
            predicted=pl.Series(predict(deserialise(champion["model_blob"]), spec, rows)),
        )
        joined = joined.join(predicted, on=_EXAMPLE, how="left", maintain_order="left")
        joined = joined.with_columns(
            pl.coalesce("uncalibrated_probability", "predicted").alias("uncalibrated_probability")
        ).drop("predicted")
    log(
        f"holdout: {todo.height:,} of {joined.height:,} rows predicted with model "
        f"{champion['model_id']}, {joined.height - todo.height:,} stored predictions reused"
    )
    raw = joined["uncalibrated_probability"].to_numpy()
    own_holdout = str(joined["as_of"].min()) == str(champion["holdout_from"])
    if champion["calibration_applied"] and own_holdout:
        probability, _ = cross_fitted(joined["label"].cast(pl.Float64).to_numpy(), raw)
    else:
        platt = Platt(champion["calibration_slope"], champion["calibration_intercept"])
        probability = platt.apply(raw)
    return joined.select(
        "lead_id",
        "as_of",
        "label",
        probability=pl.Series(probability, dtype=pl.Float64),
        model_id=pl.lit(str(champion["model_id"]), dtype=pl.String),
        uncalibrated_probability="uncalibrated_probability",
        features_hash="features_hash",
    )
