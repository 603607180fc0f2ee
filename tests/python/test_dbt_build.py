"""`dbt build` on a small generated CRM: the marts hold what they promise."""

from __future__ import annotations

import json

from leadscore.core.metrics import roc_auc
from leadscore.demo.generator.truth import oracle_probabilities


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
    # every planted duplicate record is folded into its person
    assert records - people == manifest["planted"]["leads_duplicate_records"] > 0
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


# manifest key -> (source_table, rule, column of marts.data_quality)
PLANTED_TO_RULE = {
    "leads_duplicate_records": ("leads", "duplicate_email", "rows_fixed"),
    "leads_unparseable_created_at": ("leads", "created_at_format", "rows_quarantined"),
    "leads_noncanonical_created_at": ("leads", "created_at_format", "rows_fixed"),
    "leads_missing_country": ("leads", "country_unknown", "rows_defaulted"),
    "leads_missing_job_title": ("leads", "job_title_missing", "rows_defaulted"),
    "leads_unmapped_source": ("leads", "lead_source_unmapped", "rows_defaulted"),
    "leads_missing_source": ("leads", "lead_source_missing", "rows_defaulted"),
    "leads_deleted": ("leads", "deleted", "rows_excluded"),
    "events_unparseable_occurred_at": ("events", "unparseable_occurred_at", "rows_quarantined"),
    "events_unknown_lead": ("events", "unknown_lead", "rows_quarantined"),
    "events_lead_quarantined": ("events", "lead_quarantined", "rows_quarantined"),
    "events_future_dated": ("events", "future_dated", "rows_quarantined"),
    "events_unknown_event_type": ("events", "unknown_event_type", "rows_quarantined"),
    "events_invalid_duration": ("events", "invalid_duration", "rows_quarantined"),
    "events_type_variant": ("events", "event_type_spelling", "rows_fixed"),
    "events_on_duplicate_records": ("events", "remapped_to_surviving_lead", "rows_fixed"),
    "events_noncanonical_occurred_at": ("events", "occurred_at_format", "rows_fixed"),
    "stage_changes_lead_quarantined": (
        "lifecycle_stage_changes",
        "lead_quarantined",
        "rows_quarantined",
    ),
    "stage_changes_stage_variant": ("lifecycle_stage_changes", "stage_spelling", "rows_fixed"),
    "stage_changes_noncanonical_changed_at": (
        "lifecycle_stage_changes",
        "changed_at_format",
        "rows_fixed",
    ),
}


def test_data_quality_mart_counts_exactly_the_planted_mess(con, small_raw):
    planted = json.loads((small_raw / "_manifest.json").read_text())["planted"]
    assert set(planted) == set(PLANTED_TO_RULE), "every kind of planted mess is checked"
    dq = con.sql("select * from marts.data_quality").pl()
    assert dq["build_id"].n_unique() == 1
    for key, (table, rule, column) in PLANTED_TO_RULE.items():
        row = dq.filter((dq["source_table"] == table) & (dq["rule"] == rule))
        assert row.height == 1, (table, rule)
        assert row[column][0] == planted[key], f"{key}: {row[column][0]} != {planted[key]}"
        assert planted[key] > 0, f"the small dataset plants no {key}: the check is vacuous"


def test_every_quarantined_row_is_accounted_for(con):
    """Quarantine models and the data-quality mart agree; clean + quarantined = raw."""
    raw_events = con.sql("select count(*) from staging.stg_crm__events").fetchall()[0][0]
    clean = con.sql("select count(*) from intermediate.int_events_cleaned").fetchall()[0][0]
    quarantined = con.sql("select count(*) from intermediate.int_events_quarantined").fetchall()
    in_mart = con.sql(
        "select sum(rows_quarantined) from marts.data_quality where source_table = 'events'"
    ).fetchall()[0][0]
    assert clean + quarantined[0][0] == raw_events
    assert in_mart == quarantined[0][0]


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


def test_the_score_snapshot_keeps_scores_and_tiers_only(con):
    """Each version in the score history holds the score, tier, their source and model:
    not the lead's e-mail, owner or reasons (kept again for every changed lead at every
    build, they made the history grow by about 1 KB a version)."""
    columns = {
        row[0]
        for row in con.sql(
            "select column_name from information_schema.columns "
            "where table_schema = 'snapshots' and table_name = 'lead_scores_snapshot'"
        ).fetchall()
    }
    kept = {"lead_id", "score", "tier", "score_source", "model_id"}
    assert kept <= columns
    assert not {c for c in columns - kept if not c.startswith("dbt_")}, columns
    # every current version is the lead's row in lead_scores
    mismatched = con.sql(
        """
        with current_versions as (
            select * from marts.score_history where is_current
        )
        select count(*)
        from current_versions as history
        full outer join marts.lead_scores as scores on history.lead_id = scores.lead_id
        where
            history.lead_id is null
            or scores.lead_id is null
            or history.score is distinct from scores.score
            or history.tier is distinct from scores.tier
            or history.score_source is distinct from scores.score_source
            or history.model_id is distinct from scores.model_id
        """
    ).fetchall()[0][0]
    current = con.sql("select count(*) from marts.score_history where is_current").fetchall()[0][0]
    assert (
        mismatched == 0
        and current == con.sql("select count(*) from marts.lead_scores").fetchall()[0][0]
    )
