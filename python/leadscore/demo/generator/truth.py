"""The oracle: the exact conversion probability of an example under the generator.

For an example (lead, as_of) the generator knows the lead's latent hazard
multiplier and dormancy, its funnel stage and whether it was engaged or dormant at
as_of. The journey is a Markov process (see journey.py), so the probability that
the lead becomes a customer within the horizon is computed exactly. No model can do
better on average: it sees the same lead only through its noisy event trail.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from leadscore.demo.generator.build import TRUTH_DIR
from leadscore.demo.generator.journey import conversion_probability

OPEN_STAGES = {"lead": 0, "mql": 1, "sql": 2, "opportunity": 3}


def oracle_probabilities(
    raw_dir: Path, examples: pl.DataFrame, horizon_days: int = 90
) -> pl.DataFrame:
    """Examples (lead_id, as_of as datetime) with `oracle_probability` added.

    Examples of leads the generator did not create (none, for generated data) or that
    were no longer open in truth at as_of get a null probability.
    """
    folder = Path(raw_dir) / TRUTH_DIR
    truth = pl.read_parquet(folder / "lead_truth.parquet")
    stages = pl.read_parquet(folder / "stage_truth.parquet").sort("ts")
    flips = pl.read_parquet(folder / "engagement_truth.parquet").sort("ts")
    ex = examples.select("lead_id", "as_of").with_columns(
        as_of_ts=pl.col("as_of").dt.epoch("s"), row=pl.int_range(pl.len())
    )
    ex = ex.sort("as_of_ts")
    # strictly before as_of: shift the probe one second back
    probe = ex.with_columns(probe_ts=pl.col("as_of_ts") - 1)
    at_stage = probe.join_asof(
        stages,
        left_on="probe_ts",
        right_on="ts",
        by="lead_id",
        strategy="backward",
        check_sortedness=False,
    )
    at_engaged = probe.join_asof(
        flips,
        left_on="probe_ts",
        right_on="ts",
        by="lead_id",
        strategy="backward",
        check_sortedness=False,
    ).select("row", pl.col("engaged").fill_null(True))
    state = (
        at_stage.select("row", "lead_id", "as_of", "stage")
        .join(at_engaged, on="row")
        .join(truth.select("lead_id", "multiplier", "dormancy"), on="lead_id", how="left")
        .sort("row")
    )
    stage_code = state["stage"].replace_strict(OPEN_STAGES, default=-1).to_numpy()
    ok = (stage_code >= 0) & state["multiplier"].is_not_null().to_numpy()
    prob = np.full(state.height, np.nan)
    if ok.any():
        prob[ok] = conversion_probability(
            stage_code[ok],
            state["engaged"].to_numpy()[ok],
            state["multiplier"].to_numpy()[ok],
            state["dormancy"].to_numpy()[ok],
            horizon_days,
        )
    return examples.with_columns(oracle_probability=pl.Series(prob).fill_nan(None))
