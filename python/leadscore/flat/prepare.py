"""`prepare`: the export as typed leads plus a profile row per column (type,
placeholders, leakage checks, why a column is not a feature)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from leadscore.flat.cells import (
    Inferred,
    clean_text,
    feature_name,
    find_column,
    infer_column,
    parse_label,
    placeholder_counts,
)
from leadscore.flat.config import WEEKDAYS, FlatConfig, FlatInputError
from leadscore.flat.leakage import (
    OPEN_LEADS_FOR_FILL_RULE,
    identifier_reason,
    pure_values,
    single_column_auc,
)
from leadscore.flat.split import stable_fraction

FOLDS = 5  # folds of the out-of-fold single-column AUC


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


def prepare(raw: pl.DataFrame, cfg: FlatConfig) -> Prepared:
    """Typed leads plus the column profile (types, placeholders, leakage, exclusions)."""
    if raw.height == 0:
        raise FlatInputError("the export has a header but no rows: there is nothing to score")
    columns = _named_columns(raw.columns, cfg)
    messages: list[str] = []
    raw = _drop_empty_unnamed_columns(raw, columns, messages)
    profile = _Profile(clean_text(raw, cfg.missing_values), raw.height)
    profile.placeholders = placeholder_counts(raw, cfg.missing_values)
    ids, label = _ids_and_label(profile.text, columns, messages)
    leads = pl.DataFrame({"lead_id": ids, "label": label})
    profile.add(columns.id, "lead_id", "id", None, excluded_reason="id")
    profile.add(
        columns.label, "label", "label", Inferred("boolean", label), excluded_reason="label"
    )
    created, candidates = _created_at_features(profile, columns.created_at)
    if created is not None:
        leads = leads.with_columns(created_at=created)
    candidates.update(_column_features(profile, columns, created, taken=set(candidates)))
    features = _checked_features(profile, candidates, columns, ids, label, created, cfg, messages)
    if not features:
        raise FlatInputError(
            "no usable feature column is left (all were excluded, constant, identifiers or "
            "leakage suspects): see the excluded reasons in marts.flat_column_checks"
        )
    return Prepared(
        leads=leads.with_columns(**features),
        profile=pl.DataFrame(profile.rows, schema=PROFILE_SCHEMA),
        created_at=columns.created_at,
        messages=messages,
    )


@dataclass(frozen=True)
class _Columns:
    """The export's columns the vars name (matched ignoring case and spaces)."""

    id: str
    label: str
    created_at: str | None
    excluded: frozenset[str]


def _named_columns(columns: list[str], cfg: FlatConfig) -> _Columns:
    return _Columns(
        id=find_column(columns, cfg.id_column, "flat_id_column"),
        label=find_column(columns, cfg.label_column, "flat_label_column"),
        created_at=(
            find_column(columns, cfg.created_at_column, "flat_created_at_column")
            if cfg.created_at_column
            else None
        ),
        excluded=frozenset(
            find_column(columns, c, "flat_exclude_columns") for c in cfg.exclude_columns
        ),
    )


def _drop_empty_unnamed_columns(
    raw: pl.DataFrame, columns: _Columns, messages: list[str]
) -> pl.DataFrame:
    """A trailing comma on every line: the CSV reader names the empty last column
    column<N>; an unnamed column without a single value is not part of the export."""
    unnamed = [
        c
        for c in raw.columns
        if re.fullmatch(r"column\d+", c)
        and c not in columns.excluded
        and raw[c].cast(pl.String).str.strip_chars().fill_null("").eq("").all()
    ]
    if unnamed:
        messages.append(
            f"column(s) {', '.join(unnamed)} have no header and no value (a trailing comma "
            "at the end of each line?): ignored"
        )
    return raw.drop(unnamed)


def _ids_and_label(
    text: pl.DataFrame, columns: _Columns, messages: list[str]
) -> tuple[pl.Series, pl.Series]:
    """The id (filled, unique) and the label (both classes among the labelled leads)."""
    ids = text[columns.id]
    if ids.null_count():
        raise FlatInputError(
            f"{ids.null_count():,} rows have no value in the id column {columns.id!r}: every "
            "lead needs an id"
        )
    duplicated = ids.filter(ids.is_duplicated()).unique().sort()
    if len(duplicated):
        raise FlatInputError(
            f"the id column {columns.id!r} has {len(duplicated):,} duplicated values (e.g. "
            f"{', '.join(repr(v) for v in duplicated.head(3).to_list())}): each lead must "
            "appear once. Remove the duplicate rows or choose another id column."
        )
    label = parse_label(text[columns.label], columns.label)
    labelled = label.is_not_null().to_numpy()
    y = label.fill_null(False).to_numpy().astype(bool)
    if labelled.sum() == 0 or y[labelled].all() or not y[labelled].any():
        raise FlatInputError(
            f"the label column {columns.label!r} needs both converted and not converted "
            f"leads; it has {int(y[labelled].sum()):,} converted of {int(labelled.sum()):,} "
            "labelled"
        )
    if labelled.all():
        messages.append(
            f"no open leads: every row of the export has a value in the label column "
            f"{columns.label!r}, so nothing is scored. The leads to score are the rows with "
            "an empty label: leave the label cell empty for leads still open."
        )
    return ids, label


