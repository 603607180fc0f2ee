"""The dashboard's data: plain functions over a read-only connection to the BI copy.

Every function takes an open DuckDB connection to the published copy
(`leadscore publish`, default data/leadscore_bi.duckdb) and returns plain Python
values or polars frames; the Streamlit page only lays them out. The build database
is never opened: a dashboard holding it would make `dbt build` fail on DuckDB's
file lock.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import duckdb
import polars as pl

from leadscore.reporting.report import display_name

DEFAULT_DB = Path("data/leadscore_bi.duckdb")
DB_ENV = "LEADSCORE_BI_DB"
SCHEMA = "marts"
DEFAULT_PORT = 8501  # the url of exposure lead_scoring_dashboard
# the marts the page reads (exposure lead_scoring_dashboard depends on each)
MARTS = (
    "sales_queue",
    "lead_scores",
    "tier_performance",
    "funnel_by_tier",
    "funnel_conversion",
    "model_health",
    "model_performance",
    "feature_drift",
)


class CopyMissing(Exception):
    """The BI copy cannot be read; the message says what to run (one line)."""


def resolve_db(arg: str | os.PathLike | None = None) -> Path:
    """The BI copy's path: the argument, else $LEADSCORE_BI_DB, else data/leadscore_bi.duckdb."""
    return Path(arg or os.environ.get(DB_ENV) or DEFAULT_DB)


