"""The stronger peer: the product's feature families in plain DuckDB SQL, one LightGBM fit.

    .venv/bin/python bench/peer_duckdb_lgbm.py --raw data/raw --db data/leadscore.duckdb

What a skilled engineer writes in an afternoon without dbt: one in-memory DuckDB
session reads the raw parquet export, parses the mixed timestamp formats, merges
lead records of the same e-mail (the earliest created survives), de-duplicates event
ids, rolls events up to lead x day, and computes for the product's own (lead, as_of)
examples (keys and labels read from ml.ml_training_examples of a built database, so
both are judged on identical rows) the same families of features: person (channel,
seniority and department from the title, country, personal e-mail), qualification
answers, firmographics (industry, size, revenue, technologies), stage as of the
example date and days in it, event counts by type, active days and key-page views
over 7/30/90 days, lifetime totals and recency per type, a decayed activity score,
the integrations-then-pricing sequence, first touch weekday/hour, speed of the first
sales touch, sales feedback, lead age. Every feature uses rows strictly before
as_of (tests/python/test_bench_peer.py moves later events and checks nothing
changes). One LightGBM fit on the train examples (early stopping on the latest
train date, as the product) and the AUC on the holdout examples. Not part of the
product.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

WINDOWS = (7, 30, 90)
EVENT_TYPES = (
    "page_view",
    "email_open",
    "email_click",
    "email_reply",
    "form_submit",
    "content_download",
    "webinar_attend",
    "demo_request",
    "chat_message",
    "social_engagement",
    "sales_call",
    "email_bounce",
    "unsubscribe",
)
KEY_PAGES = ("pricing", "integrations", "docs")
HALF_LIFE_DAYS = 14
PERSONAL_DOMAINS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com")
# the activity a feature of example (lead, as_of) may see: days strictly before as_of
# (as_of is a midnight, so the daily grain is exact)
VISIBLE = "d.activity_date < x.as_of"
KEYS = ("lead_id", "as_of", "snapshot_role", "label")


def _ts(col: str) -> str:
    """Export timestamps (ISO with or without offset, US dates, epoch seconds) -> UTC."""
    s = f"trim({col})"
    return (
        f"coalesce(try_cast({s} as timestamptz)::timestamp, "
        f"try_strptime({s}, '%m/%d/%Y %H:%M:%S'), "
        f"case when regexp_full_match({s}, '\\d{{9,10}}') "
        f"then to_timestamp(cast({s} as bigint))::timestamp end)"
    )


def _key(col: str) -> str:
    return f"nullif(trim(regexp_replace(lower({col}), '[\\s_.\\-]+', ' ', 'g')), '')"


def prepare(con: duckdb.DuckDBPyConnection, raw: Path) -> None:
    """Raw export -> cleaned tables `leads`, `events_daily`, `stages`, `sequences`, `feedback`."""

    def src(name: str) -> str:
        return f"read_parquet('{raw / name}/*.parquet')"

    con.execute("set TimeZone = 'UTC'")
    con.execute(f"""
        create or replace temp table lead_rows as
        select * exclude (rn) from (
            select *, {_ts("created_at")} as created_ts,
                row_number() over (
                    partition by lead_id order by {_ts("updated_at")} desc nulls last
                ) as rn
            from {src("leads")} where lead_id is not null
        ) where rn = 1 and created_ts is not null
    """)
    con.execute("""
        create or replace temp table id_map as
        select lead_id, first_value(lead_id) over (
            partition by coalesce(lower(trim(email)), 'id:' || lead_id)
            order by created_ts, lead_id
        ) as person_id
        from lead_rows
    """)
    title = "lower(coalesce(job_title, ''))"
    con.execute(f"""
        create or replace temp table accounts as
        select account_id, {_key("industry")} as industry,
            try_cast(employee_count as double) as employee_count,
            try_cast(annual_revenue as double) as annual_revenue,
            len(string_split(tech_stack, ',')) as tech_count
        from {src("accounts")}
        qualify row_number() over (partition by account_id) = 1
    """)
    personal = ", ".join(f"'{d}'" for d in PERSONAL_DOMAINS)
    con.execute(f"""
        create or replace temp table leads as
        select l.lead_id, l.created_ts as created_at,
            {_key("lead_source")} as channel, {_key("l.country")} as country,
            case
                when regexp_matches({title}, '\\b(ceo|cto|cfo|coo|cmo|chief|founder|owner)\\b')
                    then 'c level'
                when regexp_matches({title}, '\\b(vp|vice president)\\b') then 'vp'
                when regexp_matches({title}, 'head|director') then 'director'
                when regexp_matches({title}, 'manager|lead') then 'manager'
                when regexp_matches({title}, 'intern|student|assistant') then 'junior'
                when {title} = '' then null else 'individual'
            end as seniority,
            case
                when regexp_matches({title}, 'market|growth|brand|demand') then 'marketing'
                when regexp_matches({title}, 'sales|account|business dev') then 'sales'
                when regexp_matches({title}, 'engineer|develop|it |cto|tech|data')
                    then 'engineering'
                when regexp_matches({title}, 'financ|cfo|account') then 'finance'
                when regexp_matches({title}, 'operat|coo') then 'operations'
                when {title} = '' then null else 'other'
            end as department,
            split_part(lower(trim(l.email)), '@', 2) in ({personal}) as is_personal_email,
            {_key("budget_range")} as budget_range,
            {_key("purchase_timeline")} as purchase_timeline,
            {_key("stated_need")} as stated_need,
            a.industry, a.employee_count, a.annual_revenue, a.tech_count
        from lead_rows l
        inner join id_map m on l.lead_id = m.lead_id and m.person_id = l.lead_id
        left join accounts a on l.account_id = a.account_id
    """)
    etype = "replace(" + _key("e.event_type") + ", ' ', '_')"
    types = ", ".join(f"'{t}'" for t in EVENT_TYPES)
    counts = ",\n".join(f"count(*) filter (where event_type = '{t}') as {t}" for t in EVENT_TYPES)
    pages = ",\n".join(
        f"count(*) filter (where event_type = 'page_view' and page = '{p}') as {p}_views"
        for p in KEY_PAGES
    )
    con.execute(f"""
        create or replace temp table events as
        select m.person_id as lead_id, {_ts("e.occurred_at")} as occurred_at,
            {etype} as event_type,
            regexp_extract(lower(trim(e.page_path)), '^/([a-z]+)', 1) as page
        from {src("events")} e
        inner join id_map m on e.lead_id = m.lead_id
        qualify row_number() over (partition by e.event_id) = 1
    """)
    con.execute(f"""
        create or replace temp table events_daily as
        select lead_id, cast(occurred_at as date) as activity_date, count(*) as events,
            {counts},
            {pages},
            min(occurred_at) filter (where event_type = 'sales_call') as first_sales_touch_at,
            min(occurred_at) as first_event_at, max(occurred_at) as last_event_at
        from events
        where occurred_at is not null and event_type in ({types})
        group by all
    """)
    con.execute(f"""
        create or replace temp table stages as
        select m.person_id as lead_id, {_key("s.stage")} as stage,
            {_ts("s.changed_at")} as changed_at
        from {src("lifecycle_stage_changes")} s
        inner join id_map m on s.lead_id = m.lead_id
    """)
    con.execute("""
        create or replace temp table sequences as
        with firsts as (
            select v.lead_id, min(v.occurred_at) as first_at
            from events v inner join leads l on v.lead_id = l.lead_id
            where v.event_type = 'page_view' and v.page = 'integrations'
                and v.occurred_at >= l.created_at
                and v.occurred_at < l.created_at + interval 48 hour
            group by all
        )
        select f.lead_id, min(v.occurred_at) as completed_at
        from firsts f inner join events v on f.lead_id = v.lead_id
        where v.event_type = 'page_view' and v.page = 'pricing'
            and v.occurred_at > f.first_at and v.occurred_at <= f.first_at + interval 7 day
        group by all
    """)
    if (raw / "sales_feedback").exists():
        con.execute(f"""
            create or replace temp table feedback as
            select m.person_id as lead_id, {_key("f.verdict")} as verdict,
                {_ts("f.created_at")} as created_at
            from {src("sales_feedback")} f inner join id_map m on f.lead_id = m.lead_id
        """)
    else:
        con.execute(
            "create or replace temp table feedback "
            "(lead_id varchar, verdict varchar, created_at timestamp)"
        )


def feature_sql() -> str:
    """Features of every row of temp table `examples` (lead_id, as_of, ...)."""
    days = "date_diff('day', d.activity_date, x.as_of)"
    windows = []
    for w in WINDOWS:
        windows.append(f"sum(d.events) filter (where {days} <= {w}) as events_{w}d")
        windows.append(f"count(*) filter (where {days} <= {w}) as active_days_{w}d")
        windows += [f"sum(d.{t}) filter (where {days} <= {w}) as {t}_{w}d" for t in EVENT_TYPES]
        windows += [
            f"sum(d.{p}_views) filter (where {days} <= {w}) as {p}_views_{w}d" for p in KEY_PAGES
        ]
    totals = [f"sum(d.{t}) as {t}_total" for t in EVENT_TYPES]
    totals += [f"min({days}) filter (where d.{t} > 0) as days_since_last_{t}" for t in EVENT_TYPES]
    totals += [f"sum(d.{p}_views) as {p}_views_total" for p in KEY_PAGES]
    totals += [
        f"min({days}) filter (where d.{p}_views > 0) as days_since_last_{p}_view" for p in KEY_PAGES
    ]
    aggregates = ",\n".join(windows + totals)
    return f"""
        with engagement as (
            select x.lead_id, x.as_of,
                {aggregates},
                -- rounded: a float sum depends on the order rows are added in
                round(sum(d.events * pow(0.5, ({days} - 1) / {HALF_LIFE_DAYS})), 6)
                    as decayed_activity_score,
                sum(d.events) as events_total, count(*) as active_days_total,
                min({days}) as days_since_last_activity,
                min(d.first_event_at) as first_event_at,
                min(d.first_sales_touch_at) as first_sales_touch_at
            from examples x inner join events_daily d
                on x.lead_id = d.lead_id and {VISIBLE}
            group by all
        ),
        stage_as_of as (
            select x.lead_id, x.as_of, s.stage, s.changed_at
            from examples x inner join stages s
                on x.lead_id = s.lead_id and s.changed_at < x.as_of
            qualify row_number() over (
                partition by x.lead_id, x.as_of order by s.changed_at desc
            ) = 1
        ),
        feedback_as_of as (
            select x.lead_id, x.as_of,
                arg_max(f.verdict, f.created_at) as last_rep_verdict,
                count(*) filter (where f.verdict != 'good fit') as rep_rejections
            from examples x inner join feedback f
                on x.lead_id = f.lead_id and f.created_at < x.as_of
            group by all
        )
        select x.*,
            l.channel, l.country, l.seniority, l.department, l.is_personal_email,
            l.budget_range, l.purchase_timeline, l.stated_need,
            l.industry, l.employee_count, l.annual_revenue, l.tech_count,
            coalesce(st.stage, 'lead') as current_stage,
            date_diff('day', coalesce(st.changed_at, l.created_at), x.as_of)
                as days_in_current_stage,
            date_diff('day', l.created_at, x.as_of) as lead_age_days,
            e.* exclude (lead_id, as_of, first_event_at, first_sales_touch_at),
            coalesce(sq.completed_at < x.as_of, false) as completed_integrations_then_pricing,
            dayofweek(least(l.created_at, coalesce(e.first_event_at, l.created_at)))
                as first_touch_weekday,
            hour(least(l.created_at, coalesce(e.first_event_at, l.created_at)))
                as first_touch_hour,
            date_diff('hour', l.created_at, e.first_event_at)
                as hours_from_creation_to_first_activity,
            date_diff('hour', l.created_at, e.first_sales_touch_at) as hours_to_first_sales_touch,
            fb.last_rep_verdict, coalesce(fb.rep_rejections, 0) as rep_rejections
        from examples x
        left join leads l on x.lead_id = l.lead_id
        left join engagement e on x.lead_id = e.lead_id and x.as_of = e.as_of
        left join stage_as_of st on x.lead_id = st.lead_id and x.as_of = st.as_of
        left join sequences sq on x.lead_id = sq.lead_id
        left join feedback_as_of fb on x.lead_id = fb.lead_id and x.as_of = fb.as_of
        order by x.as_of, x.lead_id
    """


def features(
    con: duckdb.DuckDBPyConnection, raw: Path, examples: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The feature frame of the examples (a frame, or temp table `examples` when None)."""
    prepare(con, raw)
    if examples is not None:
        con.register("examples_in", examples)
        con.execute("create or replace temp table examples as select * from examples_in")
        con.unregister("examples_in")
    return con.sql(feature_sql()).df()


