"""`dbt build` on a small generated CRM: the marts hold what they promise."""

from __future__ import annotations

import json

from leadscore.generator.truth import oracle_probabilities
from leadscore.metrics import roc_auc


def test_lead_scores_has_exactly_one_row_per_open_lead(con):
    scored = con.sql("select count(*), count(distinct lead_id) from marts.lead_scores").fetchall()
    # open = not deleted, created before the score date, never converted, not closed
    open_leads = con.sql(
        """
        with as_of as (
            select as_of from intermediate.int_snapshot_dates where snapshot_role = 'scoring'
        ),
        closed as (
            select distinct stages.lead_id
            from intermediate.int_stage_changes_mapped as stages, as_of
            where stages.changed_at < as_of.as_of
              and (stages.stage = 'customer'
                   or (stages.stage = 'disqualified' and not exists (
                        select 1 from intermediate.int_stage_changes_mapped as later
                        where later.lead_id = stages.lead_id
                          and later.changed_at > stages.changed_at
                          and later.changed_at < as_of.as_of)))
        )
        select count(*)
        from intermediate.int_leads_deduplicated as leads, as_of
        where not leads.is_deleted
          and leads.created_at < as_of.as_of
          and leads.lead_id not in (select lead_id from closed)
        """
    ).fetchall()[0][0]
    assert scored[0][0] == scored[0][1] == open_leads > 100


def test_duplicate_records_are_merged_into_one_person(con, small_raw):
    manifest = json.loads((small_raw / "_manifest.json").read_text())
    records, people = con.sql(
        "select sum(record_count), count(*) from intermediate.int_leads_deduplicated"
    ).fetchall()[0]
    quarantined = con.sql("select count(*) from intermediate.int_leads_quarantined").fetchall()
    assert records + quarantined[0][0] == manifest["rows"]["leads"]
    # every planted duplicate record is folded into its person (a few may be quarantined)
    merged = records - people
    assert manifest["planted"]["leads_duplicate_records"] - quarantined[0][0] <= merged
    assert merged <= manifest["planted"]["leads_duplicate_records"]
    # their events follow them to the surviving id
    moved = con.sql(
        "select count(*) from intermediate.int_events_cleaned where source_lead_id != lead_id"
    ).fetchall()[0][0]
    assert moved >= 0.95 * manifest["planted"]["events_on_duplicate_records"]


def test_tiers_follow_the_seed_thresholds(con):
    wrong = con.sql(
        """
        select count(*) from marts.lead_scores as s
        join config.score_tiers as t on s.tier = t.tier
        where s.score < t.min_score or s.score > t.max_score
           or s.score != cast(round(s.probability * 100) as integer)
        """
    ).fetchall()[0][0]
    assert wrong == 0
    tiers = {r[0] for r in con.sql("select distinct tier from marts.lead_scores").fetchall()}
    assert {"hot", "cold"} <= tiers


def test_sources_are_standardised_through_the_seed(con, small_raw):
    channels = dict(
        con.sql(
            "select channel, count(*) from intermediate.int_leads_deduplicated group by 1"
        ).fetchall()
    )
    assert {"linkedin", "paid_search", "referral", "other", "unknown"} <= set(channels)
    assert "LinkedIn Ads" not in channels


def test_quarantine_catches_planted_event_mess(con, small_raw):
    planted = json.loads((small_raw / "_manifest.json").read_text())["planted"]
    reasons = dict(
        con.sql(
            "select quarantine_reason, count(*) from intermediate.int_events_quarantined group by 1"
        ).fetchall()
    )
    assert reasons["unknown_lead"] == planted["events_unknown_lead"]
    assert reasons["unparseable_occurred_at"] == planted["events_unparseable_occurred_at"]
    # a planted row of a lead whose own record was quarantined is counted there instead
    for reason, key in (
        ("future_dated", "events_future_dated"),
        ("unknown_event_type", "events_unknown_type"),
        ("invalid_duration", "events_bad_duration"),
    ):
        assert planted[key] - reasons.get("lead_quarantined", 0) <= reasons[reason] <= planted[key]


def test_holdout_auc_is_close_to_the_oracle(con, small_raw):
    auc, horizon = con.sql(
        "select holdout_auc, prediction_horizon_days from ml.ml_model_registry"
    ).fetchall()[0]
    holdout = con.sql(
        "select lead_id, as_of, label from ml.ml_training_examples where snapshot_role = 'holdout'"
    ).pl()
    oracle = oracle_probabilities(small_raw, holdout, horizon)
    assert oracle["oracle_probability"].null_count() == 0  # open in the data = open in truth
    best = roc_auc(oracle["label"].to_numpy(), oracle["oracle_probability"].to_numpy())
    assert auc > 0.75
    assert auc > 0.85 * best


def test_training_examples_are_point_in_time_labelled(con):
    """label = converted within the horizon after as_of, never before it."""
    bad = con.sql(
        """
        select count(*) from ml.ml_training_examples as e
        join (
            select lead_id, min(changed_at) as converted_at
            from intermediate.int_stage_changes_mapped where stage = 'customer' group by 1
        ) as c using (lead_id)
        where c.converted_at < e.as_of
           or (e.label != (c.converted_at < e.as_of + interval 90 day))
        """
    ).fetchall()[0][0]
    assert bad == 0
