"""Rep verdicts from the CRM field a rep sets (var crm_feedback_field) in the hubspot and
salesforce modes.

Shaped after the connectors' history tables: HubSpot writes every value a user sets on
a contact property to contact_property_history (source CRM_UI, source_id = the user);
Salesforce writes tracked lead-field changes to lead_history (new_value, created_date,
created_by_id). The verdicts are written as a rep would, in any case.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from conftest import run_dbt
from leadscore.demo.crm_fixtures import fixture_config, generate_connector

CFG = fixture_config(n_leads=300, seed=31, events_per_lead=5)
WHEN = [datetime(2026, 9, 1, 10), datetime(2026, 9, 2, 11), datetime(2026, 9, 3, 12)]
VALUES = ["Good Fit", "bad_fit", "NOT READY"]


def _build(crm: str, tmp, plant) -> duckdb.DuckDBPyConnection:
    db = tmp / "crm.duckdb"
    generate_connector(crm, CFG, db)
    con = duckdb.connect(str(db))
    expected = plant(con)
    con.close()
    variables = {
        "crm": crm,
        "crm_feedback_field": "sales_verdict__c" if crm == "salesforce" else "sales_verdict",
    }
    run_dbt(
        ["build", "--select", "+int_sales_feedback_mapped", "+int_leads_deduplicated"],
        db,
        tmp,
        tmp,
        variables,
    )
    return duckdb.connect(str(db), read_only=True), expected


def _hubspot(con) -> set:
    # contacts that absorbed no merged contact and are not deleted: their id is the lead id
    contacts = [
        r[0]
        for r in con.sql(
            "select id from hubspot.contact where property_hs_merged_object_ids is null "
            "and not coalesce(_fivetran_deleted, false) order by id limit 3"
        ).fetchall()
    ]
    # the fixture leaves source_id untyped (all null); the connector syncs it as text
    con.execute("alter table hubspot.contact_property_history alter source_id type varchar")
    for contact, value, when in zip(contacts, VALUES, WHEN, strict=True):
        con.execute(
            "insert into hubspot.contact_property_history (contact_id, name, value, timestamp, "
            "source, source_id) values (?, 'sales_verdict', ?, ?, 'CRM_UI', 'U7')",
            [contact, value, when],
        )
    # another property is not a verdict
    con.execute(
        "insert into hubspot.contact_property_history (contact_id, name, value, timestamp, "
        "source, source_id) values (?, 'jobtitle', 'bad_fit', ?, 'CRM_UI', 'U7')",
        [contacts[0], WHEN[0]],
    )
    verdicts = ["good_fit", "bad_fit", "not_ready"]
    return {(str(c), "U7", v, w) for c, v, w in zip(contacts, verdicts, WHEN, strict=True)}


def _salesforce(con) -> set:
    leads = [
        r[0]
        for r in con.sql(
            "select id from salesforce.lead where not is_deleted order by id limit 3"
        ).fetchall()
    ]
    for lead, value, when in zip(leads, VALUES, WHEN, strict=True):
        con.execute(
            "insert into salesforce.lead_history (id, lead_id, field, old_value, new_value, "
            "created_date, data_type, is_deleted) values (?, ?, 'Sales_Verdict__c', null, ?, ?, "
            "'Text', false)",
            [f"{lead}-verdict", lead, value, when],
        )
    verdicts = ["good_fit", "bad_fit", "not_ready"]
    return {(lead, None, v, w) for lead, v, w in zip(leads, verdicts, WHEN, strict=True)}


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_the_crm_field_a_rep_sets_becomes_sales_feedback(crm, tmp_path):
    con, expected = _build(crm, tmp_path, _hubspot if crm == "hubspot" else _salesforce)
    got = set(
        con.sql(
            "select lead_id, rep_id, verdict, created_at "
            "from intermediate.int_sales_feedback_mapped"
        ).fetchall()
    )
    leads = {
        r[0] for r in con.sql("select lead_id from intermediate.int_leads_deduplicated").fetchall()
    }
    con.close()
    assert got == expected
    assert {g[0] for g in got} <= leads
