"""Flat mode: one row per lead with a "converted" column, as exported from a spreadsheet.

The pre-flight (macros/validate_flat_source.sql) has already stopped the build when the
file is empty, a named column is missing, the label has values other than yes/no,
the id column has blanks or duplicates, or only one class is labelled. Here:

- text is trimmed and placeholder values ("Select", "N/A", "unknown", ...) become
  missing;
- each column's type is inferred: boolean, numeric, date or categorical;
- the created-at column (when given) yields weekday/hour features and the
  out-of-time split; other dates become "days after created-at";
- every candidate feature is checked for leakage: filled only for one class, or
  predicting the label almost perfectly on its own (out-of-fold single-column AUC);
- labelled leads are split into train (fit + validation) and holdout, out-of-time by
  created-at or stratified by label; leads with an empty label are the open leads;
- a plain logistic regression (a scikit-learn pipeline: one-hot, imputation with
  missing indicators, standardisation, L2) is the baseline scorer.

Pure functions over polars frames; the dbt Python models in models/flat/ call them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from leadscore.core.metrics import roc_auc

DEFAULT_MISSING_VALUES: tuple[str, ...] = (
    "",
    "select",
    "n/a",
    "na",
    "#n/a",
    "none",
    "null",
    "nan",
    "unknown",
    "not provided",
    "not specified",
    "undefined",
    "-",
    "--",
    "?",
)
TRUE_VALUES = frozenset({"yes", "y", "true", "t", "1", "1.0"})
FALSE_VALUES = frozenset({"no", "n", "false", "f", "0", "0.0"})
# dates tried in this order; the format parsing the most values wins (ties: first)
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d.%m.%Y",
)
# a column is numeric / a date when at least this share of its filled cells parse
PARSE_SHARE = 0.95
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
STRATIFIED_DATES = (datetime(2000, 1, 1), datetime(2000, 1, 2), datetime(2000, 1, 3))


class FlatInputError(ValueError):
    """The flat export cannot be used as it is; the message says what to fix."""


@dataclass(frozen=True)
class FlatConfig:
    id_column: str
    label_column: str
    created_at_column: str | None = None
    exclude_columns: tuple[str, ...] = ()
    exclude_leaky_columns: bool = True
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    holdout_fraction: float = 0.2
    validation_fraction: float = 0.2
    leakage_auc: float = 0.95
    score_as_of: datetime | None = None
    # value purity: a share of labelled leads in values converting at almost 0% or 100%
    leakage_purity_share: float = 0.2
    leakage_purity_min_leads: int = 30
    leakage_purity_rate: float = 0.03
    # fill rates: filled for at most `rare` of one group and at least `common` of the other
    leakage_fill_rare: float = 0.02
    leakage_fill_common: float = 0.2
    # an exact value holding this share of the labelled leads is its own bin (AUC alone)
    leakage_value_bin_share: float = 0.05

    @classmethod
    def from_dbt(cls, get) -> FlatConfig:
        """From a dbt model's config (`get` = dbt.config.get); lists arrive as JSON."""

        def as_list(value) -> tuple[str, ...]:
            if value is None or value == "" or str(value).lower() in ("none", "null"):
                return ()
            if isinstance(value, str):
                value = json.loads(value)
            if isinstance(value, str):  # one column given as text, not a list
                value = [value]
            return tuple(str(v) for v in (value or []))

        def as_optional(value) -> str | None:
            text = "" if value is None else str(value).strip()
            return None if text.lower() in ("", "none", "null") else text

        def number(key: str, default: float) -> float:
            value = as_optional(get(key))
            return default if value is None else float(value)

        score_as_of = as_optional(get("score_as_of"))
        return cls(
            id_column=str(get("flat_id_column")),
            label_column=str(get("flat_label_column")),
            created_at_column=as_optional(get("flat_created_at_column")),
            exclude_columns=as_list(get("flat_exclude_columns")),
            exclude_leaky_columns=str(get("flat_exclude_leaky_columns")).strip().lower()
            in ("true", "1", "yes"),
            missing_values=as_list(get("flat_missing_values")) or DEFAULT_MISSING_VALUES,
            holdout_fraction=float(get("flat_holdout_fraction")),
            validation_fraction=float(get("flat_validation_fraction")),
            leakage_auc=float(get("flat_leakage_auc")),
            score_as_of=datetime.fromisoformat(score_as_of) if score_as_of else None,
            leakage_purity_share=number("flat_leakage_purity_share", cls.leakage_purity_share),
            leakage_purity_min_leads=int(
                number("flat_leakage_purity_min_leads", cls.leakage_purity_min_leads)
            ),
            leakage_purity_rate=number("flat_leakage_purity_rate", cls.leakage_purity_rate),
            leakage_fill_rare=number("flat_leakage_fill_rare", cls.leakage_fill_rare),
            leakage_fill_common=number("flat_leakage_fill_common", cls.leakage_fill_common),
            leakage_value_bin_share=number(
                "flat_leakage_value_bin_share", cls.leakage_value_bin_share
            ),
        )


