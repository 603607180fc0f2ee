"""Time scoring N open leads with reasons, using the champion of a built database.

    .venv/bin/python bench/scoring_speed.py --db data/leadscore.duckdb --rows 100000

The demo's open leads are repeated (with fresh ids) up to N rows.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime

import duckdb
import polars as pl

from leadscore.core.lifecycle import champion_row
from leadscore.core.scoring import score_open_leads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="data/leadscore.duckdb")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    con = duckdb.connect(args.db, read_only=True)
    examples = con.sql("select * from ml.ml_scoring_examples").pl()
    champion = champion_row(con.sql("select * from ml.ml_model_registry").pl())
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
