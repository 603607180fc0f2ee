"""`dbt build` on HubSpot and Salesforce data as Fivetran syncs it (var crm).

The fixtures are the demo generator's journeys written in the connectors' own tables
and column names (`leadscore.demo.crm_fixtures`): merged contacts and leads, deleted and
history-mode rows, a deal with several contacts, e-mail events of every type.
HubSpot runs with every table and lowered training minimums (a model is trained);
Salesforce runs with two optional tables absent and the default minimums (cold
start: rules scores).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import run_dbt
from leadscore.demo.crm_fixtures import connector_tables, fixture_config, generate_connector
from leadscore.demo.generator import generate
from tests_support import run_dbt_command

# 3,000 contacts: the model learns from the contacts sales does not own yet (var
# handoff_stage); with 1,200 the holdout held about a dozen conversions and its AUC
# was noise (0.47)
HUBSPOT = fixture_config(n_leads=3000, seed=21, events_per_lead=10)
SALESFORCE = fixture_config(n_leads=1200, seed=22, events_per_lead=10)
SF_ABSENT = ("event", "lead_history")
TRAIN_SMALL = {
    "min_labelled_leads": 200,
    "min_conversions": 20,
    "catboost_iterations": 100,
    "param_search_trials": 1,
}


def _build(crm: str, tmp: Path, cfg, omit=(), extra: dict | None = None) -> tuple[Path, str]:
    db = tmp / "crm.duckdb"
    generate_connector(crm, cfg, db, omit=omit)
    result = run_dbt(["build"], db, tmp, tmp, {"crm": crm, **(extra or {})})
    return db, result.stdout


@pytest.fixture(scope="module")
def hubspot(tmp_path_factory):
    db, log = _build("hubspot", tmp_path_factory.mktemp("hubspot"), HUBSPOT, extra=TRAIN_SMALL)
    con = duckdb.connect(str(db), read_only=True)
    yield con, log
    con.close()


@pytest.fixture(scope="module")
def salesforce(tmp_path_factory):
    db, log = _build("salesforce", tmp_path_factory.mktemp("salesforce"), SALESFORCE, SF_ABSENT)
    con = duckdb.connect(str(db), read_only=True)
    yield con, log
    con.close()


def one(con, sql: str):
    return con.sql(sql).fetchall()[0][0]


def ids(con, sql: str) -> set:
    return {r[0] for r in con.sql(sql).fetchall()}


# -- HubSpot --------------------------------------------------------------------


def test_hubspot_open_contacts_get_model_scores_keyed_by_contact_id(hubspot):
    con, log = hubspot
    assert "hubspot connector: required tables present; 0 optional table(s) absent" in log
    # open contacts: scored before the hand-over to sales, in_pipeline after it
    listed = ids(con, "select lead_id from marts.lead_scores")
    scored = ids(con, "select lead_id from marts.lead_scores where status = 'scored'")
    assert len(scored) == one(con, "select count(*) from ml.ml_scoring_examples") > 100
    assert len(listed - scored) > 0
    assert ids(
        con, "select distinct score_source from marts.lead_scores where status = 'scored'"
    ) == {"model"}
    status, auc = con.sql("select status, holdout_auc from ml.ml_model_registry").fetchall()[0]
    assert status == "champion" and auc > 0.7
    # every score belongs to a live, unmerged HubSpot contact, under its own id
    live = ids(
        con,
        """select cast(id as varchar) from hubspot.contact where not _fivetran_deleted""",
    )
    assert listed <= live
    sync = con.sql(
        "select lead_id, ml_lead_score, ml_lead_tier from marts.crm_lead_sync "
        "where ml_lead_status = 'scored'"
    ).pl()
    assert set(sync["lead_id"]) == scored
    assert sync["ml_lead_score"].is_between(0, 100).all()
    assert set(sync["ml_lead_tier"]) <= {"hot", "warm", "cool", "cold"}


def test_hubspot_merged_contacts_follow_the_survivor(hubspot):
    con, _ = hubspot
    # today's connector lists merged ids on the survivor in property_hs_merged_object_ids
    merges = con.sql(
        """
        select cast(id as varchar) as survivor, entry as merged
        from (select id, unnest(string_split(property_hs_merged_object_ids, ';')) as entry
              from hubspot.contact where property_hs_merged_object_ids is not null)
        """
    ).fetchall()
    assert len(merges) > 10
    merged = {m for _, m in merges}
    people = ids(con, "select lead_id from intermediate.int_leads_deduplicated")
    assert not merged & people, "a merged-away contact is not a person of its own"
    # engagements logged on the merged-away id land on the survivor
    moved = con.sql(
        """
        select split_part(event_id, ':', 3) as contact_id, lead_id
        from intermediate.int_events_cleaned where event_id like 'engagement:%'
        """
    ).fetchall()
    survivor_of = dict((m, s) for s, m in merges)
    on_merged = [(c, lead) for c, lead in moved if c in survivor_of]
    assert len(on_merged) > 0
    assert all(lead == survivor_of[c] for c, lead in on_merged)
    # the generic e-mail de-duplication has nothing left to do
    assert (
        one(con, "select sum(record_count) - count(*) from intermediate.int_leads_deduplicated")
        == 0
    )


def test_hubspot_email_events_of_every_type(hubspot):
    con, _ = hubspot
    raw = dict(con.sql("select type, count(*) from hubspot.email_event group by 1").fetchall())
    assert {"SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "STATUSCHANGE"} <= set(raw)
    events = dict(
        con.sql(
            """select event_type, count(*) from intermediate.int_events_cleaned
               where event_id like 'email_event:%' group by 1"""
        ).fetchall()
    )
    # sent and delivered are not actions of the lead: seed crm_activity_types drops them
    assert events == {
        "email_open": raw["OPEN"],
        "email_click": raw["CLICK"],
        "email_bounce": raw["BOUNCE"],
        "unsubscribe": raw["STATUSCHANGE"],
    }
    # a click carries the path of the link it followed (query string dropped)
    pricing = one(
        con,
        """select count(*) from intermediate.int_events_cleaned
           where event_type = 'email_click' and page_path = '/pricing'""",
    )
    links = "select count(*) from hubspot.email_event_click where url like '%/pricing?%'"
    assert pricing == one(con, links) > 0
    assert one(con, "select count(*) from intermediate.int_events_quarantined") == 0


def test_hubspot_engagements_and_forms_become_product_events(hubspot):
    con, _ = hubspot
    # today's schema: engagement has no time; each type's table has property_hs_timestamp
    # and its own deleted flag
    assert "timestamp" not in con.sql("select * from hubspot.engagement limit 0").columns
    expected = dict(
        con.sql(
            """
            select case a.type when 'INCOMING_EMAIL' then 'email_reply' else 'sales_call' end,
                   count(*)
            from hubspot.engagement_contact as c
            join (select engagement_id, type, _fivetran_deleted from hubspot.engagement_call
                  union all select engagement_id, type, _fivetran_deleted
                  from hubspot.engagement_meeting
                  union all select engagement_id, type, _fivetran_deleted
                  from hubspot.engagement_email) as a using (engagement_id)
            where not a._fivetran_deleted group by 1
            """
        ).fetchall()
    )
    # the form's own name decides the type, not the title of the page it was on
    forms = dict(
        con.sql(
            """
            select case when f.name ilike '%demo%' then 'demo_request'
                        when f.name ilike '%ebook%' then 'content_download'
                        else 'form_submit' end, count(*)
            from hubspot.contact_form_submission as s join hubspot.form as f on s.form_id = f.guid
            group by 1
            """
        ).fetchall()
    )
    got = dict(
        con.sql(
            """select event_type, count(*) from intermediate.int_events_cleaned
               where event_id not like 'email_event:%' group by 1"""
        ).fetchall()
    )
    assert got == {**expected, **forms}
    # notes and deleted calls never become events
    assert one(con, "select count(*) from hubspot.engagement_call where _fivetran_deleted") > 0
    assert one(con, "select count(*) from hubspot.engagement where type = 'NOTE'") > 0
    # page titles alone would have typed some submissions differently
    assert (
        one(
            con,
            """select count(*) from hubspot.contact_form_submission as s
           join hubspot.form as f on s.form_id = f.guid
           where (s.title ilike '%demo%') != (f.name ilike '%demo%')""",
        )
        > 0
    )


def test_hubspot_deal_with_several_contacts_and_lifecycle_labels(hubspot):
    con, _ = hubspot
    shared = con.sql(
        """
        select deal_id, contact_id from hubspot.deal_contact
        where deal_id in (select deal_id from hubspot.deal_contact group by 1 having count(*) > 1)
        """
    ).fetchall()
    assert len({d for d, _ in shared}) > 5
    opportunities = ids(con, "select opportunity_id from intermediate.int_opportunities_mapped")
    assert {f"{d}:{c}" for d, c in shared} <= opportunities
    # the deleted deal is not an opportunity
    assert not any(o.startswith("399999:") for o in opportunities)
    # every contact of a won deal is a customer by the time the deal entered closedwon
    won = con.sql(
        """
        select cast(dc.contact_id as varchar), max(ds.date_entered)
        from hubspot.deal as d
        join hubspot.deal_contact as dc using (deal_id)
        join hubspot.deal_stage as ds
            on ds.deal_id = d.deal_id and ds.value = d.deal_pipeline_stage_id
        where d.deal_pipeline_stage_id = 'closedwon' and not d.is_deleted
        group by 1
        """
    ).fetchall()
    customer_at = dict(
        con.sql(
            "select lead_id, min(changed_at) from intermediate.int_stage_changes_mapped "
            "where stage = 'customer' group by 1"
        ).fetchall()
    )
    assert len(won) > 20
    assert all(contact in customer_at and customer_at[contact] <= at for contact, at in won)
    # lifecycle stages: HubSpot's values map onto the contract's, none quarantined
    assert one(con, "select count(*) from intermediate.int_stage_changes_quarantined") == 0
    mql = one(
        con,
        """select count(distinct contact_id) from hubspot.contact_property_history
           where name = 'lifecyclestage' and value = 'marketingqualifiedlead'
             and cast(contact_id as varchar) in (
                 select lead_id from intermediate.int_leads_deduplicated)""",
    )
    assert mql == one(
        con,
        "select count(distinct lead_id) from intermediate.int_stage_changes_mapped "
        "where stage = 'mql'",
    )
    # conversion_stage 'customer' is reached, so training examples carry positive labels
    assert one(con, "select count(*) from ml.ml_training_examples where label") > 20


# -- Salesforce -----------------------------------------------------------------


def test_salesforce_open_leads_get_rules_scores_with_optional_tables_absent(salesforce):
    con, log = salesforce
    for table in SF_ABSENT:
        assert f"salesforce.{table} is absent (optional): disabled" in log
    assert "lifecycle: cold start" in log
    scored = ids(con, "select lead_id from marts.lead_scores")  # scored and in_pipeline
    assert (
        one(con, "select count(*) from ml.ml_scoring_examples")
        == one(con, "select count(*) from marts.lead_scores where status = 'scored'")
        > 100
    )
    assert ids(
        con, "select distinct score_source from marts.lead_scores where status = 'scored'"
    ) == {"rules"}
    # keyed by the Salesforce lead id of a live lead
    live = ids(con, "select id from salesforce.lead where _fivetran_active and not is_deleted")
    assert scored <= live and all(i.startswith("00Q") for i in scored)
    # converted leads are read-only in Salesforce: scored, but not synced back
    converted = ids(con, "select id from salesforce.lead where is_converted") & scored
    assert converted
    assert ids(con, "select lead_id from marts.crm_lead_sync") == scored - converted
    # calls (task) are events; demos (the absent event table) are not
    types = ids(con, "select distinct event_type from intermediate.int_events_cleaned")
    assert types == {"sales_call"}
    calls = one(
        con,
        """select count(*) from salesforce.task
           where type = 'Call' and is_closed and not is_deleted and who_id in (
               select id from salesforce.lead
               union all select converted_contact_id from salesforce.lead)""",
    )
    assert one(con, "select count(*) from intermediate.int_events_cleaned") == calls


def test_salesforce_stages_from_status_conversion_and_opportunities(salesforce):
    con, _ = salesforce
    stages = dict(
        con.sql(
            "select stage, count(distinct lead_id) from intermediate.int_stage_changes_mapped "
            "group by 1"
        ).fetchall()
    )
    won = one(
        con,
        """select count(*) from salesforce.opportunity o join salesforce.lead l
           on l.converted_opportunity_id = o.id where o.is_won and not l.is_deleted""",
    )
    converted = one(
        con, "select count(*) from salesforce.lead where is_converted and not is_deleted"
    )
    assert stages["customer"] == won > 20
    assert stages["sql"] == converted
    # without lead_history, a closed status still closes the lead (at last_modified_date)
    assert stages["disqualified"] > 0
    assert one(con, "select count(*) from intermediate.int_stage_changes_quarantined") == 0
    # history-mode versions (_fivetran_active = false) and merged leads are not people
    people = one(con, "select count(*) from intermediate.int_leads_deduplicated")
    live_or_deleted = one(
        con,
        """select count(*) from salesforce.lead
           where _fivetran_active and not (is_deleted and master_record_id is not null)""",
    )
    assert people == live_or_deleted
    assert one(con, "select count(*) from staging.stg_crm__leads where email like 'old.%'") == 0


def test_salesforce_qualification_answers_from_fivetran_custom_fields(salesforce):
    # Fivetran writes custom field Budget_Range__c as budget_range_c (the var's default)
    con, _ = salesforce
    columns = con.sql("select * from salesforce.lead limit 0").columns
    assert "budget_range_c" in columns and "budget_range__c" not in columns
    raw = con.sql(
        """select id, budget_range_c, stated_need_c from salesforce.lead
           where _fivetran_active and not (is_deleted and master_record_id is not null)
             and budget_range_c is not null"""
    ).fetchall()
    got = con.sql(
        """select lead_id, budget_range, stated_need from staging.stg_salesforce__leads
           where budget_range is not null"""
    ).fetchall()
    assert len(raw) > 100 and sorted(got) == sorted(raw)


# -- fixtures and pre-flight ----------------------------------------------------


def test_connector_fixtures_are_deterministic(tmp_path):
    raw = tmp_path / "raw"
    generate(fixture_config(n_leads=200, seed=3, events_per_lead=5), raw, log=lambda _: None)
    for crm in ("hubspot", "salesforce"):
        first = {k: v.fetchall() for k, v in connector_tables(crm, raw).items()}
        again = {k: v.fetchall() for k, v in connector_tables(crm, raw).items()}
        assert first == again
        assert all(first.values()), f"{crm}: every table has rows"


def test_missing_required_connector_table_stops_the_build(tmp_path):
    db = tmp_path / "empty.duckdb"
    result = run_dbt_command(["build"], db, tmp_path, {"crm": "salesforce"})
    assert result.returncode != 0
    assert "salesforce.lead: table not found" in result.stdout
    assert "salesforce_database / salesforce_schema" in result.stdout