# -- names, placeholders, labels --------------------------------------------------


def feature_name(column: str) -> str:
    """snake_case name usable as a SQL column and in reasons: 'Lead Source' -> 'lead_source'."""
    out = "".join(ch.lower() if ch.isalnum() else "_" for ch in column.strip())
    out = "_".join(part for part in out.split("_") if part)
    if not out:
        out = "column"
    return f"c_{out}" if out[0].isdigit() else out


def find_column(columns: list[str], wanted: str, var: str) -> str:
    """The column named `wanted` (exactly, else ignoring case and surrounding spaces)."""
    if wanted in columns:
        return wanted
    folded = {c.strip().lower(): c for c in columns}
    if wanted.strip().lower() in folded:
        return folded[wanted.strip().lower()]
    raise FlatInputError(
        f"no column {wanted!r} (var {var}); the export's columns are: {', '.join(columns)}"
    )


def clean_text(frame: pl.DataFrame, missing_values: tuple[str, ...]) -> pl.DataFrame:
    """Every column as trimmed text; placeholder values (case-insensitive) -> null."""
    placeholders = pl.Series([m.strip().lower() for m in missing_values], dtype=pl.String)
    return frame.select(
        pl.when(
            pl.col(c)
            .cast(pl.String)
            .str.strip_chars()
            .str.to_lowercase()
            .is_in(placeholders.implode())
        )
        .then(None)
        .otherwise(pl.col(c).cast(pl.String).str.strip_chars())
        .alias(c)
        for c in frame.columns
    )


def placeholder_counts(frame: pl.DataFrame, missing_values: tuple[str, ...]) -> dict[str, int]:
    """Per column: filled cells that are placeholders (empty cells are not counted)."""
    placeholders = pl.Series(
        [m.strip().lower() for m in missing_values if m.strip()], dtype=pl.String
    )
    row = frame.select(
        pl.col(c)
        .cast(pl.String)
        .str.strip_chars()
        .str.to_lowercase()
        .is_in(placeholders.implode())
        .sum()
        for c in frame.columns
    ).row(0)
    return dict(zip(frame.columns, (int(v or 0) for v in row), strict=True))


def parse_label(values: pl.Series, column: str) -> pl.Series:
    """yes/no, y/n, true/false, t/f, 1/0 (any case) -> boolean; missing -> null (open lead)."""
    lowered = values.cast(pl.String).str.strip_chars().str.to_lowercase()
    unknown = sorted(set(lowered.drop_nulls().unique().to_list()) - TRUE_VALUES - FALSE_VALUES)
    if unknown:
        shown = ", ".join(repr(v) for v in unknown[:5])
        raise FlatInputError(
            f"label column {column!r} has values that are not yes/no: {shown}. Use yes/no, "
            "1/0 or true/false, and leave the cell empty for open leads."
        )
    return pl.select(
        pl.when(pl.lit(lowered).is_in(list(TRUE_VALUES)))
        .then(True)
        .when(pl.lit(lowered).is_in(list(FALSE_VALUES)))
        .then(False)
        .otherwise(None)
        .alias(values.name)
    ).to_series()


