"""The peer: lead scoring as the pandas + scikit-learn tutorials write it.

    .venv/bin/python bench/peer_pandas.py --raw data/raw --db data/leadscore.duckdb

Reads the same raw export with pandas, parses it, builds the same families of
features (lead and company attributes, stage as of the example date, event counts by
type over 7/30/90 days, key-page views, recency, lifetime totals) for the same
(lead, as_of) examples the product trained and held out on (their keys and labels
come from ml.ml_training_examples, so both are judged on identical rows), fits
scikit-learn's HistGradientBoostingClassifier on the train examples and reports the
holdout AUC. Written the straightforward way: pandas merges and group-bys, leads
processed in chunks so that 1M leads fit in memory. Not part of the product.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

WINDOWS = (7, 30, 90)
KEY_PAGES = {"pricing": "/pricing", "integrations": "/integrations", "docs": "/docs"}


def parse_time(s: pd.Series) -> pd.Series:
    """Mixed export formats (ISO 8601 with offsets, US dates, epoch seconds) to naive UTC."""
    text = s.astype("string").str.strip()
    out = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    for fmt in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y"):
        todo = out.isna() & text.notna()
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, utc=True, errors="coerce")
    epoch = out.isna() & text.str.fullmatch(r"\d{9,10}").fillna(False)
    out[epoch] = pd.to_datetime(text[epoch].astype("int64"), unit="s", utc=True)
    return out.dt.tz_localize(None)


def clean_key(s: pd.Series) -> pd.Series:
    return (
        s.astype("string")
        .str.lower()
        .str.replace(r"[\s_.\-]+", " ", regex=True)
        .str.strip()
        .replace("", pd.NA)
    )


def load(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    leads = pd.read_parquet(raw / "leads")
    accounts = pd.read_parquet(raw / "accounts")
    leads["created_at"] = parse_time(leads["created_at"])
    leads["channel"] = clean_key(leads["lead_source"])
    leads["country_key"] = clean_key(leads["country"])
    leads["title"] = clean_key(leads["job_title"])
    leads["personal_email"] = (
        leads["email"].str.lower().str.extract(r"@(.+)$")[0].isin(["gmail.com", "yahoo.com"])
    )
    accounts["employee_count"] = pd.to_numeric(accounts["employee_count"], errors="coerce")
    accounts["annual_revenue"] = pd.to_numeric(accounts["annual_revenue"], errors="coerce")
    accounts["tech_count"] = accounts["tech_stack"].fillna("").str.count(",") + accounts[
        "tech_stack"
    ].notna().astype(int)
    accounts["industry"] = clean_key(accounts["industry"])
    leads = leads.drop_duplicates("lead_id").merge(
        accounts[["account_id", "industry", "employee_count", "annual_revenue", "tech_count"]],
        on="account_id",
        how="left",
    )
    stages = pd.read_parquet(raw / "lifecycle_stage_changes")
    stages["changed_at"] = parse_time(stages["changed_at"])
    stages["stage"] = clean_key(stages["stage"])
    stages = stages.dropna(subset=["changed_at"]).sort_values("changed_at")
    return leads, accounts, stages


def load_events(raw: Path) -> pd.DataFrame:
    events = pd.read_parquet(
        raw / "events", columns=["lead_id", "occurred_at", "event_type", "page_path"]
    )
    events["occurred_at"] = parse_time(events["occurred_at"])
    events["event_type"] = clean_key(events["event_type"]).str.replace(" ", "_")
    events["page_path"] = events["page_path"].astype("string").str.lower().str.strip()
    events = events.dropna(subset=["occurred_at", "event_type"])
    events["activity_date"] = events["occurred_at"].dt.floor("D")
    return events


def engagement(examples: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Event counts per example over each window, key-page views, recency, totals."""
    m = examples[["lead_id", "as_of"]].merge(events, on="lead_id", how="inner")
    m = m[m["activity_date"] < m["as_of"]]
    m["days_before"] = (m["as_of"] - m["activity_date"]).dt.days
    keys = ["lead_id", "as_of"]
    frames = []
    types = sorted(events["event_type"].dropna().unique())
    for w in (*WINDOWS, None):
        part = m if w is None else m[m["days_before"] <= w]
        suffix = "total" if w is None else f"{w}d"
        counts = pd.crosstab([part["lead_id"], part["as_of"]], part["event_type"])
        counts = counts.reindex(columns=types, fill_value=0).add_suffix(f"_{suffix}")
        counts[f"events_{suffix}"] = counts.sum(axis=1)
        for name, path in KEY_PAGES.items():
            counts[f"{name}_views_{suffix}"] = (
                (part["page_path"] == path).groupby([part["lead_id"], part["as_of"]]).sum()
            )
        frames.append(counts)
    recency = m.groupby(keys).agg(
        days_since_last_activity=("days_before", "min"),
        first_activity_at=("occurred_at", "min"),
        active_days_total=("activity_date", "nunique"),
    )
    frames.append(recency)
    out = pd.concat(frames, axis=1).reset_index()
    return examples[keys].merge(out, on=keys, how="left")


