"""Rep verdicts (sales_feedback) and deal value, checked against independent computations.

The planted feedback set is shaped after the generator's sales_feedback: verdict codes
good_fit / bad_fit / not_ready, given days after the rep worked the lead, some of them
rejecting leads that were hot at the time. The small build of conftest supplies the
warehouse; a copy of it gets the planted rows and only the models under test re-run.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from statistics import median

import duckdb
import polars as pl
import pytest

from conftest import run_dbt

ACCEPTING = {"good_fit": True, "bad_fit": False, "not_ready": False}
LABELS = {"good_fit": "good fit", "bad_fit": "bad fit", "not_ready": "not ready"}
T = datetime  # shorthand for the planted times

# score history: (lead, tier, valid_from, valid_to)
HISTORY = [
    ("L1", "hot", T(2026, 1, 1), T(2026, 2, 1)),
    ("L1", "cold", T(2026, 2, 1), None),
    ("L2", "hot", T(2026, 1, 1), None),
    ("L4", "hot", T(2025, 9, 1), T(2025, 11, 1)),
]
# out-of-time backtest tiers: (lead, as_of, tier); valid for snapshot_interval_days (30)
BACKTEST = [("L3", T(2025, 12, 1), "cold")]
# verdicts: (lead, verdict, created_at)
VERDICTS = [
    ("L1", "bad_fit", T(2026, 1, 10, 9)),  # hot, rejected
    ("L2", "not_ready", T(2026, 1, 11, 16)),  # hot, rejected (Sunday: same week)
    ("L2", "good_fit", T(2026, 1, 6, 11)),  # hot, accepted
    ("L1", "bad_fit", T(2026, 2, 1, 0)),  # at the change: already cold, rejected
    ("L1", "good_fit", T(2026, 2, 3, 14)),  # cold, accepted: disagreement
    ("L3", "good_fit", T(2025, 12, 10, 10)),  # backtest cold, accepted: disagreement
    ("L3", "bad_fit", T(2026, 1, 15, 10)),  # backtest too old: unscored
    ("L4", "bad_fit", T(2025, 10, 1, 10)),  # hot, rejected, outside the 90-day window
]
RANKS = {"hot": 1, "warm": 2, "cool": 3, "cold": 4}
SPINE = [  # (lead, as_of) examples for the point-in-time feature
    ("L1", T(2026, 1, 10, 9)),  # the verdict at this very moment is not visible
    ("L1", T(2026, 2, 2)),  # two verdicts before: latest is the 02-01 rejection
    ("L2", T(2026, 1, 12)),  # accepted 01-06, rejected 01-11: latest not_ready
    ("L3", T(2025, 12, 1)),  # nothing before
]


def _tier_at(lead: str, at: datetime) -> tuple[str, str]:
    for hlead, tier, start, end in HISTORY:
        if hlead == lead and start <= at and (end is None or at < end):
            return tier, "score_history"
    for blead, as_of, tier in BACKTEST:
        if blead == lead and as_of <= at < as_of + timedelta(days=30):
            return tier, "backtest"
    return "unscored", "unscored"


def _expected_agreement() -> dict[tuple, dict]:
    rows: dict[tuple, dict] = {}
    for lead, verdict, at in VERDICTS:
        tier, _ = _tier_at(lead, at)
        week = (at - timedelta(days=at.weekday())).date()
        row = rows.setdefault((week, tier, verdict), {"verdicts": 0})
        row["verdicts"] += 1
    for (week, tier, verdict), row in rows.items():
        tier_total = sum(r["verdicts"] for (w, t, _), r in rows.items() if (w, t) == (week, tier))
        row["tier_verdicts"] = tier_total
        row["share"] = row["verdicts"] / tier_total
        row["disagrees"] = (tier == "hot" and not ACCEPTING[verdict]) or (
            tier == "cold" and ACCEPTING[verdict]
        )
    return rows


def _plant(db) -> None:
    con = duckdb.connect(str(db))
    feedback = pl.DataFrame(
        {
            "feedback_id": [f"F{i}" for i in range(len(VERDICTS))],
            "lead_id": [v[0] for v in VERDICTS],
            "source_lead_id": [v[0] for v in VERDICTS],
            "rep_id": ["U1"] * len(VERDICTS),
            "verdict": [v[1] for v in VERDICTS],
            "verdict_label": [LABELS[v[1]] for v in VERDICTS],
            "is_acceptance": [ACCEPTING[v[1]] for v in VERDICTS],
            "verdict_class": ["accepted" if ACCEPTING[v[1]] else "rejected" for v in VERDICTS],
            "created_at": [v[2] for v in VERDICTS],
        }
    )
    history = pl.DataFrame(
        {
            "lead_id": [h[0] for h in HISTORY],
            "score": [90 if h[1] == "hot" else 5 for h in HISTORY],
            "tier": [h[1] for h in HISTORY],
            "score_source": ["model"] * len(HISTORY),
            "model_id": ["m"] * len(HISTORY),
            "valid_from": [h[2] for h in HISTORY],
            "valid_to": [h[3] for h in HISTORY],
            "is_current": [h[3] is None for h in HISTORY],
        },
        schema_overrides={"valid_to": pl.Datetime("us")},
    )
    backtest = pl.DataFrame(
        {
            "lead_id": [b[0] for b in BACKTEST],
            "as_of": [b[1] for b in BACKTEST],
            "model_id": ["m"],
            "label": [False],
            "probability": [0.05],
            "score": [5],
            "percentile": [10.0],
            "tier": [b[2] for b in BACKTEST],
            "tier_rank": [RANKS[b[2]] for b in BACKTEST],
        }
    )
    spine = pl.DataFrame(
        {
            "lead_id": [s[0] for s in SPINE],
            "as_of": [s[1] for s in SPINE],
            "snapshot_role": ["train"] * len(SPINE),
        }
    )
    for table, frame in (
        ("intermediate.int_sales_feedback_mapped", feedback),
        ("marts.score_history", history),
        ("intermediate.int_holdout_examples_tiered", backtest),
        ("intermediate.int_lead_snapshots_filtered", spine),
    ):
        con.register("planted", frame.to_arrow())
        con.execute(f"create or replace table {table} as select * from planted")
        con.unregister("planted")
    con.close()


@pytest.fixture(scope="module")
def planted(built_db, small_raw, tmp_path_factory):
    """A copy of the small build with the planted verdicts, history and spine; the
    feedback models re-run with the alert threshold just below the planted 2/3."""
    tmp = tmp_path_factory.mktemp("feedback")
    db = tmp / "planted.duckdb"
    shutil.copy(built_db, db)
    _plant(db)
    low = {"feedback_hot_rejection_threshold": 0.6, "feedback_alert_min_verdicts": 3}
    models = "int_lead_feedback_features int_sales_feedback_tiered sales_feedback_agreement"
    run_dbt(["run", "--select", *models.split(), "model_health"], db, small_raw, tmp, low)
    return db, tmp


def test_agreement_mart_matches_the_planted_verdicts(planted):
    db, _ = planted
    con = duckdb.connect(str(db), read_only=True)
    got = con.sql(
        "select week_start, tier, verdict, verdicts, tier_verdicts, share_of_tier_verdicts, "
        "is_disagreement, tier_rank, verdicts_from_score_history, verdicts_from_backtest "
        "from marts.sales_feedback_agreement"
    ).fetchall()
    con.close()
    expected = _expected_agreement()
    assert {(r[0], r[1], r[2]) for r in got} == set(expected)
    for week, tier, verdict, n, total, share, disagrees, rank, n_hist, n_back in got:
        want = expected[(week, tier, verdict)]
        assert (n, total, disagrees) == (want["verdicts"], want["tier_verdicts"], want["disagrees"])
        assert share == pytest.approx(want["share"])
        assert rank == RANKS.get(tier)
        sources = [
            _tier_at(lead, at)[1]
            for lead, v, at in VERDICTS
            if v == verdict
            and _tier_at(lead, at)[0] == tier
            and (at - timedelta(days=at.weekday())).date() == week
        ]
        assert (n_hist, n_back) == (sources.count("score_history"), sources.count("backtest"))
    # the week of 2026-01-05: reps rejected 2 of 3 hot leads
    hot_week = {r[2]: r[3] for r in got if r[0].isoformat() == "2026-01-05" and r[1] == "hot"}
    assert hot_week == {"bad_fit": 1, "not_ready": 1, "good_fit": 1}


def test_verdict_feature_sees_only_verdicts_before_as_of(planted):
    db, _ = planted
    con = duckdb.connect(str(db), read_only=True)
    got = {
        (lead, as_of): (verdict, rejections)
        for lead, as_of, verdict, rejections in con.sql(
            "select lead_id, as_of, last_rep_verdict, rep_rejections "
            "from intermediate.int_lead_feedback_features"
        ).fetchall()
    }
    con.close()
    expected = {}
    for lead, as_of in SPINE:
        before = sorted((at, v) for vlead, v, at in VERDICTS if vlead == lead and at < as_of)
        if before:
            rejections = sum(1 for _, v in before if not ACCEPTING[v])
            expected[(lead, as_of)] = (LABELS[before[-1][1]], rejections)
    assert got == expected
    # the verdict given at the example's own as_of is not visible
    assert ("L1", T(2026, 1, 10, 9)) not in got


def _latest_health(db):
    from leadscore.core.lifecycle import feedback_alert

    con = duckdb.connect(str(db), read_only=True)
    row = con.sql(
        "select hot_verdicts, hot_rejection_rate, is_feedback_alert, retrain_alert "
        "from marts.model_health order by built_at desc limit 1"
    ).fetchall()[0]
    reason = feedback_alert(con)
    con.close()
    return row, reason


def test_feedback_alert_fires_above_the_threshold_and_not_below(planted, small_raw):
    db, tmp = planted
    # window: 90 days up to the latest tiered verdict (2026-02-03); L4's rejection of
    # 2025-10-01 is older, so 3 hot verdicts, 2 rejections
    (verdicts, rate, alert, retrain), reason = _latest_health(db)
    assert (verdicts, alert, retrain) == (3, True, True)
    assert rate == pytest.approx(2 / 3)
    assert reason == "reps rejected 67% of 3 verdicts on top-tier leads"
    high = {"feedback_hot_rejection_threshold": 0.7, "feedback_alert_min_verdicts": 3}
    run_dbt(["run", "--select", "model_health"], db, small_raw, tmp, high)
    (verdicts, rate, alert, retrain), reason = _latest_health(db)
    assert (verdicts, alert, reason) == (3, False, None)
    assert rate == pytest.approx(2 / 3)
    too_few = {"feedback_hot_rejection_threshold": 0.6, "feedback_alert_min_verdicts": 4}
    run_dbt(["run", "--select", "model_health"], db, small_raw, tmp, too_few)
    (_, _, alert, _), reason = _latest_health(db)
    assert (alert, reason) == (False, None)


def test_feedback_alert_makes_the_lifecycle_retrain():
    """A fresh champion is kept, unless the latest model_health row raised the alert."""
    import json

    from leadscore.core.lifecycle import Policy, decide_training

    now = T(2026, 2, 4)
    fresh = pl.DataFrame(
        [
            {
                "model_id": "m1",
                "status": "champion",
                "trained_at": now - timedelta(days=3),
                "features_json": json.dumps({"numeric": ["x"], "categorical": []}),
                "conversion_stage": "customer",
                "prediction_horizon_days": 90,
            }
        ]
    )
    label = {"conversion_stage": "customer", "prediction_horizon_days": 90}
    kept = decide_training(fresh, now, Policy(), ["x"], label)
    assert not kept.train
    reason = "reps rejected 67% of 3 verdicts on top-tier leads"
    alerted = decide_training(fresh, now, Policy(feedback_alert=reason), ["x"], label)
    assert alerted.train
    assert alerted.reason == f"sales feedback alert: {reason}"


def test_generated_feedback_is_read_and_tiered(con):
    """On the generated export: verdicts come after the rep worked the lead, reps reject
    the leads the model ranks low more often than those it ranks high (they judge fit
    like the oracle, and reject some top-tier leads too), and every usable verdict
    reaches the agreement mart."""
    mapped = con.sql("select count(*) from intermediate.int_sales_feedback_mapped").fetchall()[0][0]
    in_mart = con.sql("select sum(verdicts) from marts.sales_feedback_agreement").fetchall()[0][0]
    assert mapped > 100 and in_mart == mapped
    # (verdicts, rejections) of the scored verdicts: cold, and the better tiers (a small
    # world may have no verdict on a hot lead)
    cold, better = con.sql(
        "select count(*), sum(case when is_acceptance then 0 else 1 end) "
        "from intermediate.int_sales_feedback_tiered where tier_source <> 'unscored' "
        "group by tier = 'cold' order by tier = 'cold' desc"
    ).fetchall()
    assert cold[0] > 0 and better[0] > 0 and cold[1] > 0
    assert cold[1] / cold[0] > better[1] / better[0]
    before_mql = con.sql(
        """select count(*) from intermediate.int_sales_feedback_mapped f
           where not exists (
               select 1 from intermediate.int_stage_changes_mapped s
               where s.lead_id = f.lead_id and s.stage = 'mql' and s.changed_at < f.created_at)"""
    ).fetchall()[0][0]
    assert before_mql == 0


def test_expected_value_is_probability_times_segment_median(con):
    """Median won amount per company_size_band of deals closed before as_of, all deals
    when a band has fewer than 10 (vars deal_value_segment, deal_value_min_deals)."""
    scores = con.sql(
        """select s.lead_id, s.probability, s.as_of, s.expected_value, s.value_segment,
                  coalesce(a.company_size_band, 'unknown') as band
           from marts.lead_scores s
           join intermediate.int_leads_deduplicated l using (lead_id)
           left join intermediate.int_accounts_enriched a on a.account_id = l.account_id
           where s.status = 'scored' -- in_pipeline leads have no probability nor value"""
    ).pl()
    deals = con.sql(
        """select o.closed_at, o.amount,
                  coalesce(a.company_size_band, 'unknown') as band
           from intermediate.int_opportunities_mapped o
           left join intermediate.int_leads_deduplicated l on l.lead_id = o.lead_id
           left join intermediate.int_accounts_enriched a
             on a.account_id = coalesce(o.account_id, l.account_id)
           where o.is_won and o.amount > 0"""
    ).pl()
    as_of = scores["as_of"][0]
    before = deals.filter(pl.col("closed_at") < as_of)
    assert before.height > 20
    by_band = {
        band: (len(amounts), median(amounts))
        for band, amounts in before.group_by("band").agg(pl.col("amount")).iter_rows()
    }
    overall = median(before["amount"].to_list())
    checked = {"segment": 0, "all": 0}
    for row in scores.iter_rows(named=True):
        n, band_median = by_band.get(row["band"], (0, None))
        typical, segment = (band_median, row["band"]) if n >= 10 else (overall, "all")
        assert row["value_segment"] == segment
        if row["probability"] is None:
            assert row["expected_value"] is None
            continue
        assert row["expected_value"] == pytest.approx(row["probability"] * typical, rel=1e-9)
        checked["all" if segment == "all" else "segment"] += 1
    assert checked["segment"] > 0


def test_tier_performance_counts_won_deals_within_the_horizon(con):
    """Won deals closed within 90 days after each holdout example's as_of: count,
    revenue and median days from the lead's creation to the first such close."""
    examples = con.sql(
        "select lead_id, as_of, tier from intermediate.int_holdout_examples_tiered"
    ).pl()
    deals = con.sql(
        """select o.lead_id, o.closed_at, o.amount, l.created_at
           from intermediate.int_opportunities_mapped o
           join intermediate.int_leads_deduplicated l using (lead_id)
           where o.is_won and o.closed_at is not null"""
    ).pl()
    joined = examples.join(deals, on="lead_id").filter(
        (pl.col("closed_at") > pl.col("as_of"))
        & (pl.col("closed_at") <= pl.col("as_of") + pl.duration(days=90))
    )
    firsts = joined.group_by("lead_id", "as_of", "tier").agg(
        (pl.col("closed_at").min().dt.date() - pl.col("created_at").first().dt.date())
        .dt.total_days()
        .alias("days")
    )
    got = {
        r[0]: r[1:]
        for r in con.sql(
            "select tier, won_deals, won_revenue, median_days_to_won_deal "
            "from marts.tier_performance"
        ).fetchall()
    }
    assert sum(r[0] for r in got.values()) == joined.height > 0
    for tier, (won, revenue, days) in got.items():
        mine = joined.filter(pl.col("tier") == tier)
        assert won == mine.height
        assert revenue == pytest.approx(mine.filter(pl.col("amount") > 0)["amount"].sum())
        tier_days = firsts.filter(pl.col("tier") == tier)["days"].to_list()
        assert days == (pytest.approx(median(tier_days)) if tier_days else None)
