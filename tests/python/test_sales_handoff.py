"""Scoring the leads sales does not own yet: hand-over, the sales queue, plain reasons.

Shape of the data: the generator's journeys (lead -> mql -> sql -> opportunity ->
customer, python/leadscore/demo/generator/journey.py) leave about a fifth of the open leads
at sql or opportunity on the score date, as a real CRM does; before the hand-over
stage existed, most hot leads were among them (issue's tier x stage table).
"""

from __future__ import annotations

import json
import re

import duckdb

SNAKE_CASE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")

# every sentence the product shows a person: lead_scores reasons (and their JSON),
# the sales queue, the CRM sync, the rules baseline's reasons
REASON_TEXTS = [
    *(
        f"select {col} as text from marts.lead_scores"
        for col in [f"{d}_reason_{i}" for d in ("positive", "negative") for i in (1, 2, 3)]
    ),
    *(
        f"select {col} as text from marts.sales_queue"
        for col in ("reasons", "concerns", "channel_name", "lifecycle_stage_name", "last_activity")
    ),
    "select ml_lead_score_reasons as text from marts.crm_lead_sync",
    *(
        f"select rules_{d}_reason_{i} as text from intermediate.int_lead_rules_scores"
        for d in ("positive", "negative")
        for i in (1, 2, 3)
    ),
]


def rendered_texts(con: duckdb.DuckDBPyConnection, queries: list[str]) -> list[str]:
    texts = []
    for query in queries:
        texts += [r[0] for r in con.sql(query).fetchall() if r[0]]
    for (reasons_json,) in con.sql(
        "select reasons_json from marts.lead_scores where reasons_json is not null"
    ).fetchall():
        texts += [item["sentence"] for item in json.loads(reasons_json)]
    return texts


def internal_codes(con: duckdb.DuckDBPyConnection, texts: list[str]) -> dict[str, str]:
    """token -> one text it occurs in: snake_case tokens, and stage codes that are not
    how sales says the stage ('sql', 'mql': their display name differs beyond case)."""
    stage_codes = {
        code
        for code, name in con.sql(
            "select stage, display_name from config.lifecycle_stages"
        ).fetchall()
        if code.lower() != name.lower()
    }
    found: dict[str, str] = {}
    for text in texts:
        for token in SNAKE_CASE.findall(text):
            found.setdefault(token, text)
        for token in re.findall(r"\b[a-z]+\b", text):
            if token in stage_codes:
                found.setdefault(token, text)
    return found


def test_no_reason_contains_an_internal_code(con):
    texts = rendered_texts(con, REASON_TEXTS)
    assert len(texts) > 1000  # every open lead has reasons
    codes = internal_codes(con, texts)
    assert codes == {}, f"internal codes in rendered reasons: {list(codes.items())[:10]}"
    # the display names are used, with the scale of the ICP fit
    joined = "\n".join(texts)
    assert re.search(r"Ideal-customer fit -?[\d.]+ of \d+", joined)
    assert "Source channel: " in joined


def test_outreach_tiers_hold_only_leads_sales_does_not_own(con):
    """Every tiered lead's latest stage before the score date (read from the stage
    changes, not from the spine) is before the hand-over stage (default sql); the
    handed-over open leads are listed as in_pipeline without score or tier."""
    rows = con.sql(
        """
        with latest as (
            select s.lead_id, s.status, s.tier, s.score, st.stage_order
            from marts.lead_scores as s
            left join intermediate.int_stage_changes_mapped as c
                on c.lead_id = s.lead_id and c.changed_at < s.as_of
            left join config.lifecycle_stages as st on st.stage = c.stage
            qualify row_number() over (
                partition by s.lead_id order by c.changed_at desc, st.stage_order desc
            ) = 1
        )
        select status, count(*) as leads,
            count(*) filter (where coalesce(stage_order, 1) >= 3) as sales_owned,
            count(tier) as tiered, count(score) as with_score,
            count(*) filter (where tier in ('hot', 'warm')) as hot_warm
        from latest group by status order by status
        """
    ).fetchall()
    by_status = {r[0]: r[1:] for r in rows}
    leads, sales_owned, tiered, with_score, hot_warm = by_status["scored"]
    assert sales_owned == 0 and tiered == with_score == leads and hot_warm > 0
    leads, sales_owned, tiered, with_score, _ = by_status["in_pipeline"]
    assert leads > 50 and sales_owned == leads and tiered == with_score == 0


def test_training_examples_are_leads_sales_does_not_own(con):
    stages = dict(
        con.sql("select current_stage, count(*) from ml.ml_training_examples group by 1").fetchall()
    )
    assert set(stages) <= {"subscriber", "lead", "mql"} and stages.get("lead", 0) > 1000
    positives = con.sql("select count(*) from ml.ml_training_examples where label").fetchall()
    assert positives[0][0] >= 120  # enough conversions for a model (min_conversions)


