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