@dataclass
class _Profile:
    """The rows of the column profile, and the counts every row starts from."""

    text: pl.DataFrame
    n: int
    placeholders: dict[str, int] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)

    def base(self, column: str, feature: str, role: str, inferred: Inferred | None) -> dict:
        values = inferred.values if inferred else self.text[column]
        return {
            "column_name": column,
            "feature": feature,
            "role": role,
            "inferred_type": inferred.kind if inferred else "text",
            "date_format": inferred.date_format if inferred else None,
            "rows": self.n,
            "missing_rows": int(values.null_count()),
            "placeholder_rows": self.placeholders.get(column, 0),
            "unparseable_rows": inferred.unparseable if inferred else 0,
            "distinct_values": int(values.drop_nulls().n_unique()),
        }

    def add(
        self, column: str, feature: str, role: str, inferred: Inferred | None, **checks
    ) -> None:
        self.rows.append({**self.base(column, feature, role, inferred), **checks})


# feature -> (column, role, inferred)
Candidates = dict[str, tuple[str, str, Inferred]]
KEY_NAMES = frozenset({"lead_id", "as_of", "snapshot_role", "label", "created_at"})


def _created_at_features(
    profile: _Profile, created_col: str | None
) -> tuple[pl.Series | None, Candidates]:
    """The created-at column parsed as dates, and its weekday (and hour, when the
    export has times) as candidate features."""
    if created_col is None:
        return None, {}
    inferred = infer_column(profile.text[created_col])
    if inferred.kind != "date":
        raise FlatInputError(
            f"the created-at column {created_col!r} is not a date in most rows (e.g. "
            f"{profile.text[created_col].drop_nulls().head(1).to_list()}); supported: "
            "yyyy-mm-dd, dd-mm-yyyy, mm/dd/yyyy, dd/mm/yyyy, dd.mm.yyyy, with an optional time"
        )
    created = inferred.values
    profile.add(
        created_col,
        "created_at",
        "created_at",
        inferred,
        excluded_reason="created-at: used for the split and the features below",
    )
    stem = feature_name(created_col)
    weekday = created.dt.weekday().map_elements(lambda d: WEEKDAYS[d - 1], return_dtype=pl.String)
    candidates: Candidates = {
        f"{stem}_weekday": (created_col, "derived_feature", Inferred("categorical", weekday))
    }
    if (created.dt.hour().fill_null(0) > 0).any():
        hour = Inferred("numeric", created.dt.hour().cast(pl.Float64))
        candidates[f"{stem}_hour"] = (created_col, "derived_feature", hour)
    return created, candidates


def _column_features(
    profile: _Profile, columns: _Columns, created: pl.Series | None, taken: set[str]
) -> Candidates:
    """Every other column as a typed candidate feature; a date becomes "days after
    created-at" (and is left out, with the reason, without a created-at column)."""
    candidates: Candidates = {}
    for column in profile.text.columns:
        if column in (columns.id, columns.label, columns.created_at):
            continue
        inferred = infer_column(profile.text[column])
        feature = feature_name(column)
        while feature in KEY_NAMES or feature in taken or feature in candidates:
            feature = f"{feature}_"
        if inferred.kind == "date":
            if created is None:
                profile.add(
                    column,
                    feature,
                    "feature",
                    inferred,
                    excluded_reason="a date column needs the created-at column "
                    "(var flat_created_at_column) as reference",
                )
                continue
            days = (inferred.values - created).dt.total_seconds() / 86_400
            inferred = Inferred(
                "numeric", days.cast(pl.Float64), inferred.unparseable, inferred.date_format
            )
            feature = f"{feature}_days_after_created"
        candidates[feature] = (column, "feature", inferred)
    return candidates


@dataclass(frozen=True)
class _Checks:
    """What the leakage checks found about one candidate, on the labelled leads."""

    fill_converted: float
    fill_not_converted: float
    filled: int  # labelled leads with a value
    distinct: int
    auc: float
    reasons: list[str]


