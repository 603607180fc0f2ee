"""The training step's levers, each measured alone and together, in one run.

    .venv/bin/python bench/training_levers.py --db data/bench/100000/leadscore.duckdb

Reads the product's own training matrix (`ml.ml_training_examples` of a built
database: the train examples, whose latest date is the early-stopping split, and the
out-of-time holdout) and calls `leadscore.core.training.train_model` once per row of
LEVERS: the configuration the product shipped before (a 2-candidate search), then
each lever changed alone, then the configuration the product now uses, and the
product's current defaults as they are in `TrainParams` / `SearchSpace`. Every fit
runs in this one process, one after the other, on the same data.

Printed per row: wall seconds, CPU seconds (user + system of this process over the
fit: `time.process_time`, all threads), the holdout AUC (the model's ranking on
the holdout examples; the holdout is never used to stop or choose) and the trees
of the chosen model. `--out` writes the rows as JSON. `--only a,b` runs those rows.
Not part of the product.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import polars as pl

from leadscore.core.training import SearchSpace, TrainParams, train_model

# the configuration before this measurement: 2 candidates (base and the other class
# weighting), 500 trees at most, stop after 50 rounds without progress, 200k fit rows,
# CatBoost's default 254 borders, every core
BEFORE = TrainParams(
    iterations=500,
    depth=6,
    learning_rate=0.06,
    early_stopping_rounds=50,
    max_fit_examples=200_000,
    extra={"border_count": 254},
)
BEFORE_TRIALS = 2


def levers(chosen: TrainParams, chosen_trials: int) -> list[tuple[str, TrainParams, int]]:
    """(name, parameters, search trials): the baseline, each lever alone, the choice."""
    b = BEFORE

    def extra(**kw: object) -> TrainParams:
        return replace(b, extra={**b.extra, **kw})

    return [
        ("before: 2-candidate search", b, BEFORE_TRIALS),
        ("1 candidate (no search)", b, 1),
        ("early stopping after 20 rounds", replace(b, early_stopping_rounds=20), BEFORE_TRIALS),
        ("border_count 64", extra(border_count=64), BEFORE_TRIALS),
        ("border_count 32", extra(border_count=32), BEFORE_TRIALS),
        ("fit sample 100k", replace(b, max_fit_examples=100_000), BEFORE_TRIALS),
        ("fit sample 50k", replace(b, max_fit_examples=50_000), BEFORE_TRIALS),
        ("thread_count 1", replace(b, thread_count=1), BEFORE_TRIALS),
        ("max_ctr_complexity 2", extra(max_ctr_complexity=2), BEFORE_TRIALS),
        ("boosting_type Ordered", extra(boosting_type="Ordered"), BEFORE_TRIALS),
        ("chosen: the product's defaults (1 candidate)", chosen, chosen_trials),
    ]


def measure(
    examples: pl.DataFrame, name: str, params: TrainParams, trials: int
) -> dict[str, object]:
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    trained = train_model(
        examples, params, search=SearchSpace(trials=trials, seconds=1e9), log=lambda _: None
    )
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    rusage_cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    return {
        "lever": name,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "cpu_s_rusage": round(rusage_cpu, 1),
        "holdout_auc": round(float(trained.metrics["auc"]), 4),
        "trees": int(trained.model.tree_count_),
        "candidates": [c["trees"] for c in trained.search],
        "fit_examples": trained.search[0]["fit_examples"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--only", default="", help="comma-separated row numbers (1-based)")
    args = parser.parse_args()
    con = duckdb.connect(str(args.db), read_only=True)
    examples = con.sql(
        "select * from ml.ml_training_examples where snapshot_role in ('train', 'holdout')"
    ).pl()
    con.close()
    # the product's defaults: the dbt vars' parameters (as BEFORE) and the default search
    rows = levers(BEFORE, SearchSpace().trials)
    if args.only:
        keep = {int(i) for i in args.only.split(",")}
        rows = [r for i, r in enumerate(rows, 1) if i in keep]
    n_train = examples.filter(pl.col("snapshot_role") == "train").height
    print(
        f"levers: {n_train:,} train and {examples.height - n_train:,} holdout examples, "
        f"{examples.width - 4} features, from {args.db}",
        flush=True,
    )
    print("| lever | wall s | CPU s | holdout AUC | trees | fit rows |", flush=True)
    print("|---|---:|---:|---:|---:|---:|", flush=True)
    results = []
    for name, params, trials in rows:
        r = measure(examples, name, params, trials)
        results.append(r)
        print(
            f"| {name} | {r['wall_s']} | {r['cpu_s']} | {r['holdout_auc']:.4f} | "
            f"{r['trees']} {r['candidates'] if len(r['candidates']) > 1 else ''} | "
            f"{r['fit_examples']:,} |",
            flush=True,
        )
        if args.out:
            args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
