"""Helpers for tests, independent of the project's SQL."""

from __future__ import annotations

import polars as pl


def parse_mixed_timestamps(values: pl.Series) -> pl.Series:
    """UTC datetimes from the generator's mixed formats (null when unparseable)."""
    s = values.str.strip_chars()
    frame = pl.DataFrame({"s": s})
    return frame.select(
        pl.coalesce(
            pl.when(pl.col("s").str.contains(r"^\d{9,10}$")).then(
                pl.from_epoch(pl.col("s").cast(pl.Int64, strict=False), time_unit="s")
            ),
            pl.col("s").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
            pl.col("s").str.to_datetime("%Y-%m-%dT%H:%M:%SZ", strict=False),
            pl.col("s")
            .str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", strict=False, time_zone="UTC")
            .dt.replace_time_zone(None),
            pl.col("s").str.to_datetime("%m/%d/%Y %H:%M:%S", strict=False),
        ).alias("ts")
    )["ts"]