def connect(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the BI copy, or CopyMissing saying what to run."""
    db = Path(db)
    if not db.is_file():
        raise CopyMissing(
            f"No published BI copy at {db}. Run `make demo` (generated data) or "
            "`make build` (your data) first: they build the marts and publish them there."
        )
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error as e:
        raise CopyMissing(
            f"Cannot open the BI copy {db}: {e}. Re-publish it with "
            "`leadscore publish` (or `make build`)."
        ) from None
    if not tables(con):
        con.close()
        raise CopyMissing(f"The BI copy {db} holds no marts. Run `make build` to publish them.")
    return con


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
    ).fetchall()
    return {r[0] for r in rows}


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params or []).pl()


def latest_build(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The newest row of marts.model_health (one row per build), or None."""
    if "model_health" not in tables(con):
        return None
    rows = _frame(con, "select * from marts.model_health order by built_at desc limit 1")
    return rows.to_dicts()[0] if rows.height else None


def current_model(con: duckdb.DuckDBPyConnection) -> str | None:
    """The model whose holdout the tier and funnel marts show: the latest build's
    champion, else the newest model in marts.tier_performance (cold start: rules)."""
    build = latest_build(con)
    if "tier_performance" not in tables(con):
        return None
    ids = [
        r[0]
        for r in con.execute(
            "select distinct model_id from marts.tier_performance order by model_id desc"
        ).fetchall()
    ]
    if build and build["model_id"] in ids:
        return build["model_id"]
    return ids[0] if ids else None


def headline(con: duckdb.DuckDBPyConnection) -> dict:
    """The numbers at the top of the page (None where the mart is not in this copy)."""
    have = tables(con)
    out: dict = {
        "queue_leads": None,
        "queue_by_tier": [],
        "scored_leads": None,
        "top_tiers": [],
        "top_tiers_share": None,
        "top_tiers_lead_share": None,
        "holdout_auc": None,
        "rules_auc": None,
        "alerts": None,
        "built_at": None,
        "model_id": None,
    }
    if "sales_queue" in have:
        # per tier, best first (the queue's tiers carry their rank in lead_scores)
        out["queue_by_tier"] = con.execute(
            "select q.tier, count(*) from marts.sales_queue q "
            "left join (select tier, min(tier_rank) as tier_rank from marts.lead_scores "
            "group by tier) t using (tier) group by q.tier, t.tier_rank order by t.tier_rank"
        ).fetchall()
        out["queue_leads"] = sum(n for _, n in out["queue_by_tier"])
    if "lead_scores" in have:
        out["scored_leads"] = con.execute(
            "select count(*) from marts.lead_scores where status = 'scored'"
        ).fetchall()[0][0]
    model = current_model(con)
    if model is not None:
        # the tiers the sales queue holds (hot and warm by default)
        rows = (
            con.execute(
                "select tier, share_of_conversions, share_of_leads from marts.tier_performance "
                "where model_id = ? and tier_rank <= (select max(tier_rank) from "
                "marts.tier_performance where model_id = ? and tier in "
                "(select tier from marts.sales_queue)) order by tier_rank",
                [model, model],
            ).fetchall()
            if "sales_queue" in have
            else []
        )
        out["top_tiers"] = [tier for tier, *_ in rows]
        out["top_tiers_share"] = sum(r[1] for r in rows) if rows else None
        out["top_tiers_lead_share"] = sum(r[2] for r in rows) if rows else None
    if "model_performance" in have and model is not None:
        perf = dict(
            con.execute(
                "select scorer, auc from marts.model_performance where model_id = ?", [model]
            ).fetchall()
        )
        out["rules_auc"] = perf.get("rules")
    build = latest_build(con)
    if build:
        out["holdout_auc"] = build["current_holdout_auc"]
        out["alerts"] = build["alert_count"]
        out["built_at"] = build["built_at"]
        out["model_id"] = build["model_id"]
    return out


def sales_queue(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """marts.sales_queue in work order: what a rep calls, and why."""
    return _frame(
        con,
        "select queue_rank, tier, score, company_name, job_title, owner_id, channel_name, "
        "lifecycle_stage_name, recommended_action, follow_up_due_at, last_activity, "
        "last_activity_at, reasons, concerns from marts.sales_queue order by queue_rank",
    )


def tiers(con: duckdb.DuckDBPyConnection, model: str | None) -> pl.DataFrame:
    """marts.tier_performance of `model`: the holdout's realised conversion per tier."""
    return _frame(
        con,
        "select tier, tier_rank, leads, share_of_leads, conversions, conversion_rate, "
        "mean_predicted_probability, lift, share_of_conversions, won_deals, won_revenue "
        "from marts.tier_performance where model_id = ? order by tier_rank",
        [model],
    )


def funnel_by_tier(con: duckdb.DuckDBPyConnection, model: str | None) -> pl.DataFrame:
    """marts.funnel_by_tier of `model`: share of each tier's holdout leads reaching a stage."""
    return _frame(
        con,
        "select tier, tier_rank, stage, stage_order, leads, reached, reach_rate "
        "from marts.funnel_by_tier where model_id = ? order by tier_rank, stage_order",
        [model],
    )


def channels(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select distinct channel from marts.funnel_conversion "
            "where channel is not null order by 1"
        ).fetchall()
    ]


def funnel(con: duckdb.DuckDBPyConnection, channel: str | None = None) -> pl.DataFrame:
    """marts.funnel_conversion summed over cohorts (and channels unless `channel`): per
    stage, the leads that entered it, how many advanced and the rate."""
    return _frame(
        con,
        "select stage, stage_order, sum(entered)::bigint as entered, "
        "sum(advanced)::bigint as advanced, "
        "sum(advanced) / nullif(sum(entered), 0) as conversion_rate "
        "from marts.funnel_conversion where ? is null or channel = ? "
        "group by stage, stage_order order by stage_order",
        [channel, channel],
    )


def model_history(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """marts.model_health, oldest build first: AUC, drift and alerts over builds."""
    return _frame(con, "select * from marts.model_health order by built_at")


def performance(con: duckdb.DuckDBPyConnection, model: str | None) -> pl.DataFrame:
    """marts.model_performance of `model`: the model beside the points table (rules)."""
    return _frame(
        con,
        "select scorer, holdout_from, holdout_to, examples, positives, auc, pr_auc, "
        "top_decile_lift, brier, ece from marts.model_performance where model_id = ? "
        "order by scorer",
        [model],
    )


def drift(con: duckdb.DuckDBPyConnection, names: dict[str, str]) -> pl.DataFrame:
    """marts.feature_drift, largest PSI first, with a reader's name per feature."""
    frame = _frame(
        con,
        "select feature, kind, psi, drift_band, is_alert, reference_rows, current_rows "
        "from marts.feature_drift order by psi desc, feature",
    )
    return frame.with_columns(
        pl.col("feature").map_elements(lambda f: feature_label(f, names), pl.String).alias("name")
    )


def feature_label(feature: str, names: dict[str, str]) -> str:
    """A reader's name: the report's (the dictionary's description without seed/var
    notes, template placeholders or the as_of wording); the score drift row by name."""
    if feature == "score":
        return "Lead score (0-100)"
    return display_name(feature, names)


def _seed(project: Path, seed: str, key: str, value: str) -> dict[str, str]:
    path = project / "seeds" / f"{seed}.csv"
    if not path.is_file():
        return {}
    with path.open(newline="") as f:
        return {row[key]: row[value] for row in csv.DictReader(f) if row.get(key)}


def labels(con: duckdb.DuckDBPyConnection, project: Path) -> dict[str, dict[str, str]]:
    """Readers' names from the seeds feature_dictionary and lifecycle_stages: the tables
    when the copy carries them, else the project's seed files (configuration, not the
    build database)."""
    out = {}
    for seed, key, value in (
        ("feature_dictionary", "feature", "description"),
        ("lifecycle_stages", "stage", "display_name"),
    ):
        where = con.execute(
            "select table_schema from information_schema.tables where table_name = ? limit 1",
            [seed],
        ).fetchall()
        if where:
            rows = con.execute(f'select {key}, {value} from "{where[0][0]}".{seed}').fetchall()
            out[seed] = {k: v for k, v in rows if k}
        else:
            out[seed] = _seed(project, seed, key, value)
    return out


def percent(value: float | None, digits: int = 1) -> str:
    return "\u2013" if value is None else f"{value * 100:.{digits}f}%"


def count(value: int | None) -> str:
    return "\u2013" if value is None else f"{int(value):,}"