# -- type inference ---------------------------------------------------------------


@dataclass(frozen=True)
class Inferred:
    kind: str  # boolean, numeric, date, categorical
    values: pl.Series
    unparseable: int = 0  # filled cells that did not parse (became missing)
    date_format: str | None = None


def parse_dates(values: pl.Series) -> tuple[pl.Series, str | None]:
    """The values parsed with the date format that reads the most of them."""
    best: tuple[int, pl.Series, str | None] = (
        0,
        pl.Series(values.name, [None] * len(values), dtype=pl.Datetime("us")),
        None,
    )
    for fmt in DATE_FORMATS:
        parsed = values.str.strptime(pl.Datetime("us"), fmt, strict=False)
        n = parsed.is_not_null().sum()
        if n > best[0]:
            best = (n, parsed, fmt)
    return best[1].alias(values.name), best[2]


def infer_column(values: pl.Series) -> Inferred:
    """boolean when every filled cell is yes/no or true/false; numeric or date when at
    least PARSE_SHARE of them parse (the rest become missing); categorical otherwise."""
    filled = values.drop_nulls()
    n = len(filled)
    if n == 0:
        return Inferred("categorical", values)
    lowered = set(filled.str.to_lowercase().unique().to_list())
    if lowered <= (TRUE_VALUES | FALSE_VALUES) - {"1", "0", "1.0", "0.0"}:
        as_bool = pl.select(
            pl.when(pl.lit(values.str.to_lowercase()).is_in(list(TRUE_VALUES)))
            .then(True)
            .when(pl.lit(values.str.to_lowercase()).is_null())
            .then(None)
            .otherwise(False)
            .alias(values.name)
        ).to_series()
        return Inferred("boolean", as_bool)
    numbers = values.cast(pl.Float64, strict=False)
    parsed = int(numbers.is_not_null().sum())
    if parsed >= PARSE_SHARE * n:
        return Inferred("numeric", numbers, n - parsed)
    dates, fmt = parse_dates(values)
    parsed = int(dates.is_not_null().sum())
    if fmt is not None and parsed >= PARSE_SHARE * n:
        return Inferred("date", dates, n - parsed, fmt)
    return Inferred("categorical", values)


# -- preparation ------------------------------------------------------------------


@dataclass
class Prepared:
    """The typed leads and what was found about every column."""

    leads: pl.DataFrame  # lead_id, created_at?, label, then feature candidates
    profile: pl.DataFrame  # one row per column of the export and derived feature
    created_at: str | None
    messages: list[str] = field(default_factory=list)


PROFILE_SCHEMA = {
    "column_name": pl.String,
    "feature": pl.String,
    "role": pl.String,  # id, label, created_at, feature, derived_feature
    "inferred_type": pl.String,
    "date_format": pl.String,
    "rows": pl.Int64,
    "missing_rows": pl.Int64,
    "placeholder_rows": pl.Int64,
    "unparseable_rows": pl.Int64,
    "distinct_values": pl.Int64,
    "fill_rate_converted": pl.Float64,
    "fill_rate_not_converted": pl.Float64,
    "single_column_auc": pl.Float64,
    "is_leakage_suspect": pl.Boolean,
    "leakage_reason": pl.String,
    "is_model_feature": pl.Boolean,
    "excluded_reason": pl.String,
}


def _stable_fraction(ids: pl.Series) -> np.ndarray:
    """A deterministic pseudo-random number in [0, 1) per id (md5 of the id)."""
    return np.array(
        [int(hashlib.md5(str(v).encode()).hexdigest()[:12], 16) / 16**12 for v in ids.to_list()]
    )


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
        top = ranks.max()
        binned = pl.Series([None] * len(values), dtype=pl.String)
        if top is not None:
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


