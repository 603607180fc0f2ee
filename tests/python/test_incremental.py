"""An incremental build after new files arrive equals a --full-refresh build.

A small generated world has its last day held back (leads, events, stage changes, ...)
and is built; the held-back day is then appended as new parquet files, as an export
that writes each delivery to a new file does, and built again incrementally. A
--full-refresh build of the whole export into another database must give the same
rows in the incremental models (int_events_checked, int_lead_activity_daily), the
views and features over them and the marts that read them.

The second delivery also carries the cases an incremental build gets wrong when it
only appends the new rows (each shaped after the generator's mess or a CRM export):
- late events: events dated weeks before the first build that arrive only now (a
  connector catching up after an outage; the generator's events are all on time);
- event ids delivered again: exact copies of delivered events (an export page re-sent,
  as the contract's "duplicates possible" and the generator's duplicate lead records
  are) and copies one hour earlier, which the ranking keeps instead of the stored one;
- lead merges: an updated version of a delivered lead whose e-mail is now another
  lead's (in another letter case, as the generator's duplicate records are), so its
  delivered events move to the earlier lead; and a new record of a known person
  created before the stored one (a record imported from another system), which then
  survives, so the stored lead's events move to the new one;
- an event delivered before its lead (unknown_lead in the first build);
- updated firmographics: the accounts export is a full table, rewritten with every
  delivery, and a tenth of the accounts now have another employee count (so another
  company-size band, which the rules score: the holdout examples' rules scores
  change without an event).
"""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from conftest import run_dbt
from leadscore.demo.generator import GeneratorConfig, generate
from leadscore.demo.holdback import append_held_back, hold_back, parse_export_timestamps
from tests_support import run_dbt_command

WORLD = GeneratorConfig(n_leads=2000, seed=23, events_per_lead=25)
# no model is trained (too few conversions required): the rules baseline scores, the
# same in both databases
VARS = {"min_conversions": 1_000_000}
MODELS = "+int_lead_features_joined +int_data_quality_counts +int_events_quarantined +lead_scores"
# seeds and models of MODELS; their data tests run in test_dbt_build
BUILD = ["build", "--select", MODELS, "--exclude-resource-type", "test", "unit_test"]

# (table, key columns to sort by, columns that differ legitimately: build bookkeeping)
COMPARED = [
    ("intermediate.int_events_checked", ["checked_at", "previous_lead_id"]),
    ("intermediate.int_events_cleaned", []),
    ("intermediate.int_events_quarantined", []),
    ("intermediate.int_lead_activity_daily", ["checked_through"]),
    ("intermediate.int_lead_engagement_windows", ["checked_through", "base_as_of"]),
    ("intermediate.int_lead_sequences", []),
    ("intermediate.int_lead_features_joined", []),
    ("intermediate.int_data_quality_counts", []),
    ("intermediate.int_lead_rules_scores", ["checked_through", "base_as_of"]),
    ("marts.lead_scores", ["scored_at"]),
]


def _ts(frame: pl.DataFrame, column: str) -> pl.Series:
    return parse_export_timestamps(frame[column])


def _fmt(values: pl.Series) -> pl.Series:
    return values.dt.strftime("%Y-%m-%d %H:%M:%S")


