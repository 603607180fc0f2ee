"""How many open leads would keep their score tomorrow if nothing happened to them.

    .venv/bin/python bench/border_crossings.py data/bench/1000000

CatBoost splits a numeric feature only at its borders (the model's quantization), so a
lead's prediction cannot change while each of its feature values stays on the same side
of every border. A day without events still moves every day count by one
(`lead_age_days`, `days_in_current_stage`, `days_since_last_*`). This reads the
champion and the open leads' feature rows of a benchmark database, adds one day to
those counts and prints the share of open leads that cross at least one border (a
lower bound: window counts such as `page_view_7d` also change as days leave the
windows), and the day counts crossed most often. Compared as float32, as CatBoost
reads the values.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from leadscore.core.lifecycle import champion_row
from leadscore.core.training import deserialise


def day_counts(names: list[str]) -> list[str]:
    """The features that grow by one each day without an event."""
    fixed = {"lead_age_days", "days_in_current_stage"}
    return [n for n in names if n in fixed or n.startswith("days_since_last_")]


def crossings(values: np.ndarray, borders: np.ndarray) -> np.ndarray:
    """Per row: whether value + 1 lies on another side of some border than value (nulls
    never cross: they stay null)."""
    today = values.astype(np.float32)
    tomorrow = (values + 1).astype(np.float32)
    moved = np.zeros(len(values), dtype=bool)
    for side in ("left", "right"):
        moved |= np.searchsorted(borders, today, side=side) != np.searchsorted(
            borders, tomorrow, side=side
        )
    return moved & ~np.isnan(today)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, help="a bench size folder, e.g. data/bench/1000000")
    args = parser.parse_args()
    con = duckdb.connect(str(args.work / "leadscore.duckdb"), read_only=True)
    champion = champion_row(con.table("ml.ml_model_registry").pl())
    if champion is None:
        raise SystemExit("no champion model in this database")
    model = deserialise(champion["model_blob"])
    names = list(model.feature_names_)
    counts = day_counts(names)
    leads = con.sql(
        "select " + ", ".join(f'"{c}"' for c in counts) + " from ml.ml_scoring_examples"
    ).pl()
    borders = model.get_borders()
    any_crossed = np.zeros(leads.height, dtype=bool)
    shares = {}
    for index, name in enumerate(names):
        if name not in counts or index not in borders:
            continue
        values = leads[name].cast(pl.Float64).fill_null(np.nan).to_numpy()
        moved = crossings(values, np.asarray(borders[index], dtype=np.float32))
        shares[name] = moved.mean()
        any_crossed |= moved
    print(f"{leads.height:,} open leads; {len(counts)} day-count features")
    print(f"share crossing a border after one day without events: {any_crossed.mean():.1%}")
    for name, share in sorted(shares.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {name}: {share:.1%}")


if __name__ == "__main__":
    main()