def prepare(raw: pl.DataFrame, cfg: FlatConfig) -> Prepared:
    """Typed leads plus the column profile (types, placeholders, leakage, exclusions)."""
    columns = raw.columns
    if raw.height == 0:
        raise FlatInputError("the export has a header but no rows: there is nothing to score")
    id_col = find_column(columns, cfg.id_column, "flat_id_column")
    label_col = find_column(columns, cfg.label_column, "flat_label_column")
    created_col = (
        find_column(columns, cfg.created_at_column, "flat_created_at_column")
        if cfg.created_at_column
        else None
    )
    excluded_by_user = {
        find_column(columns, c, "flat_exclude_columns") for c in cfg.exclude_columns
    }
    messages: list[str] = []
    # a trailing comma on every line: the CSV reader names the empty last column
    # column<N>; an unnamed column without a single value is not part of the export
    unnamed = [
        c
        for c in columns
        if re.fullmatch(r"column\d+", c)
        and c not in excluded_by_user
        and raw[c].cast(pl.String).str.strip_chars().fill_null("").eq("").all()
    ]
    if unnamed:
        raw = raw.drop(unnamed)
        columns = raw.columns
        messages.append(
            f"column(s) {', '.join(unnamed)} have no header and no value (a trailing comma "
            "at the end of each line?): ignored"
        )
    placeholders = placeholder_counts(raw, cfg.missing_values)
    text = clean_text(raw, cfg.missing_values)
    ids = text[id_col]
    if ids.null_count():
        raise FlatInputError(
            f"{ids.null_count():,} rows have no value in the id column {id_col!r}: every "
            "lead needs an id"
        )
    duplicated = ids.filter(ids.is_duplicated()).unique().sort()
    if len(duplicated):
        raise FlatInputError(
            f"the id column {id_col!r} has {len(duplicated):,} duplicated values (e.g. "
            f"{', '.join(repr(v) for v in duplicated.head(3).to_list())}): each lead must "
            "appear once. Remove the duplicate rows or choose another id column."
        )
    label = parse_label(text[label_col], label_col)
    labelled = label.is_not_null().to_numpy()
    y = label.fill_null(False).to_numpy().astype(bool)
    if labelled.sum() == 0 or y[labelled].all() or not y[labelled].any():
        raise FlatInputError(
            f"the label column {label_col!r} needs both converted and not converted leads; "
            f"it has {int(y[labelled].sum()):,} converted of {int(labelled.sum()):,} labelled"
        )
    leads = pl.DataFrame({"lead_id": ids, "label": label})
    profile_rows: list[dict] = []
    if labelled.all():
        messages.append(
            f"no open leads: every row of the export has a value in the label column "
            f"{label_col!r}, so nothing is scored. The leads to score are the rows with an "
            "empty label: leave the label cell empty for leads still open."
        )
    n = raw.height

    def base_row(column: str, feature: str, role: str, inferred: Inferred | None) -> dict:
        values = inferred.values if inferred else text[column]
        return {
            "column_name": column,
            "feature": feature,
            "role": role,
            "inferred_type": inferred.kind if inferred else "text",
            "date_format": inferred.date_format if inferred else None,
            "rows": n,
            "missing_rows": int(values.null_count()),
            "placeholder_rows": placeholders.get(column, 0),
            "unparseable_rows": inferred.unparseable if inferred else 0,
            "distinct_values": int(values.drop_nulls().n_unique()),
        }

    profile_rows.append({**base_row(id_col, "lead_id", "id", None), "excluded_reason": "id"})
    profile_rows.append(
        {**base_row(label_col, "label", "label", Inferred("boolean", label)),
         "excluded_reason": "label"}
    )  # fmt: skip
    created: pl.Series | None = None
    candidates: dict[str, tuple[str, str, Inferred]] = {}  # feature -> (column, role, inferred)
    taken = {"lead_id", "as_of", "snapshot_role", "label", "created_at"}
    if created_col is not None:
        inferred = infer_column(text[created_col])
        if inferred.kind != "date":
            raise FlatInputError(
                f"the created-at column {created_col!r} is not a date in most rows (e.g. "
                f"{text[created_col].drop_nulls().head(1).to_list()}); supported: yyyy-mm-dd, "
                "dd-mm-yyyy, mm/dd/yyyy, dd/mm/yyyy, dd.mm.yyyy, with an optional time"
            )
        created = inferred.values
        leads = leads.with_columns(created_at=created)
        profile_rows.append(
            {**base_row(created_col, "created_at", "created_at", inferred),
             "excluded_reason": "created-at: used for the split and the features below"}
        )  # fmt: skip
        stem = feature_name(created_col)
        weekday = created.dt.weekday().map_elements(
            lambda d: WEEKDAYS[d - 1], return_dtype=pl.String
        )
        candidates[f"{stem}_weekday"] = (
            created_col, "derived_feature", Inferred("categorical", weekday)
        )  # fmt: skip
        if (created.dt.hour().fill_null(0) > 0).any():
            candidates[f"{stem}_hour"] = (
                created_col, "derived_feature", Inferred("numeric", created.dt.hour().cast(
                    pl.Float64))
            )  # fmt: skip
    for column in columns:
        if column in (id_col, label_col, created_col):
            continue
        inferred = infer_column(text[column])
        feature = feature_name(column)
        while feature in taken or feature in candidates:
            feature = f"{feature}_"
        if inferred.kind == "date":
            if created is None:
                profile_rows.append(
                    {**base_row(column, feature, "feature", inferred),
                     "excluded_reason": "a date column needs the created-at column "
                     "(var flat_created_at_column) as reference"}
                )  # fmt: skip
                continue
            days = (inferred.values - created).dt.total_seconds() / 86_400
            inferred = Inferred("numeric", days.cast(pl.Float64), inferred.unparseable,
                                inferred.date_format)  # fmt: skip
            feature = f"{feature}_days_after_created"
        candidates[feature] = (column, "feature", inferred)
    # leakage and usefulness, on labelled leads only
    folds = (_stable_fraction(ids) * 5).astype(np.int64)[labelled]
    y_l = y[labelled]
    open_rows = ~labelled
    features: dict[str, pl.Series] = {}
    for feature, (column, role, inferred) in candidates.items():
        values = inferred.values
        row = base_row(column, feature, role, inferred)
        row["inferred_type"] = inferred.kind
        lab = values.filter(pl.Series(labelled))
        filled = lab.is_not_null().to_numpy()
        fill_pos = float(filled[y_l].mean())
        fill_neg = float(filled[~y_l].mean())
        distinct = lab.drop_nulls().n_unique()
        auc = (
            single_column_auc(lab, inferred.kind, y_l, folds, cfg.leakage_value_bin_share)
            if distinct > 1
            else float("nan")
        )
        rare, common = cfg.leakage_fill_rare, cfg.leakage_fill_common
        reasons = []
        if min(fill_pos, fill_neg) <= rare and max(fill_pos, fill_neg) >= common:
            which = "converted" if fill_pos > fill_neg else "not converted"
            reasons.append(
                f"filled only for {which} leads ({fill_pos:.0%} of converted, "
                f"{fill_neg:.0%} of not converted)"
            )
        if open_rows.sum() >= OPEN_LEADS_FOR_FILL_RULE:
            fill_lab = float(filled.mean())
            fill_open = float(values.filter(pl.Series(open_rows)).is_not_null().mean())
            if min(fill_lab, fill_open) <= rare and max(fill_lab, fill_open) >= common:
                reasons.append(
                    f"filled for {fill_lab:.0%} of labelled leads and {fill_open:.0%} of open "
                    "leads (a field filled in when the outcome is known)"
                )
        if not math.isnan(auc) and auc >= cfg.leakage_auc:
            reasons.append(f"predicts the label almost perfectly on its own (AUC {auc:.3f})")
        if inferred.kind in ("categorical", "boolean"):
            purity = pure_values(lab, y_l, cfg)
            if purity:
                reasons.append(purity)
        identifier = (
            identifier_reason(values, inferred.kind, created, feature)
            if role == "feature"
            else None
        )
        excluded = None
        if column in excluded_by_user:
            excluded = "var flat_exclude_columns"
        elif distinct <= 1:
            excluded = "constant: one value (or none) among labelled leads"
        elif identifier:
            excluded = identifier
        elif inferred.kind == "categorical" and distinct > 50 and distinct >= 0.9 * filled.sum():
            excluded = "unique per lead (an identifier or free text), nothing to learn"
        elif reasons and cfg.exclude_leaky_columns:
            excluded = "leakage suspect (var flat_exclude_leaky_columns)"
        if identifier and column not in excluded_by_user:
            messages.append(f"column {column!r} is not a feature: {identifier}")
        if reasons:
            messages.append(
                f"leakage guard: column {column!r} {' and '.join(reasons)}: "
                + ("excluded from the model" if excluded else "KEPT as a feature (set "
                   "flat_exclude_leaky_columns: true to exclude it)")
                + ". Columns filled in after the outcome (sales tags, lost reasons, deal "
                "fields) make the holdout look great and the scores of open leads useless."
            )  # fmt: skip
        profile_rows.append(
            {
                **row,
                "fill_rate_converted": fill_pos,
                "fill_rate_not_converted": fill_neg,
                "single_column_auc": None if math.isnan(auc) else auc,
                "is_leakage_suspect": bool(reasons),
                "leakage_reason": "; ".join(reasons) or None,
                "is_model_feature": excluded is None,
                "excluded_reason": excluded,
            }
        )
        if excluded is None:
            features[feature] = values
    if not features:
        raise FlatInputError(
            "no usable feature column is left (all were excluded, constant, identifiers or "
            "leakage suspects): see the excluded reasons in marts.flat_column_checks"
        )
    leads = leads.with_columns(**features)
    profile = pl.DataFrame(profile_rows, schema=PROFILE_SCHEMA)
    return Prepared(leads=leads, profile=profile, created_at=created_col, messages=messages)


