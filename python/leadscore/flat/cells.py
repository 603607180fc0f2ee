"""Reading the export's cells: column names, trimming, placeholders, the label, and each
column's type (boolean, numeric, date or categorical)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from leadscore.flat.config import (
    DATE_FORMATS,
    FALSE_VALUES,
    PARSE_SHARE,
    TRUE_VALUES,
    FlatInputError,
)


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
        n = int(parsed.is_not_null().sum())
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
