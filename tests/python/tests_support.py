"""Helpers for tests, independent of the project's SQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl

PROJECT = Path(__file__).resolve().parents[2]


def run_dbt_command(
    args: list[str], db: Path, tmp: Path, variables: dict | None = None
) -> subprocess.CompletedProcess:
    """`dbt ARGS` in the project against database `db`, target and logs under `tmp`,
    with `variables` as --vars; the caller checks the result."""
    env = {
        **os.environ,
        "DUCKDB_PATH": str(db),
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(PROJECT),
    }
    cmd = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(PROJECT),
        "--profiles-dir",
        str(PROJECT),
        "--target-path",
        str(tmp / "target"),
        "--log-path",
        str(tmp / "logs"),
        "--vars",
        json.dumps(variables or {}),
    ]
    return subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)


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
