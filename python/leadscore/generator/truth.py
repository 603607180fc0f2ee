"""The oracle: the conversion probability the generator's latent state implies.

For an example (lead, as_of) with lead age ``t`` days, the probability that the
lead becomes a customer within ``h`` days, given its latent conversion
probability ``p`` and that it is still open at ``as_of``, is

    p * (F(t + h) - F(t)) / (p * (1 - F(t)) + (1 - p) * S(t))

where F is the log-normal CDF of days from creation to purchase and S is the
share of never-converting leads still open (not disqualified) at age t. It uses
nothing a model could not in principle learn, except the latent p; it ignores
what the lead's journey so far reveals (stages reached, activity), so a model
that reads the journey can come close to it or, on some cuts, beat it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl

from leadscore.generator.build import MANIFEST, TRUTH_DIR


def _lognormal_cdf(x: np.ndarray, median: float, sigma: float) -> np.ndarray:
    x = np.maximum(x, 1e-9)
    z = (np.log(x) - math.log(median)) / (sigma * math.sqrt(2.0))
    return 0.5 * (1.0 + np.vectorize(math.erf)(z))


def oracle_probabilities(
    raw_dir: Path, examples: pl.DataFrame, horizon_days: int = 90
) -> pl.DataFrame:
    """Add `oracle_probability` to examples with columns lead_id and as_of (datetime)."""
    raw_dir = Path(raw_dir)
    cfg = json.loads((raw_dir / MANIFEST).read_text())["config"]
    truth = pl.read_parquet(raw_dir / TRUTH_DIR / "lead_truth.parquet")
    open_share = pl.read_parquet(raw_dir / TRUTH_DIR / "non_converter_open_share.parquet")
    joined = examples.join(truth.select("lead_id", "p_convert", "created_ts"), on="lead_id")
    t = (
        joined["as_of"].dt.epoch("s").to_numpy() - joined["created_ts"].to_numpy()
    ) / 86_400
    p = joined["p_convert"].to_numpy()
    med, sig = cfg["conversion_delay_median_days"], cfg["conversion_delay_sigma"]
    f_t = _lognormal_cdf(t, med, sig)
    f_th = _lognormal_cdf(t + horizon_days, med, sig)
    shares = open_share["share_open"].to_numpy()
    s_t = shares[np.clip(np.floor(t).astype(int), 0, len(shares) - 1)]
    prob = p * (f_th - f_t) / np.maximum(p * (1 - f_t) + (1 - p) * s_t, 1e-12)
    return joined.drop("p_convert", "created_ts").with_columns(
        oracle_probability=pl.Series(np.clip(prob, 0.0, 1.0))
    )
