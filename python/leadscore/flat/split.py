"""The split of the labelled leads into train and holdout (out-of-time by created-at,
else stratified by label), the as-of dates, and the example frame the ml models read."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from leadscore.flat.config import FlatConfig

STRATIFIED_DATES = (datetime(2000, 1, 1), datetime(2000, 1, 2), datetime(2000, 1, 3))


def stable_fraction(ids: pl.Series) -> np.ndarray:
    """A deterministic pseudo-random number in [0, 1) per id (md5 of the id)."""
    return np.array(
        [int(hashlib.md5(str(v).encode()).hexdigest()[:12], 16) / 16**12 for v in ids.to_list()]
    )


def _midnight(value: datetime | date) -> datetime:
    return datetime(value.year, value.month, value.day)


def assign_split(
    leads: pl.DataFrame, cfg: FlatConfig, today: datetime | None = None
) -> tuple[pl.DataFrame, str]:
    """Add snapshot_role (train, holdout, scoring) and as_of to every lead.

    Out-of-time (created_at present): holdout = the labelled leads created on the
    latest days holding `holdout_fraction` of them; validation (early stopping) = the
    latest `validation_fraction` of the rest; a day is never split. Stratified (no
    created_at): per class, by a hash of the id. as_of: real creation day for the
    fitted leads; the first day of the validation and of the holdout segment for theirs
    (training reads validation as the latest train date); the score date for open leads
    (day after the latest creation, else var score_as_of, else today)."""
    has_dates = "created_at" in leads.columns and leads["created_at"].is_not_null().any()
    if has_dates:
        return _out_of_time_split(leads, cfg)
    return _stratified_split(leads, cfg, today)


def _out_of_time_split(leads: pl.DataFrame, cfg: FlatConfig) -> tuple[pl.DataFrame, str]:
    labelled = leads.filter(pl.col("label").is_not_null())
    days = labelled["created_at"].dt.truncate("1d").drop_nulls().sort()
    cut_h = days[min(len(days) - 1, int(len(days) * (1 - cfg.holdout_fraction)))]
    before = days.filter(days < cut_h)
    cut_v = (
        before[min(len(before) - 1, int(len(before) * (1 - cfg.validation_fraction)))]
        if len(before)
        else cut_h
    )
    first = days[0]
    latest = leads["created_at"].max()
    assert isinstance(latest, datetime)  # a Datetime column with a value (has_dates)
    score_date = cfg.score_as_of or _midnight(latest) + timedelta(days=1)
    day = pl.col("created_at").dt.truncate("1d")
    role = (
        pl.when(pl.col("label").is_null())
        .then(pl.lit("scoring"))
        .when(day >= cut_h)
        .then(pl.lit("holdout"))
        .otherwise(pl.lit("train"))
    )
    as_of = (
        pl.when(pl.col("label").is_null())
        .then(pl.lit(score_date))
        .when(day >= cut_h)
        .then(pl.lit(cut_h))
        .when(day >= cut_v)
        .then(pl.lit(cut_v))
        .otherwise(day.fill_null(pl.lit(first)))
    )
    return leads.with_columns(
        snapshot_role=role, as_of=as_of.cast(pl.Datetime("us"))
    ), f"out-of-time by {cfg.created_at_column}: holdout from {cut_h:%Y-%m-%d}"


def _stratified_split(
    leads: pl.DataFrame, cfg: FlatConfig, today: datetime | None
) -> tuple[pl.DataFrame, str]:
    fraction = stable_fraction(leads["lead_id"])
    frame = leads.with_columns(_u=pl.Series(fraction)).with_columns(
        _rank=(pl.col("_u").rank("ordinal").over("label") - 1)
        / pl.len().over("label").cast(pl.Float64)
    )
    fit_date, validation_date, holdout_date = STRATIFIED_DATES
    h, v = cfg.holdout_fraction, cfg.validation_fraction
    score_date = cfg.score_as_of or _midnight(today or datetime.now(UTC))
    role = (
        pl.when(pl.col("label").is_null())
        .then(pl.lit("scoring"))
        .when(pl.col("_rank") < h)
        .then(pl.lit("holdout"))
        .otherwise(pl.lit("train"))
    )
    as_of = (
        pl.when(pl.col("label").is_null())
        .then(pl.lit(score_date))
        .when(pl.col("_rank") < h)
        .then(pl.lit(holdout_date))
        .when(pl.col("_rank") < h + v * (1 - h))
        .then(pl.lit(validation_date))
        .otherwise(pl.lit(fit_date))
    )
    return (
        frame.with_columns(snapshot_role=role, as_of=as_of.cast(pl.Datetime("us"))).drop(
            "_u", "_rank"
        ),
        "stratified by label (no created-at column)",
    )


def examples(leads: pl.DataFrame) -> pl.DataFrame:
    """The example frame the ml models read: keys first, then the features."""
    keys = ["lead_id", "as_of", "snapshot_role", "label"]
    features = [c for c in leads.columns if c not in (*keys, "created_at")]
    return leads.select(*keys, *features).sort("lead_id")