def _leakage_checks(
    values: pl.Series,
    kind: str,
    labelled: np.ndarray,
    y: np.ndarray,
    folds: np.ndarray,
    cfg: FlatConfig,
) -> _Checks:
    """Fill rates by class and labelled vs open, the out-of-fold single-column AUC and
    value purity: each rule that fires adds its reason."""
    lab = values.filter(pl.Series(labelled))
    filled = lab.is_not_null().to_numpy()
    fill_pos, fill_neg = float(filled[y].mean()), float(filled[~y].mean())
    distinct = lab.drop_nulls().n_unique()
    auc = (
        single_column_auc(lab, kind, y, folds, cfg.leakage_value_bin_share)
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
    if (~labelled).sum() >= OPEN_LEADS_FOR_FILL_RULE:
        fill_lab = float(filled.mean())
        fill_open = float(values.filter(pl.Series(~labelled)).is_not_null().to_numpy().mean())
        if min(fill_lab, fill_open) <= rare and max(fill_lab, fill_open) >= common:
            reasons.append(
                f"filled for {fill_lab:.0%} of labelled leads and {fill_open:.0%} of open "
                "leads (a field filled in when the outcome is known)"
            )
    if not math.isnan(auc) and auc >= cfg.leakage_auc:
        reasons.append(f"predicts the label almost perfectly on its own (AUC {auc:.3f})")
    if kind in ("categorical", "boolean"):
        purity = pure_values(lab, y, cfg)
        if purity:
            reasons.append(purity)
    return _Checks(fill_pos, fill_neg, int(filled.sum()), distinct, auc, reasons)


def _excluded_reason(
    column: str,
    kind: str,
    checks: _Checks,
    identifier: str | None,
    columns: _Columns,
    cfg: FlatConfig,
) -> str | None:
    """Why the candidate is not a model feature (the first rule that applies), else None."""
    if column in columns.excluded:
        return "var flat_exclude_columns"
    if checks.distinct <= 1:
        return "constant: one value (or none) among labelled leads"
    if identifier:
        return identifier
    if kind == "categorical" and checks.distinct > 50 and checks.distinct >= 0.9 * checks.filled:
        return "unique per lead (an identifier or free text), nothing to learn"
    if checks.reasons and cfg.exclude_leaky_columns:
        return "leakage suspect (var flat_exclude_leaky_columns)"
    return None


def _leakage_message(column: str, reasons: list[str], excluded: str | None) -> str:
    verdict = (
        "excluded from the model"
        if excluded
        else "KEPT as a feature (set flat_exclude_leaky_columns: true to exclude it)"
    )
    return (
        f"leakage guard: column {column!r} {' and '.join(reasons)}: {verdict}. Columns "
        "filled in after the outcome (sales tags, lost reasons, deal fields) make the "
        "holdout look great and the scores of open leads useless."
    )


def _checked_features(
    profile: _Profile,
    candidates: Candidates,
    columns: _Columns,
    ids: pl.Series,
    label: pl.Series,
    created: pl.Series | None,
    cfg: FlatConfig,
    messages: list[str],
) -> dict[str, pl.Series]:
    """Each candidate checked for leakage and usefulness on the labelled leads; a
    profile row per candidate; the candidates that remain model features."""
    labelled = label.is_not_null().to_numpy()
    y = label.fill_null(False).to_numpy().astype(bool)[labelled]
    folds = (stable_fraction(ids) * FOLDS).astype(np.int64)[labelled]
    features: dict[str, pl.Series] = {}
    for feature, (column, role, inferred) in candidates.items():
        checks = _leakage_checks(inferred.values, inferred.kind, labelled, y, folds, cfg)
        identifier = (
            identifier_reason(inferred.values, inferred.kind, created, feature)
            if role == "feature"
            else None
        )
        excluded = _excluded_reason(column, inferred.kind, checks, identifier, columns, cfg)
        if identifier and column not in columns.excluded:
            messages.append(f"column {column!r} is not a feature: {identifier}")
        if checks.reasons:
            messages.append(_leakage_message(column, checks.reasons, excluded))
        profile.add(
            column,
            feature,
            role,
            inferred,
            fill_rate_converted=checks.fill_converted,
            fill_rate_not_converted=checks.fill_not_converted,
            single_column_auc=None if math.isnan(checks.auc) else checks.auc,
            is_leakage_suspect=bool(checks.reasons),
            leakage_reason="; ".join(checks.reasons) or None,
            is_model_feature=excluded is None,
            excluded_reason=excluded,
        )
        if excluded is None:
            features[feature] = inferred.values
    return features
