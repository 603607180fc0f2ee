"""Deliberately corrupted raw data: each case either builds, with data-quality counts
equal to what was injected, or stops before any model runs with a message naming the
table, the column and the problem. Never a silent loss, never a bare traceback.

The base export has no planted mess at all, so every count below is the injection.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import PROJECT
from leadscore.generator import GeneratorConfig, generate

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


def build(raw: Path, tmp: Path, extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DUCKDB_PATH": str(tmp / "db.duckdb"), "DO_NOT_TRACK": "1"}
    variables = {"raw_data_path": str(raw), "catboost_iterations": 50, **(extra or {})}
    cmd = [
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--project-dir", str(PROJECT),
        "--profiles-dir", str(PROJECT),
        "--target-path", str(tmp / "target"),
        "--log-path", str(tmp / "logs"),
        "--vars", json.dumps(variables),
    ]  # fmt: skip
    return subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)


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
    write(raw, "leads", leads.with_columns(
        lead_id=pl.when(pl.col("lead_id").is_in(lost.implode())).then(None)
        .otherwise(pl.col("lead_id"))
    ))  # fmt: skip
    events = read(raw, "events").with_row_index("i")
    of_lost = events.filter(pl.col("lead_id").is_in(lost.implode())).height
    kept = events.filter(~pl.col("lead_id").is_in(lost.implode()))["i"]
    no_event_id, no_lead_id = kept[:7], kept[7:18]
    events = events.with_columns(
        event_id=pl.when(pl.col("i").is_in(no_event_id.implode())).then(None)
        .otherwise(pl.col("event_id")),
        lead_id=pl.when(pl.col("i").is_in(no_lead_id.implode())).then(None)
        .otherwise(pl.col("lead_id")),
    ).drop("i")  # fmt: skip
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
        event_type=pl.when(pl.col("i") % 97 == 0).then(pl.lit("telepathy"))
        .otherwise(pl.col("event_type"))
    )  # fmt: skip
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
        employee_count=pl.when(pl.col("i") < 4).then(pl.lit(-5))
        .when(pl.col("i") < 9).then(pl.lit(10**15))
        .otherwise(pl.col("employee_count")),
        annual_revenue=pl.when(pl.col("i").is_between(20, 25)).then(pl.lit(-1.0))
        .otherwise(pl.col("annual_revenue")),
    ).drop("i")  # fmt: skip
    write(raw, "accounts", accounts)
    events = read(raw, "events").with_row_index("i")
    events = events.with_columns(
        duration_seconds=pl.when(pl.col("i") % 211 == 0).then(pl.lit(-3))
        .when(pl.col("i") % 211 == 1).then(pl.lit(10**12))
        .otherwise(pl.col("duration_seconds"))
    )  # fmt: skip
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
        [None if t is None else t.encode("latin-1", "replace") + b"\xe9" for t in
         table.column("job_title").to_pylist()],
        type=pa.binary(),
    )  # fmt: skip
    idx = table.schema.get_field_index("job_title")
    write(raw, "leads", table.set_column(idx, "job_title", latin1))
    return {"stops": ["crm.leads.job_title", "binary", "UTF-8"]}


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
]


@pytest.mark.parametrize("corrupt", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input(corrupt, clean_raw, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(clean_raw, raw)
    expected = corrupt(raw)
    result = build(raw, tmp_path)
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
        if key == "people":
            con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
            people = con.sql("select count(*) from intermediate.int_leads_deduplicated")
            assert people.fetchall()[0][0] == value
            con.close()
            continue
        table, rule, column = key
        assert counts[(table, rule)][column] == value, (key, counts[(table, rule)])


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
    from leadscore.explain import reasons, render
    from leadscore.features import FeatureSpec

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
    for value, text, listed in zip(values, out["positive_reason_1"], out["reasons_json"],
                                   strict=True):  # fmt: skip
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
    return tmp, build(raw, tmp, {"min_labelled_leads": 200, "min_conversions": 30})


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
        "lead_id", "ml_lead_score", "ml_lead_tier", "ml_lead_score_source",
        "ml_recommended_action", "ml_follow_up_sla_hours", "ml_lead_score_reasons",
        "ml_model_id", "score_updated_at",
    ]  # fmt: skip
    assert budget_reasons > 0  # the planted answers do reach the model's reasons ...
    withheld = [t for (t,) in texts if "Stated budget: [withheld: contact details]" in t]
    assert len(withheld) > 0  # ... and are withheld there
    planted = ("kowalski", "globex", "acme", "www", "@", "(555)", "555 010", "010 2234")
    leaked = [t for (t,) in texts if any(p in t for p in planted)]
    assert leaked == [], leaked[:3]
    exported = subprocess.run(
        [str(Path(sys.executable).with_name("leadscore")), "export-sync",
         "--db", str(tmp / "db.duckdb"), "--out", str(tmp_path)],
        capture_output=True, text=True,
    )  # fmt: skip
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
    }
    db = tmp_path / "db.duckdb"
    env = {**os.environ, "DUCKDB_PATH": str(db), "DO_NOT_TRACK": "1"}
    cmd = [
        str(Path(sys.executable).with_name("dbt")), "build",
        "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        "--vars", json.dumps({"raw_data_path": str(clean_raw), **hostile}),
    ]  # fmt: skip
    result = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert "Invalid vars (7 problem(s)); nothing was run" in output, output[-3000:]
    for name in hostile:
        assert f"var {name}" in output
    assert "OK created" not in output
    assert not db.exists() or tables_named(db, "pwned") == []


def test_connector_demo_in_a_folder_with_a_quote_and_a_quoted_schema(tmp_path):
    """`leadscore generate-crm` into /home/o'brien/..., schema with a double quote."""
    from leadscore.connectors import fixture_config, generate_connector

    folder = tmp_path / "o'brien"
    folder.mkdir()
    db = folder / "crm.duckdb"
    counts = generate_connector("hubspot", fixture_config(300, 1, 5), db, 'hub"spot', [])
    con = duckdb.connect(str(db), read_only=True)
    contacts = con.sql('select count(*) from "hub""spot".contact').fetchall()[0][0]
    con.close()
    assert contacts == counts["contact"] > 0
