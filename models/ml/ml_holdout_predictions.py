"""The champion's calibrated probabilities on the current out-of-time holdout.

The holdout is the latest matured snapshot dates, so for a champion trained earlier
these are cohorts it has never seen: monitoring compares them with its registry
holdout metrics. When the current holdout is the champion's own (it was trained in this
build, or no cohort matured since), its calibrator was fitted on these rows: each row
then gets the probability calibrated by a Platt fit on the other half (cross-fitting, as
training measured it), so model_performance never scores the calibrator on the rows it
saw. Empty during cold start.

A row's uncalibrated probability is predicted again only when the champion, or the
hash of the example's label and features (features_hash), differs from the stored row's:
a daily build with the same champion and holdout reuses the stored predictions.

Built after ml_lead_predictions, which it does not read: the Python models run in the
dbt process and share its interpreter lock, and this branch (with the evaluation models
after it) beside the open leads' scoring slowed that scoring, which every mart waits
for (docs/benchmarks.md: 19-21 s instead of 13-14 s at 1M leads); after it, the branch
runs beside lead_scores and the snapshot, which are SQL.
"""

import json

import polars as pl

from leadscore.core.features import FeatureSpec
from leadscore.core.lifecycle import champion_row
from leadscore.core.scoring import HOLDOUT_SCHEMA, score_holdout
from leadscore.engines.frames import (
    query,
    semi_join,
    table_exists,
    to_engine,
    to_polars,
    with_row_hash,
)


def model(dbt, session):
    dbt.config(materialized="table")
    dbt.ref("ml_lead_predictions")  # order only (see above): not read
    examples = dbt.ref("ml_training_examples").filter("snapshot_role = 'holdout'")
    champion = champion_row(to_polars(dbt.ref("ml_model_registry")))
    empty = to_engine(pl.DataFrame(schema=HOLDOUT_SCHEMA), session)
    if champion is None:
        return empty
    spec = FeatureSpec.from_dict(json.loads(champion["features_json"]))
    if not set(spec.names) <= set(examples.columns):
        return empty
    keys = to_polars(
        with_row_hash(
            examples, ["lead_id", "as_of", "label"], ["label", *spec.names], "features_hash"
        )
    )
    if keys.is_empty():
        return empty
    stored = (
        query(session, f"select * from {dbt.this}")
        if table_exists(session, dbt.this.schema, dbt.this.identifier)
        else None
    )

    def rows_of(wanted):
        return to_polars(examples if wanted is None else semi_join(examples, wanted, session))

    return to_engine(score_holdout(keys, stored, champion, rows_of), session)
