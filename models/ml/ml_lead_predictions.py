"""Score every open lead with the champion: calibrated probability and top reasons."""

from datetime import UTC, datetime

from leadscore.core.lifecycle import champion_row
from leadscore.core.scoring import score_open_leads
from leadscore.core.wording import reason_wording


def model(dbt, session):
    dbt.config(materialized="table")
    examples = dbt.ref("ml_scoring_examples").pl()
    champion = champion_row(dbt.ref("ml_model_registry").pl())
    dictionary = dbt.ref("feature_dictionary").pl()
    wording = reason_wording(
        dbt.ref("channels").pl(),
        dbt.ref("lifecycle_stages").pl(),
        dbt.ref("icp_criteria").pl(),
        dbt.ref("icp_technologies").pl(),
        float(dbt.config.get("icp_points_per_technology")),
    )
    scored_at = datetime.now(UTC).replace(tzinfo=None)
    return score_open_leads(examples, champion, dictionary, scored_at, wording=wording)
