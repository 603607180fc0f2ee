"""Score every open lead at the score date with the trained model, in batches."""

from datetime import UTC, datetime

from leadscore.scoring import score_open_leads


def model(dbt, session):
    dbt.config(materialized="table")
    examples = dbt.ref("ml_scoring_examples").pl()
    registry = dbt.ref("ml_model_registry").pl()
    champion = registry.sort("trained_at", descending=True).row(0, named=True)
    scored_at = datetime.now(UTC).replace(tzinfo=None)
    return score_open_leads(examples, champion, scored_at)
