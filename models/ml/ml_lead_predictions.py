"""Score every open lead with the champion: calibrated probability and top reasons.

Scoring is row-wise: on Spark it runs on the executors, batch by batch, with the
champion broadcast (leadscore.engines.frames.map_batches); on DuckDB in one call.
"""

from datetime import UTC, datetime

from leadscore.core.lifecycle import champion_row
from leadscore.core.scoring import score_open_leads
from leadscore.core.wording import reason_wording
from leadscore.engines.frames import map_batches, to_polars


def model(dbt, session):
    dbt.config(materialized="table")
    champion = champion_row(to_polars(dbt.ref("ml_model_registry")))
    dictionary = to_polars(dbt.ref("feature_dictionary"))
    wording = reason_wording(
        to_polars(dbt.ref("channels")),
        to_polars(dbt.ref("lifecycle_stages")),
        to_polars(dbt.ref("icp_criteria")),
        to_polars(dbt.ref("icp_technologies")),
        float(dbt.config.get("icp_points_per_technology")),
    )
    scored_at = datetime.now(UTC).replace(tzinfo=None)
    return map_batches(
        dbt.ref("ml_scoring_examples"),
        session,
        score_open_leads,
        champion,
        dictionary,
        scored_at,
        print,
        wording,
    )
