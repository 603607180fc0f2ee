"""The flat export's rows of marts.data_quality."""

from __future__ import annotations

import polars as pl

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
    n = leads.height

    def row(rule: str, description: str, defaulted: int = 0, excluded: int = 0) -> dict:
        return {
            "source_table": "flat",
            "rule": rule,
            "description": description,
            "rows_checked": n,
            "rows_fixed": 0,
            "rows_defaulted": defaulted,
            "rows_excluded": excluded,
            "rows_quarantined": 0,
        }

    rows = []
    for r in profile.filter(pl.col("role").is_in(["feature", "created_at"])).iter_rows(named=True):
        column, feature = r["column_name"], r["feature"]
        rows.append(
            row(
                f"{feature}.placeholder_as_missing",
                f"{column}: placeholder values (Select, N/A, unknown...) read as missing",
                defaulted=r["placeholder_rows"],
            )
        )
        rows.append(
            row(
                f"{feature}.unparseable",
                f"{column}: values that are not a {r['inferred_type']} read as missing",
                defaulted=r["unparseable_rows"],
            )
        )
    open_leads = int(leads["label"].is_null().sum())
    rows.append(
        row("open_leads", "leads with an empty label: scored, not trained on", excluded=open_leads)
    )
    return pl.DataFrame(rows, schema=DATA_QUALITY_SCHEMA)
