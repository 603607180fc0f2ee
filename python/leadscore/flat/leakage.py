"""The leakage and identifier checks of one candidate feature: out-of-fold
single-column AUC, value purity, fill rates, e-mail addresses and lead numbers."""

from __future__ import annotations

import numpy as np
import polars as pl

from leadscore.core.metrics import roc_auc
from leadscore.flat.config import FlatConfig


def _out_of_fold_target_encoding(keys: np.ndarray, label: np.ndarray, folds: np.ndarray):
    """Each row's key replaced by the conversion rate of that key in the other folds,
    smoothed towards those folds' overall rate with the weight of 20 leads (scikit-learn's
    TargetEncoder, cross-fitted on the given folds; a key unseen there gets the rate)."""
    from sklearn.model_selection import PredefinedSplit
    from sklearn.preprocessing import TargetEncoder

    encoder = TargetEncoder(target_type="binary", smooth=20.0, cv=PredefinedSplit(folds))
    return encoder.fit_transform(keys.reshape(-1, 1), label.astype(np.int64))[:, 0]


def single_column_auc(
    values: pl.Series,
    kind: str,
    label: np.ndarray,
    folds: np.ndarray,
    value_bin_share: float = 0.05,
) -> float:
    """How well this one column ranks converted above not converted, out of fold: its
    values are replaced by the smoothed conversion rate of that value in the other folds.
    Numbers: an exact value holding at least `value_bin_share` of the rows is its own bin
    (a 0 for every lost deal must not share a bin with the smallest wins), the other
    values go to up to 20 quantile bins; missing is its own value. max(AUC, 1 - AUC)."""
    if kind in ("numeric", "date"):
        numbers = values.cast(pl.Float64) if kind == "numeric" else values.dt.epoch("s")
        numbers = numbers.cast(pl.Float64)
        counts = numbers.drop_nulls().value_counts()
        heavy = counts.filter(pl.col("count") >= value_bin_share * len(numbers))[numbers.name]
        is_heavy = numbers.is_in(heavy.implode()).fill_null(False)
        ranks = numbers.filter(~is_heavy).rank("dense")
        top = ranks.drop_nulls().n_unique()  # the largest dense rank
        binned = pl.Series([None] * len(values), dtype=pl.String)
        if top:
            rest = ((ranks - 1) * 20 // max(float(top), 1.0)).cast(pl.Int64).cast(pl.String)
            binned = binned.scatter(np.flatnonzero(~is_heavy.to_numpy()), rest)
        keys = (
            pl.select(
                pl.when(pl.lit(is_heavy))
                .then(pl.lit("=") + pl.lit(numbers).cast(pl.String))
                .otherwise(pl.lit(binned))
            )
            .to_series()
            .fill_null("__missing__")
            .to_numpy()
        )
    else:
        keys = values.cast(pl.String).fill_null("__missing__").to_numpy()
    encoded = _out_of_fold_target_encoding(keys, label, folds)
    auc = roc_auc(label.astype(np.int8), encoded)
    return max(auc, 1 - auc)


# open leads needed before their fill rate is compared with the labelled leads'
OPEN_LEADS_FOR_FILL_RULE = 30
# a pure value must also be far from the overall rate: binomial tail probability below this
PURITY_P_VALUE = 0.001
# a column is e-mail addresses when this share of its distinct filled values look like one
EMAIL_SHARE = 0.9
# a unique integer column is sequential when its rank correlation with the file order or
# with the created-at column is at least this (in absolute value)
SEQUENTIAL_RANK_CORRELATION = 0.9
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def pure_values(values: pl.Series, label: np.ndarray, cfg: FlatConfig) -> str | None:
    """The value-purity rule: among labelled leads, the values with at least
    `leakage_purity_min_leads` leads whose conversion rate is within
    `leakage_purity_rate` of 0 or 1 (and that far from the overall rate by chance with
    probability below PURITY_P_VALUE); the reason when they hold at least
    `leakage_purity_share` of the labelled leads, else None. Empty cells are not a value."""
    from scipy.stats import binom

    n = len(label)
    if n == 0:
        return None
    base = float(label.mean())
    stats = (
        pl.DataFrame({"v": values.cast(pl.String), "y": label.astype(np.int64)})
        .drop_nulls("v")
        .group_by("v")
        .agg(n=pl.len(), k=pl.col("y").sum())
        .filter(pl.col("n") >= cfg.leakage_purity_min_leads)
        .sort("n", "v", descending=[True, False])
    )
    pure = []
    for value, count, converted in stats.iter_rows():
        rate = converted / count
        if rate <= cfg.leakage_purity_rate:
            p_value = binom.cdf(converted, count, base)
        elif rate >= 1 - cfg.leakage_purity_rate:
            p_value = binom.sf(converted - 1, count, base)
        else:
            continue
        if p_value < PURITY_P_VALUE:
            pure.append((value, count, rate))
    share = sum(c for _, c, _ in pure) / n
    if not pure or share < cfg.leakage_purity_share:
        return None
    shown = ", ".join(f"{v!r} {r:.0%} of {c:,}" for v, c, r in pure[:5])
    more = f" and {len(pure) - 5} more" if len(pure) > 5 else ""
    return (
        f"pure values: {share:.0%} of labelled leads sit in values converting at "
        f"<= {cfg.leakage_purity_rate:.0%} or >= {1 - cfg.leakage_purity_rate:.0%} "
        f"({shown}{more})"
    )


def _rank_correlation(a: pl.Series, b: pl.Series) -> float:
    both = pl.DataFrame({"a": a, "b": b}).drop_nulls()
    if both.height < 3:
        return 0.0
    ra = both["a"].rank("average").to_numpy()
    rb = both["b"].rank("average").to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def identifier_reason(
    values: pl.Series, kind: str, created: pl.Series | None, feature: str
) -> str | None:
    """Why a column is an identifier, not a feature, else None: e-mail addresses (a
    shared owner's or the lead's own), or unique whole numbers that follow the file order
    or the creation time (a lead number)."""
    filled = values.drop_nulls()
    if len(filled) == 0:
        return None
    if kind == "categorical":
        distinct = filled.unique()
        looks = distinct.str.contains(EMAIL_PATTERN).sum()
        if looks >= EMAIL_SHARE * len(distinct):
            return (
                "e-mail addresses: an identifier (and personal data), not a feature; "
                "reasons must not quote them"
            )
        return None
    if kind != "numeric" or len(filled) < 50 or filled.n_unique() < len(filled):
        return None
    if not (filled == filled.round(0)).all() or len(filled) < 0.9 * len(values):
        return None
    order = pl.Series(np.arange(len(values), dtype=np.float64))
    by_order = abs(_rank_correlation(values, order))
    by_created = (
        abs(_rank_correlation(values, created.dt.epoch("s").cast(pl.Float64)))
        if created is not None
        else 0.0
    )
    if max(by_order, by_created) >= SEQUENTIAL_RANK_CORRELATION:
        follows = "the file order" if by_order >= by_created else "the created-at column"
        return (
            f"identifier: unique sequential whole numbers (rank correlation "
            f"{max(by_order, by_created):.2f} with {follows}), e.g. a lead number"
        )
    return None