# -- split ------------------------------------------------------------------------


def _midnight(value: datetime | date) -> datetime:
    return datetime(value.year, value.month, value.day)


def assign_split(leads: pl.DataFrame, cfg: FlatConfig, today: datetime | None = None):
    """Add snapshot_role (train, holdout, scoring) and as_of to every lead.

    Out-of-time (created_at present): holdout = the labelled leads created on the
    latest days holding `holdout_fraction` of them; validation (early stopping) = the
    latest `validation_fraction` of the rest; a day is never split. Stratified (no
    created_at): per class, by a hash of the id. as_of: real creation day for the
    fitted leads; the first day of the validation and of the holdout segment for theirs
    (training reads validation as the latest train date); the score date for open leads
    (day after the latest creation, else var score_as_of, else today)."""
    labelled = leads.filter(pl.col("label").is_not_null())
    has_dates = "created_at" in leads.columns and leads["created_at"].is_not_null().any()
    if has_dates:
        days = labelled["created_at"].dt.truncate("1d").drop_nulls().sort()
        cut_h = days[min(len(days) - 1, int(len(days) * (1 - cfg.holdout_fraction)))]
        before = days.filter(days < cut_h)
        cut_v = (
            before[min(len(before) - 1, int(len(before) * (1 - cfg.validation_fraction)))]
            if len(before)
            else cut_h
        )
        first = days[0]
        score_date = cfg.score_as_of or _midnight(leads["created_at"].max()) + timedelta(days=1)
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
    fraction = _stable_fraction(leads["lead_id"])
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