def read_examples(db: Path) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(
            "select lead_id, as_of, snapshot_role, label from ml.ml_training_examples "
            "where snapshot_role in ('train', 'holdout') order by as_of, lead_id"
        ).df()
    finally:
        con.close()


def fit_and_score(frame: pd.DataFrame, threads: int) -> tuple[pd.DataFrame, dict[str, object]]:
    """One LightGBM fit on the train rows (early stopping on the latest train date);
    the holdout rows with their predicted probability."""
    # row order matters to the bagging: always (as_of, lead_id), whatever the caller's
    frame = frame.sort_values(["as_of", "lead_id"], kind="stable").reset_index(drop=True)
    x = frame.drop(columns=list(KEYS))
    for col in x.columns:
        if x[col].dtype == object or str(x[col].dtype) in ("string", "str"):
            x[col] = x[col].astype("category")
        elif x[col].dtype == bool:
            x[col] = x[col].astype(float)
    role = frame["snapshot_role"].to_numpy()
    y = frame["label"].astype(int).to_numpy()
    train_dates = frame.loc[role == "train", "as_of"]
    stop = (role == "train") & (frame["as_of"] == train_dates.max()).to_numpy()
    fit = (role == "train") & ~stop
    holdout = role == "holdout"
    model = lgb.LGBMClassifier(
        n_estimators=1000,
        learning_rate=0.05,
        num_leaves=31,
        min_child_samples=20,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=42,
        n_jobs=threads,
        verbose=-1,
    )
    model.fit(
        x[fit],
        y[fit],
        eval_X=x[stop],
        eval_y=y[stop],
        callbacks=[lgb.early_stopping(50, verbose=False)],
    )
    p = model.predict_proba(x[holdout])[:, 1]
    scored = frame.loc[holdout, ["lead_id", "as_of", "label"]].assign(probability=p)
    info = {
        "holdout_auc": round(float(roc_auc_score(y[holdout], p)), 4),
        "features": int(x.shape[1]),
        "train_examples": int((role == "train").sum()),
        "holdout_examples": int(holdout.sum()),
        "trees": int(model.best_iteration_ or model.n_estimators),
    }
    return scored, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=0, help="0: every core")
    parser.add_argument("--memory-limit", default="5GB")
    args = parser.parse_args()
    t0 = time.perf_counter()
    examples = read_examples(args.db)
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{args.memory_limit}'")
    if args.threads:
        con.execute(f"set threads = {args.threads}")
    frame = features(con, args.raw, examples)
    con.close()
    t_features = time.perf_counter() - t0
    print(f"peer: {frame.shape[1] - len(KEYS)} features for {len(frame):,} examples", flush=True)
    _, result = fit_and_score(frame, args.threads or -1)
    result["feature_seconds"] = round(t_features, 1)
    result["train_seconds"] = round(time.perf_counter() - t0 - t_features, 1)
    print(f"peer: {json.dumps(result)}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