def _shape_second_delivery(raw, held) -> dict[str, object]:
    """Move / copy the special cases into the held-back delivery; return what was done."""
    events_file = sorted((raw / "events").glob("*.parquet"))[0]
    events = pl.read_parquet(events_file)
    held_events = pl.read_parquet(held / "events" / "held.parquet")
    leads_file = sorted((raw / "leads").glob("*.parquet"))[0]
    leads = pl.read_parquet(leads_file)
    held_leads = pl.read_parquet(held / "leads" / "held.parquet")
    ts = _ts(events, "occurred_at")
    # the newest event before the held-back day (future-dated events are decades ahead)
    newest = ts.filter(ts < WORLD.export_at.replace(tzinfo=None) - timedelta(days=1)).max()
    clean_ids = set(leads["lead_id"].to_list())
    on_time = events.with_columns(ts=ts).filter(
        pl.col("ts").is_not_null()
        & pl.col("lead_id").is_in(list(clean_ids))
        & (pl.col("occurred_at") == _fmt(pl.col("ts")))
    )
    # late events: 40 events 10-60 days old leave the first delivery
    late = on_time.filter(
        (pl.col("ts") < newest - timedelta(days=10)) & (pl.col("ts") > newest - timedelta(days=60))
    ).sample(40, seed=1)
    # re-sent: 15 exact copies; earlier: 15 copies one hour earlier (they win the ranking)
    rest = on_time.filter(~pl.col("event_id").is_in(late["event_id"].implode()))
    resent = rest.sample(30, seed=2)
    exact = resent.head(15)
    earlier = resent.tail(15).with_columns(occurred_at=_fmt(pl.col("ts") - timedelta(hours=1)))
    # merges: lead B's new version takes lead A's e-mail (A created before B); a new
    # record of lead C's person created a day before C
    ld = leads.with_columns(created=_ts(leads, "created_at")).filter(
        pl.col("email").is_not_null() & pl.col("created").is_not_null()
    )
    with_events = set(rest["lead_id"].to_list())
    ld = ld.filter(pl.col("lead_id").is_in(list(with_events))).unique("lead_id", keep="first")
    ld = ld.filter(~pl.col("email").str.to_lowercase().is_duplicated()).sort("created")
    lead_a, lead_b, lead_c = ld.row(0, named=True), ld.row(-1, named=True), ld.row(-2, named=True)
    updated_b = (
        leads.filter(pl.col("lead_id") == lead_b["lead_id"])
        .head(1)
        .with_columns(
            email=pl.lit(lead_a["email"].upper()),
            updated_at=pl.lit("2026-10-31 23:00:00"),
        )
    )
    new_c = (
        leads.filter(pl.col("lead_id") == lead_c["lead_id"])
        .head(1)
        .with_columns(
            lead_id=pl.lit("L99999999"),
            email=pl.lit(lead_c["email"].title()),
            created_at=_fmt(pl.lit(lead_c["created"]) - timedelta(days=1)),
            updated_at=pl.lit("2026-10-31 23:30:00"),
        )
    )
    # an event delivered before its lead: one event of a held-back lead moves to the
    # first delivery
    held_lead_ids = held_leads["lead_id"].to_list()
    early = held_events.filter(pl.col("lead_id").is_in(held_lead_ids)).head(1)
    if early.height == 0:
        # the last day's new leads brought no event that day: one held-back event
        # becomes the first event of a held-back lead, a minute after its creation
        created = _ts(held_leads, "created_at")[0]
        early = held_events.head(1).with_columns(
            lead_id=pl.lit(held_lead_ids[0]),
            occurred_at=pl.lit(f"{created + timedelta(minutes=1):%Y-%m-%d %H:%M:%S}"),
        )
    assert early.height == 1
    columns = events.columns
    events.filter(~pl.col("event_id").is_in(late["event_id"].implode())).vstack(
        early.select(columns)
    ).write_parquet(events_file)
    held_events.filter(~pl.col("event_id").is_in(early["event_id"].implode())).vstack(
        pl.concat([late, exact, earlier]).select(columns)
    ).write_parquet(held / "events" / "held.parquet")
    pl.concat([held_leads, updated_b, new_c], how="diagonal_relaxed").write_parquet(
        held / "leads" / "held.parquet"
    )
    # updated firmographics, delivered by rewriting the accounts file (after the first
    # build: `accounts_update` below); a small company grows, any other shrinks to 7
    accounts_file = sorted((raw / "accounts").glob("*.parquet"))[0]
    accounts = pl.read_parquet(accounts_file)
    updated = accounts.with_columns(
        employee_count=pl.when(pl.int_range(pl.len()).shuffle(seed=3) % 10 == 0)
        .then(pl.when(pl.col("employee_count") <= 10).then(300).otherwise(7))
        .otherwise(pl.col("employee_count"))
    )
    (held / "accounts_update").mkdir()
    updated.write_parquet(held / "accounts_update" / "accounts.parquet")
    return {
        "late": late["event_id"].to_list(),
        "exact": exact["event_id"].to_list(),
        "earlier": earlier["event_id"].to_list(),
        "a": lead_a["lead_id"],
        "b": lead_b["lead_id"],
        "c": lead_c["lead_id"],
        "early": early["event_id"][0],
        "accounts_file": accounts_file,
        "accounts_updated": int((updated["employee_count"] != accounts["employee_count"]).sum()),
    }