# -- baseline: plain logistic regression (scikit-learn) --------------------------------

KEY_COLUMNS = ("lead_id", "as_of", "snapshot_role", "label", "created_at")
MISSING_LEVEL = "(missing)"


@dataclass
class LogisticBaseline:
    """The scikit-learn pipeline every reader recognises: per feature column, categories
    one-hot encoded (levels seen fewer than 10 times pooled, at most 50 levels, empty
    cells a level of their own) or numbers median-imputed with a missing indicator; then
    all columns standardised and an L2-penalised logistic regression (lbfgs). One
    transformer per column, so each output column maps back to its feature."""

    pipeline: object  # sklearn.pipeline.Pipeline
    categorical: list[str]
    numeric: list[str]
    output_feature: list[str]  # feature of each column the logistic regression sees

    def _input(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(
            *(pl.col(c).cast(pl.String).fill_null(MISSING_LEVEL) for c in self.categorical),
            # NaN and +-inf ("inf" parses as a number) are missing for the imputer
            *(
                pl.when(pl.col(c).cast(pl.Float64).is_finite())
                .then(pl.col(c).cast(pl.Float64))
                .alias(c)
                for c in self.numeric
            ),
        )

    def probability(self, frame: pl.DataFrame) -> np.ndarray:
        if frame.height == 0:
            return np.zeros(0)
        return self.pipeline.predict_proba(self._input(frame))[:, 1]

    def terms(self, frame: pl.DataFrame) -> np.ndarray:
        """Per row and feature: the feature's part of the linear predictor (the sum over
        its one-hot levels or its value and missing indicator)."""
        transformed = self.pipeline[:-1].transform(self._input(frame))
        coef = self.pipeline[-1].coef_[0]
        features = [*self.categorical, *self.numeric]
        out = np.zeros((frame.height, len(features)))
        index = {f: i for i, f in enumerate(features)}
        for j, feature in enumerate(self.output_feature):
            out[:, index[feature]] += transformed[:, j] * coef[j]
        return out


def train_baseline(train: pl.DataFrame) -> LogisticBaseline:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    categorical, numeric = [], []
    for name, dtype in train.schema.items():
        if name in KEY_COLUMNS:
            continue
        (categorical if dtype == pl.String else numeric).append(name)
    columns = [
        (
            f"c{i}",
            OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                min_frequency=10,
                max_categories=50,
                sparse_output=False,
            ),
            [name],
        )
        for i, name in enumerate(categorical)
    ] + [
        (
            f"n{i}",
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            [name],
        )
        for i, name in enumerate(numeric)
    ]
    pipeline = Pipeline(
        [
            ("columns", ColumnTransformer(columns, remainder="drop", sparse_threshold=0)),
            ("scale", StandardScaler()),
            ("logistic", LogisticRegression(C=1.0, max_iter=2000)),
        ]
    )
    model = LogisticBaseline(pipeline, categorical, numeric, [])
    pipeline.fit(model._input(train), train["label"].cast(pl.Int8).to_numpy())
    transformer = pipeline.named_steps["columns"]
    width = pipeline.named_steps["scale"].n_features_in_
    output = [""] * width
    for i, name in enumerate(categorical):
        for j in range(width)[transformer.output_indices_[f"c{i}"]]:
            output[j] = name
    for i, name in enumerate(numeric):
        for j in range(width)[transformer.output_indices_[f"n{i}"]]:
            output[j] = name
    model.output_feature = output
    return model


