"""The champion's calibrated probabilities on the current out-of-time holdout.

The holdout is the latest matured snapshot dates, so for a champion trained earlier
these are cohorts it has never seen: monitoring compares them with its registry
holdout metrics. When the current holdout is the champion's own (it was trained in this
build, or no cohort matured since), its calibrator was fitted on these rows: each row
then gets the probability calibrated by a Platt fit on the other half (cross-fitting, as
training measured it), so model_performance never scores the calibrator on the rows it
saw. Empty during cold start.
"""

import json

import numpy as np
import polars as pl

from leadscore.core.calibration import Platt, cross_fitted
from leadscore.core.features import FeatureSpec
from leadscore.core.lifecycle import champion_row
from leadscore.core.training import deserialise, predict
from leadscore.engines.frames import to_engine, to_polars


def model(dbt, session):
    dbt.config(materialized="table")
    holdout = to_polars(dbt.ref("ml_training_examples").filter("snapshot_role = 'holdout'")).sort(
        "as_of", "lead_id"
    )
    champion = champion_row(to_polars(dbt.ref("ml_model_registry")))
    schema = {
        "lead_id": pl.String,
        "as_of": pl.Datetime("us"),
        "label": pl.Boolean,
        "probability": pl.Float64,
        "model_id": pl.String,
        "uncalibrated_probability": pl.Float64,
    }
    if champion is None or holdout.is_empty():
        return to_engine(pl.DataFrame(schema=schema), session)
    spec = FeatureSpec.from_dict(json.loads(champion["features_json"]))
    if not set(spec.names) <= set(holdout.columns):
        return to_engine(pl.DataFrame(schema=schema), session)
    platt = Platt(champion["calibration_slope"], champion["calibration_intercept"])
    p = predict(deserialise(champion["model_blob"]), spec, holdout)
    raw = np.asarray(p)
    own_holdout = str(holdout["as_of"].min()) == str(champion["holdout_from"])
    if champion["calibration_applied"] and own_holdout:
        p, _ = cross_fitted(holdout["label"].cast(pl.Float64).to_numpy(), p)
    else:
        p = platt.apply(np.asarray(p))
    result = holdout.select(
        "lead_id",
        pl.col("as_of").cast(pl.Datetime("us")),
        "label",
        probability=pl.Series(p),
        model_id=pl.lit(champion["model_id"]),
        uncalibrated_probability=pl.Series(raw),
    )
    return to_engine(result, session)
