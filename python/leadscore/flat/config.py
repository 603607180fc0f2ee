"""The flat-mode settings (dbt vars) and the vocabularies cells are read with."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

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