def baseline_scores(model: LogisticBaseline, frame: pl.DataFrame, k: int = 3) -> pl.DataFrame:
    """Probability, 0-100 score and the top reasons (largest per-feature terms of the
    linear predictor, measured from the average of the scored rows) for every row."""
    from leadscore.core.explain import render

    probability = model.probability(frame)
    features = [*model.categorical, *model.numeric]
    contributions = model.terms(frame) if frame.height else np.zeros((0, len(features)))
    # relative to an average lead: subtract each feature's mean term over these rows
    contributions -= contributions.mean(axis=0, keepdims=True) if frame.height else 0
    order = np.argsort(-contributions, axis=1, kind="stable")
    out: dict[str, list] = {}
    for direction, picks in (("positive", order[:, :k]), ("negative", order[:, ::-1][:, :k])):
        for i in range(k):
            sentences: list[str | None] = [None] * frame.height
            if i < len(features):
                idx = picks[:, i]
                value = contributions[np.arange(frame.height), idx]
                keep = value > 1e-9 if direction == "positive" else value < -1e-9
                for f in np.unique(idx[keep]):
                    rows = np.flatnonzero(keep & (idx == f))
                    rendered = render(features[f], frame[features[f]].gather(rows), {})
                    for r, s in zip(rows, rendered.to_list(), strict=True):
                        sentences[r] = s
            out[f"rules_{direction}_reason_{i + 1}"] = sentences
    return pl.DataFrame(
        {
            "lead_id": frame["lead_id"],
            "as_of": frame["as_of"].cast(pl.Datetime("us")),
            "snapshot_role": frame["snapshot_role"],
            "rules_points": pl.Series(probability * 100, dtype=pl.Float64),
            "rules_score": pl.Series(np.round(probability * 100), dtype=pl.Float64).cast(pl.Int32),
            **{
                f"rules_{d}_reason_{i}": pl.Series(out[f"rules_{d}_reason_{i}"], dtype=pl.String)
                for i in range(1, k + 1)
                for d in ("positive", "negative")
            },
            "rules_matched": pl.Series((np.abs(contributions) > 1e-9).sum(axis=1), dtype=pl.Int64),
            "baseline_ranking": pl.Series(probability, dtype=pl.Float64),
        }
    )