def test_sales_queue_lists_the_hot_and_warm_leads_in_priority_order(con):
    queue = con.sql("select * from marts.sales_queue order by queue_rank").pl()
    expected = con.sql(
        "select lead_id from marts.lead_scores where status = 'scored' "
        "and tier in ('hot', 'warm') order by tier_rank, score desc, probability desc, lead_id"
    ).fetchall()
    assert queue["lead_id"].to_list() == [r[0] for r in expected]
    assert queue["queue_rank"].to_list() == list(range(1, queue.height + 1))
    assert queue.height > 5
    # due = entered the tier + the tier's SLA; entered = the first version of the
    # lead's current tier in the score history
    first_build = con.sql("select min(valid_from) from marts.score_history").fetchall()[0][0]
    assert (queue["tier_entered_at"] == first_build).all()  # one build: all entered then
    hours = (queue["follow_up_due_at"] - queue["tier_entered_at"]).dt.total_hours()
    assert (hours == queue["follow_up_sla_hours"]).all()
    sla = dict(con.sql("select tier, follow_up_sla_hours from config.score_tiers").fetchall())
    assert (queue["follow_up_sla_hours"] == queue["tier"].replace_strict(sla)).all()
    # what a rep needs on one line
    for column in ("company_name", "job_title", "owner_id", "channel_name", "reasons"):
        assert queue[column].null_count() < queue.height / 2, column
    assert queue["last_activity_at"].max() < queue["as_of"].min()
    pre_handoff = {"Subscriber", "Lead", "Marketing-qualified lead (MQL)"}
    assert set(queue["lifecycle_stage_name"]) <= pre_handoff


def test_crm_sync_carries_status_and_follow_up_due_time(con):
    sync = con.sql(
        """
        select y.ml_lead_status, y.ml_lead_tier, y.ml_follow_up_due_at, q.follow_up_due_at
        from marts.crm_lead_sync as y left join marts.sales_queue as q using (lead_id)
        """
    ).pl()
    pipeline = sync.filter(sync["ml_lead_status"] == "in_pipeline")
    assert pipeline.height > 0 and pipeline["ml_lead_tier"].null_count() == pipeline.height
    queued = sync.filter(sync["follow_up_due_at"].is_not_null())
    assert queued.height > 0
    assert (queued["ml_follow_up_due_at"] == queued["follow_up_due_at"]).all()
    assert sync.filter(sync["follow_up_due_at"].is_null())["ml_follow_up_due_at"].null_count() == (
        sync.height - queued.height
    )


def test_reason_wording_uses_the_seeds_display_names_and_the_icp_scale():
    """Unit level: the words come from the seeds; the ICP scale is the best fit the
    seeds allow (checked by brute force over every combination of one value per
    dimension, plus every technology)."""
    from itertools import product
    from pathlib import Path

    import polars as pl

    from leadscore.core.explain import render
    from leadscore.core.wording import reason_wording

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    criteria = pl.read_csv(seeds / "icp_criteria.csv")
    technologies = pl.read_csv(seeds / "icp_technologies.csv")
    dictionary = {r["feature"]: r for r in pl.read_csv(seeds / "feature_dictionary.csv").to_dicts()}
    wording = reason_wording(
        pl.read_csv(seeds / "channels.csv"),
        pl.read_csv(seeds / "lifecycle_stages.csv"),
        criteria,
        technologies,
        5.0,
    )
    options = [
        [0, *g["points"].to_list()] for _, g in criteria.group_by("dimension", maintain_order=True)
    ]
    best = max(sum(c) for c in product(*options)) + 5.0 * technologies["weight"].sum()
    assert wording.placeholders["icp_fit_max"] == f"{best:g}"

    def say(feature, values):
        return render(feature, pl.Series(values), dictionary, wording).to_list()

    assert say("channel", ["paid_search", "linkedin", None]) == [
        "Source channel: Paid search",
        "Source channel: LinkedIn",
        "channel unknown",
    ]
    assert say("current_stage", ["mql", "lead"]) == [
        "Current stage: Marketing-qualified lead (MQL)",
        "Current stage: Lead",
    ]
    assert say("icp_fit_score", [42.5, 0.0]) == [
        f"Ideal-customer fit 42.5 of {best:g}",
        f"Ideal-customer fit 0 of {best:g}",
    ]
    # a coded value without a label reads with spaces, never with underscores
    assert say("seniority", ["c_level"]) == ["Seniority: c level"]