def stage_as_of(examples: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    left = examples[["lead_id", "as_of"]].sort_values("as_of")
    right = stages[["lead_id", "changed_at", "stage"]].rename(columns={"changed_at": "as_of_stage"})
    merged = pd.merge_asof(
        left,
        right.sort_values("as_of_stage"),
        left_on="as_of",
        right_on="as_of_stage",
        by="lead_id",
        allow_exact_matches=False,
    )
    merged["days_in_stage"] = (merged["as_of"] - merged["as_of_stage"]).dt.days
    return merged.drop(columns="as_of_stage")


def features(examples: pd.DataFrame, raw: Path, chunk_leads: int) -> pd.DataFrame:
    leads, _, stages = load(raw)
    events = load_events(raw)
    ids = examples["lead_id"].unique()
    parts = []
    for start in range(0, len(ids), chunk_leads):
        chunk_ids = ids[start : start + chunk_leads]
        ex = examples[examples["lead_id"].isin(chunk_ids)]
        ev = events[events["lead_id"].isin(chunk_ids)]
        eng = engagement(ex, ev)
        st = stage_as_of(ex, stages[stages["lead_id"].isin(chunk_ids)])
        parts.append(ex.merge(eng, on=["lead_id", "as_of"]).merge(st, on=["lead_id", "as_of"]))
        print(
            f"peer: features for {min(start + chunk_leads, len(ids)):,} of {len(ids):,} leads",
            flush=True,
        )
    out = pd.concat(parts, ignore_index=True)
    attrs = leads[
        [
            "lead_id",
            "created_at",
            "channel",
            "country_key",
            "title",
            "personal_email",
            "budget_range",
            "purchase_timeline",
            "stated_need",
            "industry",
            "employee_count",
            "annual_revenue",
            "tech_count",
        ]
    ]
    out = out.merge(attrs, on="lead_id", how="left")
    out["lead_age_days"] = (out["as_of"] - out["created_at"]).dt.days
    out["hours_to_first_activity"] = (
        out["first_activity_at"] - out["created_at"]
    ).dt.total_seconds() / 3600
    return out.drop(columns=["created_at", "first_activity_at"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--chunk-leads", type=int, default=200_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    con = duckdb.connect(str(args.db), read_only=True)
    examples = con.sql(
        "select lead_id, as_of, snapshot_role, label from ml.ml_training_examples "
        "where snapshot_role in ('train', 'holdout') order by lead_id, as_of"
    ).df()
    con.close()  # ordered: the early-stopping split depends on row order
    frame = features(examples, args.raw, args.chunk_leads)
    t_features = time.perf_counter() - t0
    x = frame.drop(columns=["lead_id", "as_of", "snapshot_role", "label"])
    for col in x.columns:
        if x[col].dtype == object or str(x[col].dtype) in ("string", "str"):
            x[col] = x[col].astype("string").fillna("missing").astype("category")
        elif x[col].dtype == bool:
            x[col] = x[col].astype(float)
    train = (frame["snapshot_role"] == "train").to_numpy()
    y = frame["label"].astype(int).to_numpy()
    model = HistGradientBoostingClassifier(
        max_iter=500,
        learning_rate=0.06,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=50,
        categorical_features="from_dtype",
        random_state=42,
    )
    model.fit(x[train], y[train])
    p = model.predict_proba(x[~train])[:, 1]
    auc = float(roc_auc_score(y[~train], p))
    result = {
        "holdout_auc": round(auc, 4),
        "features": int(x.shape[1]),
        "train_examples": int(train.sum()),
        "holdout_examples": int((~train).sum()),
        "feature_seconds": round(t_features, 1),
        "train_seconds": round(time.perf_counter() - t0 - t_features, 1),
        "iterations": int(model.n_iter_),
    }
    print(f"peer: {json.dumps(result)}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