# -- drift --------------------------------------------------------------------------

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
            edges = np.unique(np.quantile(r.drop_nulls().to_numpy(), np.linspace(0.1, 1, 10))) \
                if r.drop_nulls().len() else np.array([])  # fmt: skip

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
            top = set(
                ref.drop_nulls().cast(pl.String).value_counts(sort=True)
                .head(max_categories)[ref.name].to_list()
            )  # fmt: skip

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


# -- data quality -------------------------------------------------------------------

DATA_QUALITY_SCHEMA = {
    "source_table": pl.String,
    "rule": pl.String,
    "description": pl.String,
    "rows_checked": pl.Int64,
    "rows_fixed": pl.Int64,
    "rows_defaulted": pl.Int64,
    "rows_excluded": pl.Int64,
    "rows_quarantined": pl.Int64,
}


def data_quality_counts(profile: pl.DataFrame, leads: pl.DataFrame) -> pl.DataFrame:
    """Rows of marts.data_quality for the flat export: per column, placeholders and
    unparseable values set to missing (defaulted); open leads (no label: scored, not
    trained on) and excluded columns."""
    rows = []
    n = leads.height
    for r in profile.filter(pl.col("role").is_in(["feature", "created_at"])).iter_rows(named=True):
        rows.append(
            ("flat", f"{r['feature']}.placeholder_as_missing",
             f"{r['column_name']}: placeholder values (Select, N/A, unknown...) read as missing",
             n, 0, r["placeholder_rows"], 0, 0)
        )  # fmt: skip
        rows.append(
            ("flat", f"{r['feature']}.unparseable",
             f"{r['column_name']}: values that are not a {r['inferred_type']} read as missing",
             n, 0, r["unparseable_rows"], 0, 0)
        )  # fmt: skip
    open_leads = int(leads["label"].is_null().sum())
    rows.append(
        ("flat", "open_leads", "leads with an empty label: scored, not trained on",
         n, 0, 0, open_leads, 0)
    )  # fmt: skip
    return pl.DataFrame(rows, schema=DATA_QUALITY_SCHEMA, orient="row")