def _query(db, sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def _table(db, table: str, exclude: list[str]) -> pl.DataFrame:
    frame = _query(db, f"select * from {table}").drop(exclude, strict=False)
    return frame.sort(frame.columns, nulls_last=True)


def _differ(left: pl.DataFrame, right: pl.DataFrame) -> bool:
    try:
        assert_frame_equal(left, right, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    except AssertionError:
        return True
    return False


def _copy(builds, tmp_path_factory, name: str, source: str = "incremental"):
    """A new folder with a copy of one of the built databases, and the raw export."""
    tmp = tmp_path_factory.mktemp(name)
    db = tmp / "copy.duckdb"
    shutil.copy(builds[source], db)
    return tmp, db, builds["incremental"].parent / "raw"


def _two_copies(builds, tmp_path_factory, name: str, seed_edit: str | None):
    """Two copies of the incremental database in a new folder (the second one for a
    --full-refresh), with `seed_edit` (SQL) run in both; and the raw export."""
    tmp, db, raw = _copy(builds, tmp_path_factory, name)
    full = tmp / "full.duckdb"
    shutil.copy(builds["incremental"], full)
    for target in (db, full) if seed_edit else ():
        con = duckdb.connect(str(target))
        try:
            con.execute(seed_edit)
        finally:
            con.close()
    return tmp, db, full, raw


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    raw, held = tmp / "raw", tmp / "held"
    generate(WORLD, raw, log=lambda _: None)
    held_counts = hold_back(raw, held, days=1)
    cases = _shape_second_delivery(raw, held)
    incremental = tmp / "incremental.duckdb"
    run_dbt(BUILD, incremental, raw, tmp, VARS)
    before_second = tmp / "before_second.duckdb"
    shutil.copy(incremental, before_second)
    first = {
        "events": _query(incremental, "select * from intermediate.int_events_checked"),
    }
    append_held_back(held, raw, "delivery-2")
    shutil.copy(held / "accounts_update" / "accounts.parquet", cases["accounts_file"])
    run_dbt(BUILD, incremental, raw, tmp, VARS)
    compiled = next((tmp / "target" / "compiled").rglob("int_events_checked.sql")).read_text()
    full = tmp / "full.duckdb"
    run_dbt([*BUILD, "--full-refresh"], full, raw, tmp, VARS)
    return {
        "incremental": incremental,
        "full": full,
        "cases": cases,
        "held": held_counts,
        "first": first,
        "before_second": before_second,
        "compiled": compiled,
    }


def test_the_second_delivery_is_a_day_of_new_rows(builds):
    held = builds["held"]
    assert held["events"] > 50
    assert held["leads"] > 0
    # the second build read only the new file's rows, and re-checked the stored rows
    # of the special cases
    checked = _query(
        builds["incremental"],
        "select source_file, count(*) as n, count(distinct checked_at) as builds "
        "from intermediate.int_events_checked group by 1 order by 1",
    )
    assert "delivery-2.parquet" in checked["source_file"].to_list()
    first = builds["first"]["events"]
    second = _query(builds["incremental"], "select * from intermediate.int_events_checked")
    rechecked = second.filter(pl.col("checked_at") == pl.col("checked_at").max()).filter(
        pl.col("source_file") != "delivery-2.parquet"
    )
    # a few stored rows re-checked, not all of history
    assert 0 < rechecked.height < first.height // 50


def test_incremental_equals_full_refresh(builds):
    mismatches = []
    for table, exclude in COMPARED:
        inc = _table(builds["incremental"], table, exclude)
        full = _table(builds["full"], table, exclude)
        assert inc.height > 0, table
        try:
            # floats: relative tolerance 1e-9 (sums added in another order)
            assert_frame_equal(inc, full, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
        except AssertionError as error:
            sizes = f"incremental {inc.height} rows, full {full.height}"
            mismatches.append(f"{table}: {sizes}: {error}")
    assert not mismatches, "\n".join(mismatches)


def test_the_special_cases_happened(builds):
    cases, db = builds["cases"], builds["incremental"]
    checked = _query(db, "select * from intermediate.int_events_checked")
    # late events are clean and counted on their (old) day
    late = checked.filter(pl.col("event_id").is_in(cases["late"]))
    assert late.height == 40 and late["quarantine_reason"].null_count() == 40
    # each re-sent id is kept once and quarantined once
    for key in ("exact", "earlier"):
        rows = checked.filter(pl.col("event_id").is_in(cases[key]))
        assert rows.height == 30
        assert rows["quarantine_reason"].value_counts().sort("quarantine_reason").rows() == [
            (None, 15),
            ("duplicate_event_id", 15),
        ]
    # the earlier copies won: the kept row is the one of the second delivery
    kept = checked.filter(
        pl.col("event_id").is_in(cases["earlier"]) & pl.col("quarantine_reason").is_null()
    )
    assert kept["source_file"].unique().to_list() == ["delivery-2.parquet"]
    # merges: B's and C's stored events moved to A and to the new record
    moved = checked.filter(pl.col("source_lead_id_if_different") == cases["b"])
    assert moved.height > 0 and moved["lead_id"].unique().to_list() == [cases["a"]]
    moved = checked.filter(pl.col("source_lead_id_if_different") == cases["c"])
    assert moved.height > 0 and moved["lead_id"].unique().to_list() == ["L99999999"]
    activity = _query(db, "select lead_id from intermediate.int_lead_activity_daily")
    assert cases["b"] not in activity["lead_id"].to_list()
    assert cases["c"] not in activity["lead_id"].to_list()
    # the event delivered before its lead is clean now
    early = checked.filter(pl.col("event_id") == cases["early"])
    assert early["quarantine_reason"].to_list() == [None]
    # and the first build had it quarantined as unknown_lead
    first = builds["first"]["events"].filter(pl.col("event_id") == cases["early"])
    assert first["quarantine_reason"].to_list() == ["unknown_lead"]


def test_data_quality_counts_every_duplicate_once(builds):
    # 30 ids delivered twice: 30 rows quarantined, every event row checked once
    counts = _query(
        builds["incremental"],
        "select rows_checked, rows_quarantined from intermediate.int_data_quality_counts "
        "where source_table = 'events' and rule = 'duplicate_event_id'",
    )
    total = "select count(*) as n from intermediate.int_events_checked"
    rows = _query(builds["incremental"], total)
    files = _query(
        builds["full"],
        "select count(*) as n from intermediate.int_events_checked",
    )
    assert counts.rows() == [(rows["n"][0], 30)]
    assert rows["n"][0] == files["n"][0]


def test_rechecked_rows_read_as_constants_or_joined_are_the_same(builds, tmp_path_factory):
    # the second build wrote the keys of the stored rows it re-checked into its query
    # (so staging reads those rows only); above var events_recheck_inline_rows they are
    # joined instead: the same second delivery through the join gives the same rows
    assert "recheck_values" in builds["compiled"]
    assert re.search(r"staged\.source_row in \(\d+", builds["compiled"])
    tmp, db, raw = _copy(builds, tmp_path_factory, "joined", "before_second")
    # the event models and what they read (the lead id mapping sees the new leads)
    models = ["run", "--select", "+int_events_checked int_lead_activity_daily"]
    run_dbt(models, db, raw, tmp, {**VARS, "events_recheck_inline_rows": 0})
    joined = next((tmp / "target" / "compiled").rglob("int_events_checked.sql")).read_text()
    assert "recheck_values" not in joined and "affected_event_ids" in joined
    # the stored rows of merged leads found from the mapping the first build kept
    assert "changed_lead_ids" in joined
    for table, exclude in COMPARED[:4]:
        assert_frame_equal(
            _table(db, table, exclude), _table(builds["incremental"], table, exclude)
        )


LEAD_MAP = "intermediate.int_events_checked__lead_map"
MAPPING = (
    "select source_lead_id, lead_id, is_merged, is_quarantined "
    "from intermediate.int_lead_ids_mapped"
)


def test_merged_leads_are_found_by_comparing_the_mapping_with_the_last_builds(builds):
    # the post-hook keeps the mapping each build checked the rows against; the second
    # build compares it with today's to find the stored rows to re-check (the rows
    # found are those of the full build: test_incremental_equals_full_refresh; the SQL:
    # test_rechecked_rows_read_as_constants_or_joined_are_the_same)
    before = _query(builds["before_second"], f"select * from {LEAD_MAP}")
    after = _query(builds["incremental"], f"select * from {LEAD_MAP}")
    mapping = _query(builds["incremental"], MAPPING)
    key = ["source_lead_id"]
    assert_frame_equal(after.sort(key), mapping.sort(key))
    cases = builds["cases"]
    changed = before.join(after, on=key, how="full", coalesce=True, nulls_equal=True).filter(
        pl.col("lead_id").ne_missing(pl.col("lead_id_right"))
    )
    # B now maps to A, C to the new record, the new record and the new leads appear
    ids = set(changed["source_lead_id"].to_list())
    assert {cases["b"], cases["c"], "L99999999"} <= ids
    assert after.height > before.height


def test_without_the_last_builds_mapping_the_stored_rows_are_joined(builds, tmp_path_factory):
    # a table written before the post-hook kept the mapping (or whose copy was dropped):
    # the run joins every stored row with the mapping, with the same result, and keeps
    # the mapping for the next run
    tmp, db, raw = _copy(builds, tmp_path_factory, "no_lead_map", "before_second")
    con = duckdb.connect(str(db))
    try:
        con.execute(f"drop table {LEAD_MAP}")
    finally:
        con.close()
    models = ["run", "--select", "+int_events_checked int_lead_activity_daily"]
    # the re-checked rows joined (not constants), so that the compiled SQL shows how
    # they were found
    run_dbt(models, db, raw, tmp, {**VARS, "events_recheck_inline_rows": 0})
    joined = next((tmp / "target" / "compiled").rglob("int_events_checked.sql")).read_text()
    assert "changed_lead_ids" not in joined and "left join id_map on coalesce(" in joined
    for table, exclude in COMPARED[:4]:
        assert_frame_equal(
            _table(db, table, exclude), _table(builds["incremental"], table, exclude)
        )
    assert _table(db, LEAD_MAP, []).height == _query(db, MAPPING).height


def test_a_full_refresh_in_place_changes_nothing(builds, tmp_path_factory):
    tmp, db, raw = _copy(builds, tmp_path_factory, "in_place")
    run_dbt(["run", "--full-refresh", "--select", "int_events_checked int_lead_activity_daily"],
            db, raw, tmp, VARS)  # fmt: skip
    for table, exclude in COMPARED[:4]:
        assert_frame_equal(_table(db, table, exclude), _table(builds["full"], table, exclude))


def test_without_a_watermark_every_run_rebuilds_in_full(builds, tmp_path_factory):
    # incremental_events: false stands for the sources without files (hubspot /
    # salesforce connector tables, a table source): no file names, so each run of the
    # incremental models deletes the stored rows and rebuilds; two runs, same result
    tmp, db, raw = _copy(builds, tmp_path_factory, "no_watermark")
    models = ["--select", "stg_crm__events int_events_checked int_lead_activity_daily"]
    off = {**VARS, "incremental_events": False}
    for _ in range(2):
        run_dbt(["run", *models], db, raw, tmp, off)
    for table, exclude in COMPARED[:4]:
        dropped = [*exclude, "source_file", "source_row"]
        got, want = _table(db, table, dropped), _table(builds["full"], table, dropped)
        assert got.height > 0, table
        assert_frame_equal(got, want)
    files = _query(
        db, "select count(source_file) as n, count(*) as total from intermediate.int_events_checked"
    )
    full = _query(builds["full"], "select count(*) as n from intermediate.int_events_checked")
    # no row has a file name, and none is stored twice
    assert files.rows() == [(0, full["n"][0])]
    # the last build's mapping is dropped: these runs did not keep it up to date
    tables = _query(db, "select table_name from information_schema.tables")["table_name"]
    assert "int_events_checked__lead_map" not in tables.to_list()


def test_lookback_reads_rows_appended_to_a_loaded_file(builds, tmp_path_factory):
    # an export that rewrites its current file with more rows: without a look-back
    # the loaded file is not read again; with events_lookback_days its new rows arrive
    tmp = tmp_path_factory.mktemp("lookback")
    raw = tmp / "raw"
    shutil.copytree(builds["incremental"].parent / "raw", raw)
    db = tmp / "copy.duckdb"
    shutil.copy(builds["incremental"], db)
    current = raw / "events" / "delivery-2.parquet"
    frame = pl.read_parquet(current)
    extra = frame.head(5).with_columns(event_id=pl.format("LATE{}", pl.int_range(pl.len())))
    frame.vstack(extra).write_parquet(current)
    # staging too: its view reads the copied folder
    models = ["run", "--select", "stg_crm__events int_events_checked int_lead_activity_daily"]
    count = "select count(*) as n from intermediate.int_events_checked where event_id like 'LATE%'"
    run_dbt(models, db, raw, tmp, VARS)
    assert _query(db, count)["n"][0] == 0
    run_dbt(models, db, raw, tmp, {**VARS, "events_lookback_days": 3})
    assert _query(db, count)["n"][0] == 5
    # the same rows as a full build of the rewritten export
    full = tmp / "full.duckdb"
    run_dbt([*BUILD, "--full-refresh"], full, raw, tmp, VARS)
    for table, exclude in COMPARED[:4]:
        assert_frame_equal(_table(db, table, exclude), _table(full, table, exclude))


def _touched_in_latest_build(db) -> pl.DataFrame:
    """Leads with an event (re)checked in the latest build, under the lead now or the
    lead before, with the first day of those events."""
    return _query(
        db,
        "with c as (select * from intermediate.int_events_checked "
        "where checked_at = (select max(checked_at) from intermediate.int_events_checked)) "
        "select lead_id, min(cast(occurred_at as date)) as first_day from ("
        "select lead_id, occurred_at from c union all select previous_lead_id, occurred_at "
        "from c) where lead_id is not null group by lead_id",
    )


def test_engagement_windows_recompute_only_the_changed_examples(builds):
    # the second build recomputed the (lead, as_of) examples that are new (the new
    # score date, new leads) and those of leads whose events were (re)checked in it,
    # dated before as_of; every other stored example kept its row from the first build
    db, before = builds["incremental"], builds["before_second"]
    table = "intermediate.int_lead_engagement_windows"
    rows = _query(db, f"select * from {table}")
    recomputed = rows.filter(pl.col("checked_through") == pl.col("checked_through").max())
    kept = rows.filter(pl.col("checked_through") < pl.col("checked_through").max())
    assert kept.height > recomputed.height > 0
    # kept rows are exactly as the first build wrote them
    first = _query(before, f"select * from {table}")
    assert_frame_equal(
        kept.sort("lead_id", "as_of"),
        first.join(kept.select("lead_id", "as_of"), on=["lead_id", "as_of"]).sort(
            "lead_id", "as_of"
        ),
    )
    # recomputed rows: new keys, or a lead with an event (re)checked in this build
    # (under its lead now or before) on a day before as_of
    touched = _touched_in_latest_build(db)
    key = ["lead_id", "as_of"]
    new_keys = recomputed.join(first.select(key), on=key, how="anti")
    old_keys = recomputed.join(new_keys.select(key), on=key, how="anti")
    explained = old_keys.join(touched, on="lead_id", how="left").filter(
        pl.col("first_day").cast(pl.Datetime("us")) < pl.col("as_of")
    )
    assert explained.height == old_keys.height > 0
    assert new_keys.height > 0


@pytest.mark.parametrize("model", ["int_lead_engagement_windows", "int_lead_rules_scores"])
def test_the_new_score_dates_examples_are_brought_forward_from_the_last_ones(builds, model):
    # most of the new score date's examples were computed from their lead's example of
    # the previous score date (base_as_of) and the days between, not from all days
    # (their values equal a full build: test_incremental_equals_full_refresh); a base
    # was stored by the first build and not stale (no event of its lead (re)checked on a
    # day before it); the previous score date's examples left the table after the run
    db, before = builds["incremental"], builds["before_second"]
    table = f"intermediate.{model}"
    rows = _query(db, f"select lead_id, as_of, base_as_of from {table}")
    first = _query(before, f"select lead_id, as_of, base_as_of from {table}")
    old_date, new_date = first["as_of"].max(), rows["as_of"].max()
    assert new_date > old_date
    assert first["base_as_of"].null_count() == first.height  # a first build: all days
    scored = rows.filter(pl.col("as_of") == new_date)
    forward = scored.filter(pl.col("base_as_of").is_not_null())
    assert forward.height > scored.height / 2
    assert forward["base_as_of"].unique().to_list() == [old_date]
    bases = forward.select("lead_id", pl.col("base_as_of").alias("as_of"))
    assert bases.join(first, on=["lead_id", "as_of"], how="anti").height == 0
    touched = _touched_in_latest_build(db)
    stale = forward.join(touched, on="lead_id").filter(
        pl.col("first_day").cast(pl.Datetime("us")) < pl.col("base_as_of")
    )
    assert stale.height == 0
    # leads with a base whose examples were computed from all days: none without cause
    from_all_days = scored.filter(pl.col("base_as_of").is_null())
    had_base = from_all_days.join(first.filter(pl.col("as_of") == old_date), on="lead_id")
    explained = had_base.join(touched, on="lead_id").filter(
        pl.col("first_day").cast(pl.Datetime("us")) < pl.col("as_of_right")
    )
    assert explained.height == had_base.height
    assert (
        rows.filter(pl.col("as_of") == old_date).height
        < first.filter(pl.col("as_of") == old_date).height
    )


def test_a_scoring_only_run_between_builds_keeps_the_training_examples(builds, tmp_path_factory):
    # `make score` builds the score date's examples only: the training examples stored
    # by the last full build stay (not recomputed, not dropped), and the next build
    # still equals a full build
    tmp, db, raw = _copy(builds, tmp_path_factory, "scoring_between", "before_second")
    table = "intermediate.int_lead_engagement_windows"
    stored = _query(db, f"select count(*) as n from {table}")["n"][0]
    run_dbt(["build", "--selector", "scoring_only", "--exclude-resource-type", "test",
             "unit_test"], db, raw, tmp, {**VARS, "scoring_only": True})  # fmt: skip
    after_score = _query(db, f"select count(*) as n, count(distinct as_of) as d from {table}")
    assert after_score["d"][0] > 2 and after_score["n"][0] > stored // 2
    run_dbt(BUILD, db, raw, tmp, VARS)
    for table, exclude in COMPARED:
        assert_frame_equal(
            _table(db, table, exclude), _table(builds["full"], table, exclude),
            check_exact=False, rel_tol=1e-9, abs_tol=1e-12,
        )  # fmt: skip


def test_rules_scores_recompute_only_the_changed_examples(builds):
    # the second build kept the stored rules scores of examples whose events,
    # attributes, role and rules did not change; it recomputed the new examples, those
    # of leads with an event (re)checked before as_of and those whose company-size band
    # changed with the rewritten accounts file
    db, before = builds["incremental"], builds["before_second"]
    table = "intermediate.int_lead_rules_scores"
    rows = _query(db, f"select * from {table}")
    first = _query(before, f"select * from {table}")
    latest = pl.col("checked_through") == pl.col("checked_through").max()
    recomputed, kept = rows.filter(latest), rows.filter(~latest)
    assert kept.height > 0 and recomputed.height > 0
    key = ["lead_id", "as_of"]
    assert_frame_equal(
        kept.sort(key), first.join(kept.select(key), on=key).select(first.columns).sort(key)
    )
    # holdout examples whose attributes changed were recomputed, with other points,
    # also those of leads without a (re)checked event
    attributes = rows.join(first, on=key, suffix="_first").filter(
        pl.col("attributes_key") != pl.col("attributes_key_first")
    )
    assert attributes["snapshot_role"].unique().to_list() == ["holdout"]
    only_attributes = attributes.join(_touched_in_latest_build(db), on="lead_id", how="anti")
    assert only_attributes.height > 0
    assert (only_attributes["rules_points"] != only_attributes["rules_points_first"]).sum() > 0
    assert builds["cases"]["accounts_updated"] > 0


# changes the rules scores depend on, made between two builds without --full-refresh:
# a rule's points (seed scoring_rules edited in the database, as `dbt seed` after a
# CSV edit leaves it) and one holdout date instead of two (the older one becomes a
# training date: its examples leave the table)
RULES_CHANGES = {
    "rule_points": ({}, "update config.scoring_rules set points = 25 where rule_id = 'title_vp'"),
    "holdout_dates": ({"holdout_snapshots": 1}, None),
}


@pytest.mark.parametrize("change", RULES_CHANGES)
def test_a_changed_rule_or_role_recomputes_the_rules_scores(builds, tmp_path_factory, change):
    extra, seed_edit = RULES_CHANGES[change]
    tmp, db, full, raw = _two_copies(builds, tmp_path_factory, f"rules_{change}", seed_edit)
    # the spine assigns the roles; the features carry them
    spine = "int_snapshot_dates int_lead_snapshots_filtered int_lead_features_joined"
    models = [
        "run",
        "--select",
        f"{spine} int_lead_rules_scores" if extra else "int_lead_rules_scores",
    ]
    variables = {**VARS, **extra}
    run_dbt(models, db, raw, tmp, variables)
    run_dbt([*models, "--full-refresh"], full, raw, tmp, variables)
    table, exclude = "intermediate.int_lead_rules_scores", ["checked_through", "base_as_of"]
    got = _table(db, table, exclude)
    assert_frame_equal(got, _table(full, table, exclude))
    before = _table(builds["incremental"], table, [*exclude, "settings_key"])
    assert _differ(got.drop("settings_key"), before)
    if extra:  # the older holdout date's examples left the table
        assert got["as_of"].n_unique() < before["as_of"].n_unique()


def test_a_changed_engagement_setting_recomputes_every_example(builds, tmp_path_factory):
    # the half-life changes values, not columns: the stored rows computed with the old
    # one are recomputed without --full-refresh
    tmp, db, raw = _copy(builds, tmp_path_factory, "setting")
    model = ["run", "--select", "int_lead_engagement_windows"]
    run_dbt(model, db, raw, tmp, {**VARS, "engagement_half_life_days": 3})
    full = tmp / "full.duckdb"
    shutil.copy(builds["incremental"], full)
    run_dbt([*model, "--full-refresh"], full, raw, tmp, {**VARS, "engagement_half_life_days": 3})
    table, exclude = "intermediate.int_lead_engagement_windows", ["checked_through", "base_as_of"]
    got = _table(db, table, exclude)
    assert_frame_equal(got, _table(full, table, exclude))
    assert _differ(got, _table(builds["incremental"], table, exclude))


# Settings each incremental event table's stored values depend on, changed between two
# builds without --full-refresh: a var of the cleaning (int_events_checked), a var of the
# daily roll-up (int_lead_activity_daily) and a rule of the seed that classifies page
# paths (edited in the database, as `dbt seed` after a CSV edit leaves it). Each must
# give the rows of a --full-refresh build with the same setting in all three tables.
SETTING_CHANGES = {
    "max_event_duration": ({"max_event_duration_seconds": 60}, None),
    "sales_touch_types": ({"sales_touch_event_types": ["sales_call", "email_reply"]}, None),
    "page_rules": (
        {},
        "update config.page_categories set page_category = 'pricing' where page_category = 'docs'",
    ),
}
EVENT_TABLES = [
    ("intermediate.int_events_checked", ["checked_at", "previous_lead_id"]),
    ("intermediate.int_lead_activity_daily", ["checked_through"]),
    ("intermediate.int_lead_engagement_windows", ["checked_through", "base_as_of"]),
    ("intermediate.int_lead_rules_scores", ["checked_through", "base_as_of"]),
]


@pytest.mark.parametrize("change", SETTING_CHANGES)
def test_a_changed_setting_recomputes_the_event_tables(builds, tmp_path_factory, change):
    extra, seed_edit = SETTING_CHANGES[change]
    tmp, db, full, raw = _two_copies(builds, tmp_path_factory, f"setting_{change}", seed_edit)
    tables = (
        "int_events_checked int_lead_activity_daily int_lead_engagement_windows "
        "int_lead_rules_scores"
    )
    models = ["run", "--select", f"int_page_paths_classified {tables}"]
    variables = {**VARS, **extra}
    run_dbt(models, db, raw, tmp, variables)
    run_dbt([*models, "--full-refresh"], full, raw, tmp, variables)
    changed = []
    for table, exclude in EVENT_TABLES:
        got = _table(db, table, exclude)
        assert_frame_equal(got, _table(full, table, exclude), check_exact=False, rel_tol=1e-9)
        before = _table(builds["incremental"], table, [*exclude, "settings_key"])
        # (within the float tolerance: the sums brought forward and those recomputed
        # from all days differ in their last digits)
        changed.append(_differ(got.drop("settings_key", strict=False), before))
    # the setting changed the values of the roll-ups (and, for the duration, the cleaning;
    # the rules scores count no sales touches)
    assert changed[1:3] == [True, True], changed
    assert changed[3] == (change != "sales_touch_types"), changed
    assert changed[0] == (change == "max_event_duration"), changed


# tables as an earlier version stored them, without bookkeeping columns this version
# reads: the activity before settings_key existed; the rules scores before they were
# incremental (a plain table: no attributes_key, checked_through or settings_key) and
# before the behaviour rules were brought forward (no behaviour_sums, base_as_of); the
# engagement windows before their examples were brought forward from a base
OLDER_TABLES = {
    "activity": ("int_lead_activity_daily", ["settings_key"]),
    "rules": ("int_lead_rules_scores", ["attributes_key", "checked_through", "settings_key"]),
    "rules_forward": ("int_lead_rules_scores", ["behaviour_sums", "base_as_of"]),
    "engagement": ("int_lead_engagement_windows", ["decayed_activity_sum", "base_as_of"]),
}


@pytest.mark.parametrize("older", OLDER_TABLES)
def test_a_table_stored_without_settings_key_stops_the_run(builds, tmp_path_factory, older):
    # a database built by an earlier version: the run stops with dbt's schema message,
    # naming the columns (the fix is one --full-refresh), not with an error from the
    # pre-hook's SQL and not keeping rows of unknown settings
    model, columns = OLDER_TABLES[older]
    tmp, db, raw = _copy(builds, tmp_path_factory, f"older_{older}")
    table = f"intermediate.{model}"
    con = duckdb.connect(str(db))
    try:
        for column in columns:
            con.execute(f"alter table {table} drop column {column}")
    finally:
        con.close()
    variables = {**VARS, "raw_data_path": str(raw)}
    result = run_dbt_command(["run", "--select", model], db, tmp, variables)
    assert result.returncode != 0
    assert "out of sync" in result.stdout, result.stdout[-3000:]
    assert all(c in result.stdout for c in columns), result.stdout[-3000:]
    kept = _query(db, f"select count(*) as n from {table}")["n"][0]
    assert kept == _table(builds["incremental"], table, []).height


def test_key_tests_check_the_latest_rows_against_all_rows(builds, tmp_path_factory):
    # the key tests of the incremental tables check the keys the latest build wrote,
    # counted over all rows; a --full-refresh or var full_history_tests checks every key
    tmp, db, raw = _copy(builds, tmp_path_factory, "key_tests")
    table = "intermediate.int_lead_activity_daily"
    older = f"checked_through < (select max(checked_through) from {table})"

    def dbt_test(**extra):
        variables = {**VARS, "raw_data_path": str(raw), **extra}
        select = ["test", "--select", "int_lead_activity_daily int_events_checked"]
        return run_dbt_command(select, db, tmp, variables)

    def insert(sql: str) -> None:
        con = duckdb.connect(str(db))
        try:
            con.execute(sql)
        finally:
            con.close()

    def compiled_key_test(folder) -> str:
        # dbt shortens a long test's file name: found by its SQL
        texts = [f.read_text() for f in (folder / "target" / "compiled").rglob("*.sql")]
        [text] = [t for t in texts if "int_lead_activity_daily" in t and "occurrences" in t]
        return text

    # as built: the keys are unique; the 30 re-sent event ids of the second delivery
    # are each exported twice (a warning)
    result = dbt_test()
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"Got 30 results, configured to warn", result.stdout)
    assert "activity_date) in (" in compiled_key_test(tmp)
    # a database of one build (every row is the latest): the plain grouping, which
    # checks the same keys at about half the cost
    one_tmp, one_db, _ = _copy(builds, tmp_path_factory, "key_tests_one_build", "full")
    select = ["test", "--select", "int_lead_activity_daily"]
    result = run_dbt_command(select, one_db, one_tmp, {**VARS, "raw_data_path": str(raw)})
    assert result.returncode == 0, result.stdout[-3000:]
    assert "in (" not in compiled_key_test(one_tmp)
    # an older row stored twice: outside the latest build's keys, found by the
    # whole-history check only
    insert(f"insert into {table} select * from {table} where {older} limit 1")
    assert dbt_test().returncode == 0
    result = dbt_test(full_history_tests=True)
    assert result.returncode != 0 and "Got 1 result" in result.stdout
    # a row of the latest build repeating a stored key: found
    insert(
        f"insert into {table} select * replace ("
        f"(select max(checked_through) from {table}) as checked_through) "
        f"from {table} where {older} order by lead_id desc limit 1"
    )
    result = dbt_test()
    assert result.returncode != 0 and "Got 1 result" in result.stdout
