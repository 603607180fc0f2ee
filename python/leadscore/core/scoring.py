"""Apply the champion to the open leads: calibrated probability and plain reasons."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from leadscore.core.calibration import Platt
from leadscore.core.explain import REASONS, Wording, reasons, shap_values
from leadscore.core.features import FeatureSpec
from leadscore.core.training import deserialise

REASON_COLUMNS = [
    f"{d}_reason_{i}" for d in ("positive", "negative") for i in range(1, REASONS + 1)
]


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
