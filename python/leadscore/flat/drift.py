"""Drift bins per feature and score for flat mode (CRM mode computes them in SQL)."""

from __future__ import annotations

import numpy as np
import polars as pl

DRIFT_SCHEMA = {
    "feature": pl.String,
    "kind": pl.String,
    "bin": pl.String,
    "reference_rows": pl.Int64,
    "current_rows": pl.Int64,
    "reference_share": pl.Float64,
    "current_share": pl.Float64,
}


def drift_bins(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    features: list[str],
    reference_scores: pl.Series,
    current_scores: pl.Series,
    max_categories: int = 20,
) -> pl.DataFrame:
    """Per feature (and 'score'): the share of reference and current rows per bin, as
    intermediate.int_feature_drift_bins does for CRM mode: numbers cut at the reference
    deciles (values above the last: 'above reference'), the `max_categories` most
    frequent reference categories as their own bins and the rest as 'other', missing
    one bin."""
    pairs = [(f, reference[f], current[f]) for f in features]
    rows: list[dict] = []
    for name, ref, cur in [*pairs, ("score", reference_scores, current_scores)]:
        if ref.dtype.is_numeric() or ref.dtype == pl.Boolean:
            rows += _shares(name, "numeric", *_decile_bins(ref, cur))
        else:
            rows += _shares(name, "categorical", *_category_bins(ref, cur, max_categories))
    return pl.DataFrame(rows, schema=DRIFT_SCHEMA)


def _decile_bins(ref: pl.Series, cur: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Bins '1'..'10' cut at the reference deciles (tied deciles merged), 'above
    reference' past the last, 'missing' for empty and NaN."""
    filled = ref.cast(pl.Float64).drop_nulls().to_numpy()
    deciles = np.quantile(filled, np.linspace(0.1, 1, 10)) if len(filled) else np.zeros(0)
    edges = np.unique(deciles)

    def label(values: pl.Series) -> np.ndarray:
        v = values.cast(pl.Float64).fill_null(np.nan).to_numpy()
        i = np.searchsorted(edges, v, side="left")
        inside = np.where(i < len(edges), (i + 1).astype(str), "above reference")
        return np.where(np.isnan(v), "missing", inside)

    return label(ref), label(cur)


def _category_bins(
    ref: pl.Series, cur: pl.Series, max_categories: int
) -> tuple[np.ndarray, np.ndarray]:
    """The most frequent reference categories are bins, the rest one 'other' bin:
    hundreds of rare categories would make PSI measure noise."""
    frequent = ref.drop_nulls().cast(pl.String).value_counts(sort=True)
    top = frequent.head(max_categories)[ref.name].implode()

    def lump(values: pl.Series) -> np.ndarray:
        text = values.cast(pl.String)
        return (
            pl.select(
                pl.when(pl.lit(text).is_null())
                .then(pl.lit("missing"))
                .when(pl.lit(text).is_in(top))
                .then(pl.lit(text))
                .otherwise(pl.lit("other"))
            )
            .to_series()
            .to_numpy()
        )

    return lump(ref), lump(cur)


def _shares(name: str, kind: str, ref_bins: np.ndarray, cur_bins: np.ndarray) -> list[dict]:
    """One row per bin (sorted by its name) with the rows and shares on both sides."""
    bins, ref_counts = np.unique(ref_bins, return_counts=True)
    cur_bins_, cur_counts = np.unique(cur_bins, return_counts=True)
    counts = {str(b): [int(c), 0] for b, c in zip(bins, ref_counts, strict=True)}
    for b, c in zip(cur_bins_, cur_counts, strict=True):
        counts.setdefault(str(b), [0, 0])[1] = int(c)
    n_ref, n_cur = len(ref_bins), len(cur_bins)
    return [
        {
            "feature": name,
            "kind": kind,
            "bin": b,
            "reference_rows": nr,
            "current_rows": nc,
            "reference_share": nr / n_ref if n_ref else None,
            "current_share": nc / n_cur if n_cur else None,
        }
        for b, (nr, nc) in sorted(counts.items())
    ]
