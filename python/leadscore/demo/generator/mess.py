"""The mess of real CRM exports, planted on purpose and counted.

Every helper returns the rows it changed (as a boolean mask or a count), so the
manifest can state exactly how much of each kind of mess the data contains.
"""

from __future__ import annotations

import numpy as np
import polars as pl

# share of timestamps written in each format; every format keeps the exact instant
TIMESTAMP_FORMATS: tuple[tuple[str, float], ...] = (
    ("iso_space", 0.86),  # 2025-03-04 10:22:11
    ("iso_utc", 0.05),  # 2025-03-04T10:22:11Z
    ("iso_offset", 0.04),  # 2025-03-04T12:22:11+02:00 (local time + offset)
    ("us", 0.03),  # 03/04/2025 10:22:11
    ("epoch", 0.02),  # 1741083731
)
OFFSETS_MINUTES = (-480, -300, 60, 120, 330)
UNPARSEABLE = ("N/A", "0000-00-00 00:00:00", "31/31/2025 25:61", "yesterday")


def format_timestamps(
    ts: np.ndarray,
    rng: np.random.Generator,
    unparseable_rate: float = 0.0,
    may_break: np.ndarray | None = None,
) -> tuple[pl.Series, np.ndarray, np.ndarray]:
    """Seconds since epoch -> strings in mixed formats.

    Returns the strings, the mask of unparseable ones (only rows where `may_break`)
    and the mask of parseable ones written in another format than the canonical
    'YYYY-MM-DD HH:MM:SS' (staging counts those as fixed).
    """
    n = len(ts)
    shares = np.array([s for _, s in TIMESTAMP_FORMATS])
    fmt = rng.choice(len(shares), n, p=shares / shares.sum())
    offset = np.array(OFFSETS_MINUTES)[rng.integers(0, len(OFFSETS_MINUTES), n)]
    bad = rng.random(n) < unparseable_rate
    if may_break is not None:
        bad &= may_break
    frame = pl.DataFrame(
        {
            "ts": pl.Series(ts.astype(np.int64)),
            "fmt": fmt,
            "off": offset,
            "bad": np.array(UNPARSEABLE)[rng.integers(0, len(UNPARSEABLE), n)],
            "is_bad": bad,
        }
    )
    utc = pl.from_epoch("ts", time_unit="s")
    local = pl.from_epoch(pl.col("ts") + pl.col("off") * 60, time_unit="s")
    sign = pl.when(pl.col("off") < 0).then(pl.lit("-")).otherwise(pl.lit("+"))
    hh = (pl.col("off").abs() // 60).cast(pl.String).str.zfill(2)
    mm = (pl.col("off").abs() % 60).cast(pl.String).str.zfill(2)
    out = frame.select(
        pl.when(pl.col("is_bad"))
        .then(pl.col("bad"))
        .when(pl.col("fmt") == 0)
        .then(utc.dt.strftime("%Y-%m-%d %H:%M:%S"))
        .when(pl.col("fmt") == 1)
        .then(utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        .when(pl.col("fmt") == 2)
        .then(pl.concat_str([local.dt.strftime("%Y-%m-%dT%H:%M:%S"), sign, hh, pl.lit(":"), mm]))
        .when(pl.col("fmt") == 3)
        .then(utc.dt.strftime("%m/%d/%Y %H:%M:%S"))
        .otherwise(pl.col("ts").cast(pl.String))
        .alias("formatted")
    )
    return out["formatted"], bad, (fmt != 0) & ~bad


def choose_disjoint(
    rng: np.random.Generator, n: int, rates: dict[str, float]
) -> dict[str, np.ndarray]:
    """Disjoint random row masks, one per kind of mess, each of about rate * n rows."""
    order = rng.permutation(n)
    masks: dict[str, np.ndarray] = {}
    start = 0
    for name, rate in rates.items():
        k = int(rng.binomial(n, rate)) if n else 0
        mask = np.zeros(n, dtype=bool)
        mask[order[start : start + k]] = True
        masks[name] = mask
        start += k
    return masks


def vary_case(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Same email, different letter case and stray whitespace: 'John.Smith@Acme.com '."""
    out = []
    for v in values:
        style = rng.integers(0, 3)
        if style == 0:
            v = v.upper()
        elif style == 1:
            v = ".".join(p.capitalize() for p in v.split("."))
        else:
            v = f" {v.title()} "
        out.append(v)
    return np.array(out, dtype=object)
