"""Score every open lead with the champion: calibrated probability and top reasons."""

from datetime import UTC, datetime

from leadscore.lifecycle import champion_row
from leadscore.scoring import score_open_leads


def model(dbt, session):
    dbt.config(materialized="table")
    examples = dbt.ref("ml_scoring_examples").pl()
    champion = champion_row(dbt.ref("ml_model_registry").pl())
    dictionary = dbt.ref("feature_dictionary").pl()
    scored_at = datetime.now(UTC).replace(tzinfo=None)
    return score_open_leads(examples, champion, dictionary, scored_at)
