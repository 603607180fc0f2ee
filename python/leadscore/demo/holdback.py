"""Hold back the last day(s) of a generated export and append them later.

A daily refresh is the same world one day further: the rows of a generated export
dated in its last `days` days (lead creation, event, stage change, deal, verdict,
assignment) are moved out before the first build and written back as new parquet
files afterwards, as an export that delivers each day's rows in a new file does.
Used by the incremental-build test and the daily-refresh step of the benchmark.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl

from leadscore.demo.generator.build import MANIFEST

# the timestamp column that dates each row of a contract table
DATED_COLUMNS = {
    "leads": "created_at",
    "events": "occurred_at",
    "lifecycle_stage_changes": "changed_at",
    "opportunities": "created_at",
    "sales_feedback": "created_at",
    "experiment_assignments": "assigned_at",
}


def parse_export_timestamps(values: pl.Series) -> pl.Series:
    """UTC datetimes from the generator's timestamp formats (null when unparseable)."""
    frame = pl.DataFrame({"s": values.cast(pl.String).str.strip_chars()})
    s = pl.col("s")
    return frame.select(
        pl.coalesce(
            pl.when(s.str.contains(r"^\d{9,10}$")).then(
                pl.from_epoch(s.cast(pl.Int64, strict=False), time_unit="s")
            ),
            s.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False),
            s.str.to_datetime("%Y-%m-%dT%H:%M:%SZ", strict=False),
            s.str.to_datetime(
                "%Y-%m-%dT%H:%M:%S%:z", strict=False, time_zone="UTC"
            ).dt.replace_time_zone(None),
            s.str.to_datetime("%m/%d/%Y %H:%M:%S", strict=False),
        ).alias("ts")
    )["ts"]


def hold_back(raw: Path, held: Path, days: float = 1.0) -> dict[str, int]:
    """Move the rows dated in the last `days` days before the export out of `raw`.

    They land in `held/<table>/held.parquet`; `raw` keeps the rest in its files. Rows
    with an unparseable or future timestamp stay. Returns the held row count per table.
    """
    manifest = json.loads((raw / MANIFEST).read_text())
    end = datetime.fromisoformat(manifest["config"]["export_at"]).replace(tzinfo=None)
    start = end - timedelta(days=days)
    counts: dict[str, int] = {}
    for table, column in DATED_COLUMNS.items():
        folder = raw / table
        files = sorted(folder.glob("*.parquet")) if folder.exists() else []
        if not files:
            continue
        kept_parts, held_parts = [], []
        for file in files:
            frame = pl.read_parquet(file)
            ts = parse_export_timestamps(frame[column])
            late = ((ts >= start) & (ts <= end)).fill_null(False)
            held_parts.append(frame.filter(late))
            kept_parts.append((file, frame.filter(~late)))
        held_rows = pl.concat(held_parts, how="diagonal_relaxed")
        counts[table] = held_rows.height
        if held_rows.height == 0:
            continue
        for file, kept in kept_parts:
            kept.write_parquet(file, compression="zstd")
        (held / table).mkdir(parents=True, exist_ok=True)
        held_rows.write_parquet(held / table / "held.parquet", compression="zstd")
    return counts


def append_held_back(held: Path, raw: Path, name: str) -> dict[str, int]:
    """Write the held-back rows into `raw` as new files `<table>/<name>.parquet`."""
    counts: dict[str, int] = {}
    for table in DATED_COLUMNS:
        source = held / table / "held.parquet"
        if not source.exists():
            continue
        target = raw / table / f"{name}.parquet"
        if target.exists():
            raise FileExistsError(f"{target} exists: the held-back rows were appended already")
        shutil.copyfile(source, target)
        counts[table] = pl.scan_parquet(source).select(pl.len()).collect().item()
    return counts
