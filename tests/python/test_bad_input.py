"""Deliberately corrupted raw data: each case either builds, with data-quality counts
equal to what was injected, or stops before any model runs with a message naming the
table, the column and the problem. Never a silent loss, never a bare traceback.

The base export has no planted mess at all, so every count below is the injection.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from leadscore.demo.generator import GeneratorConfig, generate
from tests_support import run_dbt_command

CLEAN = GeneratorConfig(
    n_leads=1500,
    seed=5,
    events_per_lead=10,
    duplicate_rate=0,
    unknown_lead_event_rate=0,
    future_event_rate=0,
    bad_duration_rate=0,
    unknown_event_type_rate=0,
    unparseable_timestamp_rate=0,
)


@pytest.fixture(scope="module")
def clean_raw(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "crm"
    generate(CLEAN, out, log=lambda _: None)
    return out


def read(raw: Path, table: str) -> pl.DataFrame:
    return pl.read_parquet(raw / table / "*.parquet")


def write(raw: Path, table: str, frame: pl.DataFrame | pa.Table) -> None:
    shutil.rmtree(raw / table)
    (raw / table).mkdir()
    if isinstance(frame, pa.Table):
        pq.write_table(frame, raw / table / "part-00000.parquet")
    else:
        frame.write_parquet(raw / table / "part-00000.parquet")


def build(
    raw: Path, tmp: Path, *flags: str, extra_vars: dict | None = None
) -> subprocess.CompletedProcess:
    variables = {"raw_data_path": str(raw), "catboost_iterations": 50, **(extra_vars or {})}
    return run_dbt_command(["build", *flags], tmp / "db.duckdb", tmp, variables)


def dq(tmp: Path) -> dict[tuple[str, str], dict[str, int]]:
    con = duckdb.connect(str(tmp / "db.duckdb"), read_only=True)
    rows = con.sql("select * from marts.data_quality").pl().to_dicts()
    con.close()
    return {(r["source_table"], r["rule"]): r for r in rows}


# -- corruptions: each returns what it injected ---------------------------------


def wrong_types(raw: Path) -> dict:
    accounts = read(raw, "accounts").with_columns(pl.col("employee_count").cast(pl.String))
    given = accounts["employee_count"].is_not_null().to_numpy().nonzero()[0][:17]
    text = accounts["employee_count"].to_list()
    for i in given:
        text[i] = "many"
    write(raw, "accounts", accounts.with_columns(employee_count=pl.Series(text)))
    # epoch seconds as an integer column, booleans as 'yes'/'no' text
    leads = read(raw, "leads")
    epoch = duckdb.sql(
        "select epoch(strptime(created_at, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', "
        "'%Y-%m-%dT%H:%M:%S%z', '%m/%d/%Y %H:%M:%S'])::timestamptz)::bigint as e from leads "
        "where not regexp_matches(created_at, '^[0-9]+$') union all "
        "select created_at::bigint from leads where regexp_matches(created_at, '^[0-9]+$')"
    )
    assert epoch.shape[0] == leads.height
    leads = leads.with_columns(
        is_deleted=pl.when(pl.col("is_deleted")).then(pl.lit("yes")).otherwise(pl.lit("no"))
    )
    write(raw, "leads", leads)
    return {("accounts", "invalid_employee_count", "rows_defaulted"): 17}


def missing_column(raw: Path) -> dict:
    write(raw, "events", read(raw, "events").drop("occurred_at"))
    return {"stops": ["crm.events.occurred_at", "missing"]}


def empty_leads(raw: Path) -> dict:
    write(raw, "leads", read(raw, "leads").clear())
    return {"stops": ["crm.leads", "empty"]}


def empty_events(raw: Path) -> dict:
    write(raw, "events", read(raw, "events").clear())
    return {("events", "occurred_at_format", "rows_checked"): 0}


def null_keys(raw: Path) -> dict:
    leads = read(raw, "leads").sort("lead_id")
    lost = leads["lead_id"].head(5)
    write(
        raw,
        "leads",
        leads.with_columns(
            lead_id=pl.when(pl.col("lead_id").is_in(lost.implode()))
            .then(None)
            .otherwise(pl.col("lead_id"))
        ),
    )
    events = read(raw, "events").with_row_index("i")
    of_lost = events.filter(pl.col("lead_id").is_in(lost.implode())).height
    kept = events.filter(~pl.col("lead_id").is_in(lost.implode()))["i"]
    no_event_id, no_lead_id = kept[:7], kept[7:18]
    events = events.with_columns(
        event_id=pl.when(pl.col("i").is_in(no_event_id.implode()))
        .then(None)
        .otherwise(pl.col("event_id")),
        lead_id=pl.when(pl.col("i").is_in(no_lead_id.implode()))
        .then(None)
        .otherwise(pl.col("lead_id")),
    ).drop("i")
    write(raw, "events", events)
    return {
        ("leads", "missing_lead_id", "rows_quarantined"): 5,
        ("events", "missing_event_id", "rows_quarantined"): 7,
        ("events", "missing_lead_id", "rows_quarantined"): 11,
        ("events", "unknown_lead", "rows_quarantined"): of_lost,
    }


def every_lead_duplicated(raw: Path) -> dict:
    leads = read(raw, "leads")
    twins = leads.with_columns(
        lead_id=pl.lit("DUP-") + pl.col("lead_id"),
        email=pl.col("email").str.to_uppercase(),
        created_at=pl.lit("2026-10-31 23:00:00"),
    )
    write(raw, "leads", pl.concat([leads, twins]))
    return {("leads", "duplicate_email", "rows_fixed"): leads.height, "people": leads.height}


def unknown_event_types_and_duplicate_ids(raw: Path) -> dict:
    events = read(raw, "events").with_row_index("i")
    events = events.with_columns(
        event_type=pl.when(pl.col("i") % 97 == 0)
        .then(pl.lit("telepathy"))
        .otherwise(pl.col("event_type"))
    )
    injected = events.filter(pl.col("i") % 97 == 0).height
    # exported twice: 40 exact copies and 25 re-sends an hour later (same event id)
    copies = events.filter(pl.col("i") % 97 == 1).head(40)
    canonical = pl.col("occurred_at").str.contains(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    resent = (
        events.filter((pl.col("i") % 97 == 2) & canonical)
        .head(25)
        .with_columns(
            occurred_at=(
                pl.col("occurred_at").str.to_datetime(strict=False) + pl.duration(hours=1)
            ).dt.strftime("%Y-%m-%d %H:%M:%S")
        )
    )
    assert resent["occurred_at"].null_count() == 0
    write(raw, "events", pl.concat([events, copies, resent]).drop("i"))
    return {
        ("events", "unknown_event_type", "rows_quarantined"): injected,
        ("events", "duplicate_event_id", "rows_quarantined"): 65,
    }


def huge_and_negative_numbers(raw: Path) -> dict:
    accounts = read(raw, "accounts").with_row_index("i")
    accounts = accounts.with_columns(
        employee_count=pl.when(pl.col("i") < 4)
        .then(pl.lit(-5))
        .when(pl.col("i") < 9)
        .then(pl.lit(10**15))
        .otherwise(pl.col("employee_count")),
        annual_revenue=pl.when(pl.col("i").is_between(20, 25))
        .then(pl.lit(-1.0))
        .otherwise(pl.col("annual_revenue")),
    ).drop("i")
    write(raw, "accounts", accounts)
    events = read(raw, "events").with_row_index("i")
    events = events.with_columns(
        duration_seconds=pl.when(pl.col("i") % 211 == 0)
        .then(pl.lit(-3))
        .when(pl.col("i") % 211 == 1)
        .then(pl.lit(10**12))
        .otherwise(pl.col("duration_seconds"))
    )
    bad = events.filter(pl.col("i") % 211 < 2).height
    write(raw, "events", events.drop("i"))
    return {
        ("accounts", "invalid_employee_count", "rows_defaulted"): 9,
        ("accounts", "invalid_annual_revenue", "rows_defaulted"): 6,
        ("events", "invalid_duration", "rows_quarantined"): bad,
    }


def non_utf8_text(raw: Path) -> dict:
    table = read(raw, "leads").to_arrow()
    latin1 = pa.array(
        [
            None if t is None else t.encode("latin-1", "replace") + b"\xe9"
            for t in table.column("job_title").to_pylist()
        ],
        type=pa.binary(),
    )
    idx = table.schema.get_field_index("job_title")
    write(raw, "leads", table.set_column(idx, "job_title", latin1))
    return {"stops": ["crm.leads.job_title", "binary", "UTF-8"]}


# an update later than any in the export, not in the future
LATER = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
CANONICAL = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"


def crm_export_duplicates(raw: Path) -> dict:
    # The contract says "duplicates possible": a CRM export that is re-run or paged twice
    # repeats whole records (10 leads exported twice), and a record edited between two
    # pages is re-sent with a later updated_at (6 leads, each with a new e-mail).
    leads = read(raw, "leads").sort("lead_id")
    copies = leads.head(10)
    resent = leads.slice(100, 6).with_columns(
        email=pl.lit("resent-") + pl.col("email"),
        updated_at=pl.lit(LATER),
    )
    write(raw, "leads", pl.concat([leads, copies, resent]))
    # the stage history of 10 changes exported twice
    stages = read(raw, "lifecycle_stage_changes")
    write(raw, "lifecycle_stage_changes", pl.concat([stages, stages.head(10)]))
    # no event is quarantined here, some are written in other formats (ISO 'Z', offsets,
    # US dates, epoch): every one of them must be counted as reformatted
    events = read(raw, "events")
    reformatted = events.filter(~pl.col("occurred_at").str.contains(CANONICAL)).height
    assert reformatted > 0
    kept_email = "select email from intermediate.int_leads_deduplicated where lead_id = '{}'"
    return {
        ("leads", "duplicate_record", "rows_quarantined"): 10,
        ("leads", "superseded_record", "rows_quarantined"): 6,
        ("lifecycle_stage_changes", "duplicate_stage_change", "rows_quarantined"): 10,
        ("events", "occurred_at_format", "rows_fixed"): reformatted,
        "people": leads.height,
        # the re-sent version wins (latest updated_at); an exact copy changes nothing
        "sql": [
            (kept_email.format(lead_id), email)
            for lead_id, email in pl.concat([resent, copies]).select("lead_id", "email").rows()
        ],
    }


def dated_out_of_range(raw: Path) -> dict:
    # Typing slips and placeholder dates as CRMs export them: a lead created 2999-01-01
    # (a far "expiry" default), a stage change and a deal in 2999, and the epoch-zero /
    # pre-CRM dates of a bad import (a lead created 1985, an event at 1970-01-01).
    leads = read(raw, "leads").sort("lead_id")
    future_lead = leads.head(1).with_columns(
        lead_id=pl.lit("FUTURE-1"),
        email=pl.lit("future@example.org"),
        created_at=pl.lit("2999-01-01 00:00:00"),
        updated_at=pl.lit("2999-01-01 00:00:00"),
    )
    old_lead = leads.head(1).with_columns(
        lead_id=pl.lit("OLD-1"),
        email=pl.lit("old@example.org"),
        created_at=pl.lit("1985-06-01 00:00:00"),
        updated_at=pl.lit("1985-06-01 00:00:00"),
    )
    write(raw, "leads", pl.concat([leads, future_lead, old_lead]))
    stages = read(raw, "lifecycle_stage_changes")
    late_stage = stages.head(1).with_columns(changed_at=pl.lit("2999-01-01 00:00:00"))
    write(raw, "lifecycle_stage_changes", pl.concat([stages, late_stage]))
    deals = read(raw, "opportunities")
    late_deal = deals.head(1).with_columns(
        opportunity_id=pl.lit("O-FUTURE"), created_at=pl.lit("2999-01-01 00:00:00")
    )
    write(raw, "opportunities", pl.concat([deals, late_deal]))
    events = read(raw, "events")
    epoch_zero = events.head(1).with_columns(
        event_id=pl.lit("E-EPOCH"), occurred_at=pl.lit("1970-01-01 00:00:00")
    )
    write(raw, "events", pl.concat([events, epoch_zero]))
    # the score date is the day after the latest valid activity: not moved by 2999
    latest = (
        "select max(t) from (select max(occurred_at) as t from intermediate.int_events_cleaned "
        "union all select max(created_at) from intermediate.int_leads_deduplicated "
        "union all select max(changed_at) from intermediate.int_stage_changes_mapped)"
    )
    score_date = "select as_of from intermediate.int_snapshot_dates where snapshot_role = 'scoring'"
    return {
        # this small export holds 777 labelled leads and 119 conversions: lowered
        # minimums let it train, so a switched-off model shows as rules scores
        "vars": {"min_labelled_leads": 300, "min_conversions": 50},
        ("leads", "future_dated", "rows_quarantined"): 1,
        ("leads", "too_old", "rows_quarantined"): 1,
        ("lifecycle_stage_changes", "future_dated", "rows_quarantined"): 1,
        ("opportunities", "future_dated", "rows_quarantined"): 1,
        ("events", "too_old", "rows_quarantined"): 1,
        "sql": [
            (f"select ({score_date}) = date_trunc('day', ({latest})) + interval 1 day", True),
            (f"select year(({score_date})) < 2100", True),
            ("select count(*) > 0 from marts.lead_scores where score_source = 'model'", True),
        ],
    }


def text_in_numbers_and_zone_names(raw: Path) -> dict:
    # Spreadsheet round-trips of a CRM export: numbers typed as words ('ten', 'lots'),
    # NaN/inf written by pandas, yes/no fields with free answers ('maybe'), the won flag
    # as the CRM's picklist label ('Won', 'Lost'), deals closed before they were created,
    # negative amounts (refunds typed into the amount), and local times with the zone's
    # name ('2026-03-01 10:00:00 America/New_York', 'CEST') instead of an offset.
    events = read(raw, "events").with_row_index("i")
    canonical = pl.col("occurred_at").str.contains(CANONICAL)
    zoned = events.filter(canonical & (pl.col("i") % 53 == 0)).head(30)
    unknown_zone = events.filter(canonical & (pl.col("i") % 53 == 1)).head(4)
    ny = ZoneInfo("America/New_York")

    def in_new_york(text: str) -> str:
        utc = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return utc.astimezone(ny).strftime("%Y-%m-%d %H:%M:%S") + " America/New_York"

    local = dict(zip(zoned["i"], map(in_new_york, zoned["occurred_at"]), strict=True))
    words = {2: "ten", 3: "NaN", 4: "inf", 5: "-inf"}
    events = events.with_columns(
        occurred_at=pl.when(pl.col("i").is_in(unknown_zone["i"].implode()))
        .then(pl.col("occurred_at") + " Mars/Olympus_Mons")
        .otherwise(pl.col("i").replace_strict(local, default=pl.col("occurred_at"))),
        duration_seconds=pl.col("i")
        .mod(97)
        .replace_strict(
            words, default=pl.col("duration_seconds").cast(pl.String), return_dtype=pl.String
        ),
    )
    not_a_number = events.filter(pl.col("i").mod(97).is_in(list(words))).height
    write(raw, "events", events.drop("i"))
    leads = (
        read(raw, "leads")
        .with_row_index("i")
        .with_columns(
            is_deleted=pl.when(pl.col("i") < 7)
            .then(pl.lit("maybe"))
            .otherwise(pl.col("is_deleted").cast(pl.String))
        )
        .drop("i")
    )
    write(raw, "leads", leads)
    deals = read(raw, "opportunities").sort("opportunity_id").with_row_index("i")
    assert deals.height > 40 and deals["is_won"].null_count() < deals.height - 40
    won_label = pl.when(pl.col("is_won")).then(pl.lit("Won")).otherwise(pl.lit("Lost"))
    deals = deals.with_columns(
        is_won=pl.when(pl.col("is_won").is_null())
        .then(None)
        .when(pl.col("i") < 3)
        .then(pl.lit("maybe"))
        .otherwise(won_label),
        amount=pl.when(pl.col("i").is_between(3, 4))
        .then(pl.lit("lots"))
        .when(pl.col("i").is_between(5, 6))
        .then(pl.lit("NaN"))
        .when(pl.col("i") == 7)
        .then(pl.lit("inf"))
        .when(pl.col("i").is_between(8, 12))
        .then(pl.lit("-500"))
        .otherwise(pl.col("amount").cast(pl.String)),
    )
    closed = deals.filter(pl.col("closed_at").str.contains(CANONICAL) & (pl.col("i") >= 20))
    inverted = closed.head(3)["i"]
    deals = deals.with_columns(
        closed_at=pl.when(pl.col("i").is_in(inverted.implode()))
        .then(pl.lit("2001-01-01 00:00:00"))
        .otherwise(pl.col("closed_at"))
    )
    unknown_won = deals.filter((pl.col("i") < 3) & pl.col("is_won").is_not_null()).height
    write(raw, "opportunities", deals.drop("i"))
    original = dict(zip(zoned["event_id"], zoned["occurred_at"], strict=True))
    first = next(iter(original))
    occurred = "select strftime(occurred_at, '%Y-%m-%d %H:%M:%S') from "
    occurred += "intermediate.int_events_cleaned where event_id = '{}'"
    won = "select count(*) from intermediate.int_opportunities_mapped where is_won"
    return {
        ("events", "unparseable_occurred_at", "rows_quarantined"): 4,
        ("events", "duration_not_a_number", "rows_defaulted"): not_a_number,
        ("leads", "invalid_boolean", "rows_defaulted"): 7,
        ("opportunities", "invalid_is_won", "rows_defaulted"): unknown_won,
        ("opportunities", "invalid_amount", "rows_defaulted"): 5,
        ("opportunities", "negative_amount", "rows_defaulted"): 5,
        ("opportunities", "closed_before_created", "rows_quarantined"): 3,
        "sql": [
            (occurred.format(first), original[first]),
            (
                "select count(*) from intermediate.int_events_cleaned where event_id in ("
                + ", ".join(f"'{e}'" for e in original)
                + ") and strftime(occurred_at, '%Y-%m-%d %H:%M:%S') = case event_id "
                + " ".join(f"when '{e}' then '{t}'" for e, t in original.items())
                + " end",
                len(original),
            ),
            (
                won,
                deals.filter(
                    (pl.col("is_won") == "Won") & ~pl.col("i").is_in(inverted.implode())
                ).height,
            ),
        ],
    }


CASES = [
    wrong_types,
    missing_column,
    empty_leads,
    empty_events,
    null_keys,
    every_lead_duplicated,
    unknown_event_types_and_duplicate_ids,
    huge_and_negative_numbers,
    non_utf8_text,
    crm_export_duplicates,
    dated_out_of_range,
    text_in_numbers_and_zone_names,
]


@pytest.mark.parametrize("corrupt", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input(corrupt, clean_raw, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    expected = corrupt(raw)
    result = build(raw, tmp_path, extra_vars=expected.pop("vars", None))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    if "stops" in expected:
        assert result.returncode != 0
        for fragment in expected["stops"]:
            assert fragment in output, f"{fragment!r} not in:\n{output[-3000:]}"
        assert "The raw data does not match the contract" in output
        assert not (tmp_path / "db.duckdb").exists() or "OK created" not in output
        return
    assert result.returncode == 0, output[-5000:]
    counts = dq(tmp_path)
    for key, value in expected.items():
        if key == "sql":
            con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
            for query, want in value:
                assert con.sql(query).fetchall()[0][0] == want, query
            con.close()
            continue
        if key == "people":
            con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
            people = con.sql("select count(*) from intermediate.int_leads_deduplicated")
            assert people.fetchall()[0][0] == value
            con.close()
            continue
        table, rule, column = key
        assert counts[(table, rule)][column] == value, (key, counts[(table, rule)])


def test_history_survives_full_refresh_and_no_temp_tables_are_left(clean_raw, tmp_path):
    # An engineer re-runs with --full-refresh after changing a model (the usual dbt
    # reflex): the per-build history of data_quality and model_health must survive it
    # like the model registry does, and no build may leave incremental scratch tables
    # (ml_model_registry__dbt_tmp...) behind in the database.
    first = build(clean_raw, tmp_path)
    assert first.returncode == 0, (first.stdout + first.stderr)[-3000:]
    second = build(clean_raw, tmp_path, "--full-refresh")
    assert second.returncode == 0, (second.stdout + second.stderr)[-3000:]
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    history = {
        table: con.sql(f"select count(distinct build_id) from marts.{table}").fetchall()[0][0]
        for table in ("data_quality", "model_health")
    }
    leftovers = con.sql(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_name like '%dbt_tmp%' or table_name like '%dbt_backup%'"
    ).fetchall()
    con.close()
    assert history == {"data_quality": 2, "model_health": 2}
    assert leftovers == []


# -- contact details typed into form fields never reach a reason -----------------------

# Shapes from a real form export: a lead typed an e-mail, a phone number or a web
# address into "stated budget"; staging normalises the text (dots and dashes -> spaces),
# so the reasons see both shapes. Benign answers next to them must stay readable.
CONTACT_DETAILS = [
    "lucas kowalski1098@globex54 com",
    "lucas.kowalski1098@globex54.com",
    "+1 (555) 010-2234",
    "+1 (555) 010 2234",
    "555.010.2234",
    "www.acme.io/pricing",
    "www acme io/pricing",
    "https://acme.example/pricing",
    "acme.io",
]
BENIGN = ["50k 100k", "100k+", "under 10k", "q3 2025", "2024 01 05", "crm for 25 reps", "Retail"]


def test_reasons_never_quote_contact_details():
    from leadscore.core.explain import reasons, render
    from leadscore.core.features import FeatureSpec

    values = CONTACT_DETAILS + BENIGN
    dictionary = {"budget_range": {"template": "Stated budget: {value}"}}
    sentences = render("budget_range", pl.Series(values), dictionary).to_list()
    for value, sentence in zip(values, sentences, strict=True):
        if value in BENIGN:
            assert sentence == f"Stated budget: {value}"
        else:
            assert sentence == "Stated budget: [withheld: contact details]", sentence
    # flat mode: a column without a dictionary row (generic template), and the JSON value
    frame = pl.DataFrame({"Notes": values, "visits": list(range(len(values)))})
    spec = FeatureSpec(numeric=("visits",), categorical=("Notes",))
    contributions = np.tile([-0.1, 0.4], (len(values), 1))
    out = reasons(contributions, spec, frame, pl.DataFrame({"feature": [], "template": []}))
    for value, text, listed in zip(
        values, out["positive_reason_1"], out["reasons_json"], strict=True
    ):
        note = next(r for r in json.loads(listed) if r["feature"] == "Notes")
        if value in BENIGN:
            assert (text, note["value"]) == (f"Notes is {value}", value)
        else:
            assert value not in listed and "@" not in listed, listed
            assert text == "Notes is [withheld: contact details]"
            assert note["value"] == "[withheld: contact details]"


# -- hostile names and paths: nothing executes, the build works or stops clearly -------

# A statement hidden in a folder name (a user's home folder "o'brien", a share named
# by someone hostile) and in vars; every case checks that no table "pwned" appears.
PWN = "create table main.pwned as select 1; --"
HOSTILE_DIR = f"o'brien'); {PWN}"


def tables_named(db: Path, name: str) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(
            "select table_schema, table_name from information_schema.tables "
            f"where table_name = '{name}'"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def hostile_build(clean_raw, tmp_path_factory):
    """One CRM build: raw data under a folder whose name closes the SQL string and adds
    a statement, the optional tables absent, and contact details typed into the budget
    answer of every fourth lead (as in a real form export)."""
    tmp = tmp_path_factory.mktemp("hostile")
    raw = tmp / HOSTILE_DIR / "crm"
    shutil.copytree(clean_raw, raw)
    shutil.rmtree(raw / "sales_feedback")
    shutil.rmtree(raw / "experiment_assignments")
    leads = read(raw, "leads").with_row_index("i")
    typed = pl.Series([CONTACT_DETAILS[i % len(CONTACT_DETAILS)] for i in range(leads.height)])
    # keen buyers type their details everywhere: planted on every customer too, so the
    # answer predicts conversion and reaches the top reasons of open leads
    stages = read(raw, "lifecycle_stage_changes")
    customers = stages.filter(pl.col("stage").str.to_lowercase().str.contains("customer"))
    keen = (pl.col("i") % 4 == 0) | pl.col("lead_id").is_in(customers["lead_id"].implode())
    leads = leads.with_columns(
        budget_range=pl.when(keen).then(typed).otherwise(pl.col("budget_range"))
    ).drop("i")
    write(raw, "leads", leads)
    # enough history for a model at this size (1,500 leads), so SHAP reasons are rendered
    return tmp, build(raw, tmp, extra_vars={"min_labelled_leads": 200, "min_conversions": 30})


def test_a_quote_and_a_statement_in_the_data_path_are_only_a_path(hostile_build):
    tmp, result = hostile_build
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "Traceback" not in output
    assert tables_named(tmp / "db.duckdb", "pwned") == []
    con = duckdb.connect(str(tmp / "db.duckdb"), read_only=True)
    assert con.sql("select count(*) from marts.lead_scores").fetchall()[0][0] > 100
    con.close()


def test_absent_optional_tables_build_with_empty_marts(hostile_build):
    tmp, result = hostile_build
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "crm.sales_feedback is absent (optional)" in output
    assert "crm.experiment_assignments is absent (optional)" in output
    con = duckdb.connect(str(tmp / "db.duckdb"), read_only=True)
    assert con.sql("select count(*) from marts.experiment_lift").fetchall()[0][0] == 0
    con.close()


def test_the_sync_and_the_reasons_carry_no_contact_details(hostile_build, tmp_path):
    tmp, result = hostile_build
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    con = duckdb.connect(str(tmp / "db.duckdb"), read_only=True)
    columns = [r[0] for r in con.sql("describe marts.crm_lead_sync").fetchall()]
    texts = con.sql(
        "select concat_ws(' | ', positive_reason_1, positive_reason_2, positive_reason_3, "
        "negative_reason_1, negative_reason_2, negative_reason_3, reasons_json) "
        "from marts.lead_scores"
    ).fetchall()
    budget_reasons = con.sql(
        "select count(*) from marts.lead_scores where reasons_json like '%budget_range%'"
    ).fetchall()[0][0]
    con.close()
    assert columns == [
        "lead_id",
        "ml_lead_score",
        "ml_lead_tier",
        "ml_lead_score_source",
        "ml_recommended_action",
        "ml_follow_up_sla_hours",
        "ml_lead_score_reasons",
        "ml_model_id",
        "score_updated_at",
        "ml_lead_status",
        "ml_tier_entered_at",
        "ml_follow_up_due_at",
    ]
    assert budget_reasons > 0  # the planted answers do reach the model's reasons ...
    withheld = [t for (t,) in texts if "Stated budget: [withheld: contact details]" in t]
    assert len(withheld) > 0  # ... and are withheld there
    planted = ("kowalski", "globex", "acme", "www", "@", "(555)", "555 010", "010 2234")
    leaked = [t for (t,) in texts if any(p in t for p in planted)]
    assert leaked == [], leaked[:3]
    exported = subprocess.run(
        [
            str(Path(sys.executable).with_name("leadscore")),
            "export-sync",
            "--db",
            str(tmp / "db.duckdb"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert exported.returncode == 0, exported.stderr
    header = (tmp_path / "crm_lead_sync.csv").read_text().splitlines()[0]
    assert "email" not in header and "owner" not in header


def test_statements_in_vars_stop_before_anything_runs(clean_raw, tmp_path):
    hostile = {
        "conversion_stage": f"customer'; {PWN}",
        "score_as_of": f"2026-01-01' as timestamp) as x; {PWN}",
        "sequence_first_page": "pricing' or '1' = '1",
        "event_types": ["page_view", f"x'); {PWN}"],
        "prediction_horizon_days": f"90; {PWN}",
        "hubspot_lead_source_property": f"x; {PWN}",
        "us_timestamp_formats": [f"%m/%d/%Y'); {PWN}"],
        "handoff_stage": f"sql'; {PWN}",
        "crm_feedback_field": f"verdict'); {PWN}",
        "min_useful_auc": f"0.55; {PWN}",
        # a switch given as a string: "false" would count as true
        "full_history_tests": "false",
    }
    db = tmp_path / "db.duckdb"
    result = run_dbt_command(["build"], db, tmp_path, {"raw_data_path": str(clean_raw), **hostile})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert "Invalid vars (11 problem(s)); nothing was run" in output, output[-3000:]
    for name in hostile:
        assert f"var {name}" in output
    assert "OK created" not in output
    assert not db.exists() or tables_named(db, "pwned") == []


def test_connector_demo_in_a_folder_with_a_quote_and_a_quoted_schema(tmp_path):
    """`leadscore generate-crm` into /home/o'brien/..., schema with a double quote."""
    from leadscore.demo.crm_fixtures import fixture_config, generate_connector

    folder = tmp_path / "o'brien"
    folder.mkdir()
    db = folder / "crm.duckdb"
    counts = generate_connector("hubspot", fixture_config(300, 1, 5), db, 'hub"spot', [])
    con = duckdb.connect(str(db), read_only=True)
    contacts = con.sql('select count(*) from "hub""spot".contact').fetchall()[0][0]
    con.close()
    assert contacts == counts["contact"] > 0
