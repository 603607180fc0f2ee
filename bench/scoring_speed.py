"""Time scoring N open leads with reasons, using the champion of a built database.

    .venv/bin/python bench/scoring_speed.py --db data/leadscore.duckdb --rows 100000
    .venv/bin/python bench/scoring_speed.py --db data/bench/1000000/leadscore.duckdb --shap

The demo's open leads are repeated (with fresh ids) up to N rows. --shap times the
SHAP values alone (the per-lead reasons' cost), CatBoost's ShapValues against the
per-leaf tables, alternating twice, wall and CPU seconds, and their largest difference.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import datetime

import duckdb
import numpy as np
import polars as pl

from leadscore.core.explain import shap_values
from leadscore.core.features import FeatureSpec
from leadscore.core.lifecycle import champion_row
from leadscore.core.scoring import score_open_leads
from leadscore.core.training import deserialise


def compare_shap(frame: pl.DataFrame, champion: dict) -> None:
    model = deserialise(champion["model_blob"])
    spec = FeatureSpec.from_dict(json.loads(str(champion["features_json"])))
    ways = {
        "CatBoost ShapValues": {"batch_rows": 100_000, "per_leaf_from_rows": frame.height + 1},
        "per-leaf tables": {"per_leaf_from_rows": 0},
    }
    values = {}
    for name in [*ways, *ways]:
        wall, cpu = time.perf_counter(), os.times()
        values[name] = shap_values(model, spec, frame, **ways[name])
        after = os.times()
        cpu_s = after.user - cpu.user + after.system - cpu.system
        print(
            f"{name}: {frame.height:,} rows, {model.tree_count_} trees: "
            f"{time.perf_counter() - wall:.1f} s wall, {cpu_s:.1f} CPU s"
        )
    difference = np.abs(values["CatBoost ShapValues"] - values["per-leaf tables"]).max()
    print(f"largest difference between the two: {difference}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="data/leadscore.duckdb")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--shap", action="store_true", help="time the SHAP values alone")
    args = parser.parse_args()
    con = duckdb.connect(args.db, read_only=True)
    examples = con.sql("select * from ml.ml_scoring_examples").pl()
    champion = champion_row(con.sql("select * from ml.ml_model_registry").pl())
    if args.shap:
        compare_shap(examples.sort("lead_id"), champion)
        return
    dictionary = con.sql("select * from config.feature_dictionary").pl()
    copies = -(-args.rows // examples.height)
    frame = pl.concat([examples] * copies).head(args.rows)
    frame = frame.with_columns(lead_id=pl.format("B{}", pl.int_range(pl.len())))
    t0 = time.perf_counter()
    scored = score_open_leads(frame, champion, dictionary, datetime(2026, 1, 1), log=print)
    seconds = time.perf_counter() - t0
    print(
        f"scored {scored.height:,} open leads with probability and 6 reasons each "
        f"in {seconds:.1f}s ({scored.height / seconds:,.0f} leads/s) on the champion "
        f"{champion['model_id']} ({champion['best_iteration']} trees)"
    )


if __name__ == "__main__":
    main()
