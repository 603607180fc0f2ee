"""`dbt build` in hubspot and salesforce mode on Fivetran's own integration-test seeds.

The CSV files in tests/fixtures/fivetran/ are copies of the seeds of Fivetran's dbt
packages (fivetran/dbt_hubspot, fivetran/dbt_salesforce; see the README there): each
file is one table as today's connector syncs it. They are loaded into DuckDB with the
column types Fivetran's own integration tests give them (their
integration_tests_dbt_project.yml, kept as .yml.txt so that dbt does not parse it),
the other columns inferred from the CSV as `dbt seed` does. The data is anonymised
(keys do not always join across tables), so the tests check schema conformance: every
number asserted below can be counted by hand in the CSV files.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot
import sqlglot.errors
import yaml
from sqlglot import expressions as exp

from conftest import PROJECT, run_dbt
from tests_support import run_dbt_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fivetran"


def seed_types(crm: str) -> dict[str, dict[str, str]]:
    """{table: {column: DuckDB type}} from Fivetran's integration_tests_dbt_project.yml
    (a type written as a Jinja expression is read for a non-BigQuery target)."""
    project = yaml.safe_load((FIXTURES / crm / "integration_tests_dbt_project.yml.txt").read_text())
    seeds = next(iter(project["seeds"][k] for k in project["seeds"] if k.endswith("_tests")))

    def duck(expr: str) -> str:
        expr = expr.lower()
        for word, dtype in (
            ("bigint", "BIGINT"),
            ("timestamp", "TIMESTAMP"),
            ("boolean", "BOOLEAN"),
            ("float", "DOUBLE"),
            ("varchar", "VARCHAR"),
            ("string", "VARCHAR"),
        ):
            if word in expr:
                return dtype
        raise ValueError(f"{crm}: column type {expr!r} not understood")

    common = {c.strip(): duck(t) for c, t in (seeds.get("+column_types") or {}).items()}
    types = {}
    for name, cfg in seeds.items():
        if name.startswith("+") or not isinstance(cfg, dict):
            continue
        cols = {c.strip(): duck(t) for c, t in (cfg.get("+column_types") or {}).items()}
        types[name] = {**common, **cols}
    types["*"] = common
    return types


def load_seeds(crm: str, db: Path) -> dict[str, int]:
    """Each <prefix><table>_data.csv as table <crm>.<table>; row counts."""
    types = seed_types(crm)
    con = duckdb.connect(str(db))
    counts = {}
    try:
        con.execute(f"create schema {crm}")
        for path in sorted((FIXTURES / crm).glob("*_data.csv")):
            seed = path.name.removesuffix(".csv")
            table = seed.removesuffix("_data").removeprefix("sf_")
            header = path.read_text().splitlines()[0].split(",")
            column_types = {c: t for c, t in types.get(seed, types["*"]).items() if c in header}
            con.execute(
                f"create table {crm}.{table} as select * from read_csv(?, header = true, "
                f"types = {column_types!r}, sample_size = -1)",
                [str(path)],
            )
            counts[table] = con.sql(f"select count(*) from {crm}.{table}").fetchall()[0][0]
    finally:
        con.close()
    return counts


def build(crm: str, tmp: Path, extra: dict | None = None):
    db = tmp / "fivetran.duckdb"
    counts = load_seeds(crm, db)
    result = run_dbt(["build"], db, tmp, tmp, {"crm": crm, **(extra or {})})
    return db, counts, result.stdout


# the qualification answers of the seed's lead live in three of its 329 custom fields;
# one is named with Salesforce's API spelling (__c), the others as Fivetran writes them
SF_ANSWERS = {
    "budget_range": "mql_reason_c",
    "purchase_timeline": "contact_stage_c",
    "stated_need": "potential_fivetran_use_case__c",
}


@pytest.fixture(scope="module")
def hubspot(tmp_path_factory):
    db, counts, log = build("hubspot", tmp_path_factory.mktemp("fivetran_hubspot"))
    con = duckdb.connect(str(db), read_only=True)
    yield con, counts, log
    con.close()


@pytest.fixture(scope="module")
def salesforce(tmp_path_factory):
    db, counts, log = build(
        "salesforce",
        tmp_path_factory.mktemp("fivetran_salesforce"),
        {"salesforce_qualification_fields": SF_ANSWERS},
    )
    con = duckdb.connect(str(db), read_only=True)
    yield con, counts, log
    con.close()


def rows(con, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


def quality(con, source_table: str, rule: str) -> int:
    return rows(
        con,
        f"""select rows_quarantined from marts.data_quality
            where source_table = '{source_table}' and rule = '{rule}'
            and built_at = (select max(built_at) from marts.data_quality)""",
    )[0][0]


# -- HubSpot --------------------------------------------------------------------


def test_seed_types_follow_fivetran(hubspot):
    con, counts, _ = hubspot
    assert counts["contact"] == 22 and counts["engagement"] == 1 and counts["form"] == 5
    types = dict(
        rows(
            con,
            """select table_name || '.' || column_name, data_type from information_schema.columns
               where table_schema = 'hubspot'""",
        )
    )
    assert types["engagement_call.property_hs_timestamp"] == "TIMESTAMP"
    assert types["contact_form_submission.form_id"] == "BIGINT"
    assert types["form.guid"] == "BIGINT"


# contact_data.csv: 78971951 absorbed three contacts that HubSpot merged into it
MERGED_INTO_78971951 = [
    ("46897301", "78971951"),
    ("76226001", "78971951"),
    ("76340251", "78971951"),
]


def merged_contacts(con) -> list:
    return rows(
        con,
        "select contact_id, lead_id from staging.stg_hubspot__contact_merges "
        "where is_merged order by contact_id",
    )


def test_hubspot_merged_contacts_collapse_to_the_survivor(hubspot):
    # contact_data.csv: 22 contacts; 78971951 lists three merged ids in
    # property_hs_merged_object_ids ('76340251;46897301;76226001')
    con, _, _ = hubspot
    assert merged_contacts(con) == MERGED_INTO_78971951
    leads = {r[0] for r in rows(con, "select lead_id from staging.stg_hubspot__leads")}
    assert len(leads) == 19 and "78971951" in leads
    assert not leads & {"46897301", "76226001", "76340251"}
    assert rows(con, "select count(*) from intermediate.int_leads_deduplicated")[0][0] == 19


def test_hubspot_engagements_get_their_time_from_the_type_tables(hubspot):
    # engagement_data.csv: one CALL (19732910159) with no timestamp column (today's
    # schema); engagement_call_data.csv: its property_hs_timestamp 2014-08-27 20:50:44.778;
    # engagement_contact_data.csv: associated with contact 501
    con, _, _ = hubspot
    events = rows(
        con,
        """select event_id, lead_id, cast(occurred_at as varchar), event_type
           from staging.stg_hubspot__events where event_id like 'engagement:%'""",
    )
    assert events == [
        ("engagement:19732910159:501", "501", "2014-08-27 20:50:44.778", "sales_call")
    ]
    # contact 501 is not in contact_data.csv (anonymised seed): quarantined for that
    # reason, and nothing at all for a missing time
    reasons = dict(
        rows(
            con,
            """select event_id, quarantine_reason from intermediate.int_events_quarantined
               where event_id like 'engagement:%'""",
        )
    )
    assert reasons == {"engagement:19732910159:501": "unknown_lead"}
    assert quality(con, "events", "unparseable_occurred_at") == 0


def test_hubspot_form_types_from_the_form_name(hubspot):
    # contact_form_submission_data.csv: 5 submissions of forms 123, 456, 789, 012, 345;
    # form_data.csv names them Newsletter Signup, Download Guide, Contact Us,
    # Request Demo, Signup Form (seed crm_activity_types: 'download' -> content_download,
    # 'demo' -> demo_request, any other -> form_submit)
    con, _, _ = hubspot
    types = dict(
        rows(
            con,
            """select event_type, count(*) from staging.stg_hubspot__events
               where event_id like 'form_submission:%' group by 1""",
        )
    )
    assert types == {"form_submit": 3, "content_download": 1, "demo_request": 1}


def test_hubspot_every_dropped_row_is_counted(hubspot):
    # email_event_data.csv: 100 events, 90 OPEN (filtered_event false), 4 SENT,
    # 3 DELIVERED, 3 PROCESSED (filtered_event true): SENT / DELIVERED / PROCESSED are
    # not actions of a lead (seed crm_activity_types).
    # Recipients are hashed (no contact has that e-mail) and the 5 form submissions and
    # the call belong to contacts 1..5 and 501, absent from contact_data.csv.
    con, _, _ = hubspot
    opens = rows(
        con,
        "select count(*) from staging.stg_hubspot__events where event_type = 'email_open'",
    )[0][0]
    assert opens == 90
    assert quality(con, "events", "unknown_lead") == 90 + 5 + 1
    assert rows(con, "select count(*) from intermediate.int_events_cleaned")[0][0] == 0


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_source_freshness_on_fivetran_synced(crm, tmp_path):
    # the seeds were synced in 2020-2024 (_fivetran_synced): far past error_after
    db = tmp_path / "freshness.duckdb"
    load_seeds(crm, db)
    result = run_dbt_command(["source", "freshness"], db, tmp_path, {"crm": crm})
    table = {"hubspot": "contact", "salesforce": "lead"}[crm]
    assert result.returncode != 0, result.stdout[-3000:]
    assert f"freshness of {crm}.{table}" in result.stdout, result.stdout[-3000:]
    assert "ERROR STALE" in result.stdout, result.stdout[-3000:]


def test_hubspot_older_syncs_fall_back_to_the_legacy_columns(tmp_path):
    """The same seed as an older sync has it: merged ids in
    property_hs_calculated_merged_vids ('<vid>:<epoch ms>;...'), the engagement's time
    and status on engagement itself, no type tables and no form table."""
    db = tmp_path / "legacy.duckdb"
    load_seeds("hubspot", db)
    con = duckdb.connect(str(db))
    con.execute(
        """
        alter table hubspot.contact add column property_hs_calculated_merged_vids varchar;
        update hubspot.contact set property_hs_calculated_merged_vids = (
            select string_agg(v || ':1617298367000', ';')
            from unnest(string_split(property_hs_merged_object_ids, ';')) as t(v))
        where property_hs_merged_object_ids is not null;
        alter table hubspot.contact drop column property_hs_merged_object_ids;
        alter table hubspot.engagement add column timestamp timestamp;
        alter table hubspot.engagement add column active boolean;
        update hubspot.engagement set timestamp = '2014-08-27 20:50:44.778', active = true;
        drop table hubspot.engagement_call; drop table hubspot.engagement_meeting;
        drop table hubspot.engagement_email; drop table hubspot.engagement_note;
        drop table hubspot.engagement_task; drop table hubspot.form;
        """
    )
    con.close()
    run_dbt(
        ["build", "--select", "+path:models/staging/hubspot"],
        db,
        tmp_path,
        tmp_path,
        {"crm": "hubspot"},
    )
    con = duckdb.connect(str(db), read_only=True)
    assert merged_contacts(con) == MERGED_INTO_78971951
    events = rows(
        con,
        """select event_id, cast(occurred_at as varchar), event_type
           from staging.stg_hubspot__events where event_id like 'engagement:%'""",
    )
    assert events == [("engagement:19732910159:501", "2014-08-27 20:50:44.778", "sales_call")]
    # without form, the type comes from the submission's title
    forms = rows(
        con,
        """select count(*) from staging.stg_hubspot__events
           where event_id like 'form_submission:%' and event_type = 'demo_request'""",
    )
    assert forms == [(1,)]
    con.close()


# -- Salesforce -----------------------------------------------------------------


def test_salesforce_custom_fields_in_both_spellings(salesforce):
    # sf_lead_data.csv: the one lead 00Q1G00000nDnM5UAK has mql_reason_c = Website,
    # contact_stage_c = Prospect, potential_fivetran_use_case_c = Unknown
    con, counts, _ = salesforce
    assert counts["lead"] == 1
    answers = rows(
        con,
        """select lead_id, budget_range, purchase_timeline, stated_need
           from staging.stg_salesforce__leads""",
    )
    assert answers == [("00Q1G00000nDnM5UAK", "Website", "Prospect", "Unknown")]


def test_salesforce_unknown_status_is_counted_with_its_value(salesforce):
    # sf_lead_data.csv: status 'Converted' is not in seed crm_stage_mapping
    con, _, _ = salesforce
    quarantined = rows(
        con,
        """select source_lead_id, stage, quarantine_reason
           from intermediate.int_stage_changes_quarantined""",
    )
    assert quarantined == [("00Q1G00000nDnM5UAK", "converted", "unknown_stage")]
    assert quality(con, "lifecycle_stage_changes", "unknown_stage") == 1
    description = rows(
        con,
        """select description from marts.data_quality
           where source_table = 'lifecycle_stage_changes' and rule = 'unknown_stage'""",
    )
    assert description == [("stage change quarantined: unknown stage (values: converted)",)]


# -- portable SQL ---------------------------------------------------------------

WAREHOUSES = ("snowflake", "bigquery", "databricks")
# DuckDB functions the warehouses above lack (or spell differently)
DUCKDB_ONLY = {"string_split", "regexp_matches", "regexp_extract", "epoch_ms", "strptime", "list"}


def portability_problems(sql: str, dialect: str) -> list[str]:
    """What `dialect` cannot run in a compiled model: a parse error, DuckDB-only
    functions, regexp_replace with DuckDB's 'g' flag, unnest in a select list,
    a select with a where but no from, a quoted lower-case column name (Fivetran's
    columns are unquoted upper case on Snowflake)."""
    try:
        trees = sqlglot.parse(sql, read=dialect)
    except sqlglot.errors.ParseError as error:
        return [f"{dialect} cannot parse it: {str(error).splitlines()[0]}"]
    problems = []
    for tree in trees:
        for node in tree.walk():
            if isinstance(node, exp.Anonymous) and node.name.lower() in DUCKDB_ONLY:
                problems.append(f"DuckDB-only function {node.name}")
            elif isinstance(node, exp.Func) and node.sql_name().lower() in DUCKDB_ONLY:
                problems.append(f"DuckDB-only function {node.sql_name()}")
            if isinstance(node, exp.RegexpReplace):
                flags = [node.args.get(k) for k in ("modifiers", "position")]
                if any(isinstance(f, exp.Literal) and f.is_string for f in flags):
                    problems.append(f"regexp_replace with flags: {node.sql(dialect='duckdb')}")
            if isinstance(node, exp.Unnest) and node.find_ancestor(exp.From, exp.Join) is None:
                problems.append("unnest in a select list")
            no_from = not node.args.get("from_")
            if isinstance(node, exp.Select) and node.args.get("where") and no_from:
                problems.append(f"select without from: {node.sql(dialect='duckdb')[:80]}")
            name = node.this if isinstance(node, exp.Column) else None
            if isinstance(name, exp.Identifier) and name.quoted and name.name != name.name.upper():
                problems.append(f"quoted lower-case column {name.name}")
    return problems


def test_portability_check_catches_duckdb_constructs():
    # the constructs the adapters used before they were made portable
    bad = """
        select unnest(string_split(a, ';')) as x,
            regexp_extract(b, '^(/[^?]*)', 1) as p,
            regexp_replace(c, '[ ]+', ' ', 'g') as k,
            cast("id" as varchar) as id
        from t
        union all select 1, 2, 3, 4 where 1 = 0
    """
    found = " | ".join(portability_problems(bad, "snowflake"))
    for problem in (
        "string_split",
        "regexp_extract",
        "regexp_replace with flags",
        "unnest",
        "select without from",
        "quoted lower-case column id",
    ):
        assert problem.lower() in found.lower(), (problem, found)


@pytest.mark.parametrize("crm", ["hubspot", "salesforce"])
def test_adapters_compile_to_sql_the_warehouses_parse(crm, tmp_path):
    """Every adapter model compiled for Snowflake, BigQuery and Databricks (var
    crm_sql_dialect) on Fivetran's tables, parsed by sqlglot with that dialect."""
    db = tmp_path / "compile.duckdb"
    load_seeds(crm, db)
    problems = []
    for dialect in WAREHOUSES:
        out = tmp_path / dialect
        run_dbt(
            ["compile", "--select", f"path:models/staging/{crm}"],
            db,
            tmp_path,
            out,
            {"crm": crm, "crm_sql_dialect": dialect},
        )
        compiled = sorted((out / "target" / "compiled").rglob(f"staging/{crm}/*.sql"))
        # every adapter model of the folder was compiled (none skipped or disabled)
        models = {p.name for p in (PROJECT / "models" / "staging" / crm).glob("*.sql")}
        assert {p.name for p in compiled} == models, compiled
        for path in compiled:
            problems += [
                f"{dialect} {path.name}: {p}"
                for p in portability_problems(path.read_text(), dialect)
            ]
    assert not problems, "\n".join(problems)
