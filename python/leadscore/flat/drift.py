"""Drift bins per feature and score for flat mode (CRM mode computes them in SQL)."""

from __future__ import annotations

import math

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
    rows: list[dict] = []

    def add(name: str, ref: pl.Series, cur: pl.Series) -> None:
        if ref.dtype.is_numeric() or ref.dtype == pl.Boolean:
            kind = "numeric"
            r, c = ref.cast(pl.Float64), cur.cast(pl.Float64)
            filled = r.drop_nulls().to_numpy()
            deciles = np.quantile(filled, np.linspace(0.1, 1, 10)) if len(filled) else []
            edges = np.unique(deciles)

            def label(s: pl.Series) -> list[str]:
                out = []
                for v in s.to_list():
                    if v is None or (isinstance(v, float) and math.isnan(v)):
                        out.append("missing")
                        continue
                    i = int(np.searchsorted(edges, v, side="left"))
                    out.append(str(i + 1) if i < len(edges) else "above reference")
                return out

            ref_bins, cur_bins = label(r), label(c)
        else:
            # the most frequent reference categories are bins, the rest one 'other' bin:
            # hundreds of rare categories would make PSI measure noise
            kind = "categorical"
            frequent = ref.drop_nulls().cast(pl.String).value_counts(sort=True)
            top = set(frequent.head(max_categories)[ref.name].to_list())

            def lump(s: pl.Series) -> list[str]:
                return [
                    "missing" if v is None else (v if v in top else "other")
                    for v in s.cast(pl.String).to_list()
                ]

            ref_bins, cur_bins = lump(ref), lump(cur)
        counts: dict[str, list[int]] = {}
        for b in ref_bins:
            counts.setdefault(b, [0, 0])[0] += 1
        for b in cur_bins:
            counts.setdefault(b, [0, 0])[1] += 1
        n_ref, n_cur = len(ref_bins), len(cur_bins)
        for b, (nr, nc) in sorted(counts.items()):
            rows.append(
                {
                    "feature": name,
                    "kind": kind,
                    "bin": b,
                    "reference_rows": nr,
                    "current_rows": nc,
                    "reference_share": nr / n_ref if n_ref else None,
                    "current_share": nc / n_cur if n_cur else None,
                }
            )

    for feature in features:
        add(feature, reference[feature], current[feature])
    add("score", reference_scores, current_scores)
    return pl.DataFrame(rows, schema=DRIFT_SCHEMA)
