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

    `ts` are whole seconds (int64).
    Returns the strings, the mask of unparseable ones (only rows where `may_break`)
    and the mask of parseable ones written in another format than the canonical
    'YYYY-MM-DD HH:MM:SS' (staging counts those as fixed).
    """
    n = len(ts)
    shares = np.array([s for _, s in TIMESTAMP_FORMATS])
    fmt = rng.choice(len(shares), n, p=shares / shares.sum())
    offset = rng.integers(0, len(OFFSETS_MINUTES), n)  # index into OFFSETS_MINUTES
    bad = rng.random(n) < unparseable_rate
    if may_break is not None:
        bad &= may_break
    bad_text = rng.integers(0, len(UNPARSEABLE), n)
    ts = np.asarray(ts, dtype=np.int64)
    # every row in the canonical format first, then the other formats on their rows only
    out = canonical_timestamps(ts)
    for code, build in enumerate(_OTHER_FORMATS, start=1):
        rows = np.flatnonzero(fmt == code)
        if len(rows):
            out = out.scatter(rows, build(ts[rows], offset[rows], out.gather(rows)))
    rows = np.flatnonzero(bad)
    if len(rows):
        out = out.scatter(rows, pl.Series(UNPARSEABLE).gather(bad_text[rows]))
    return out.alias("formatted"), bad, (fmt != 0) & ~bad


def canonical_timestamps(ts: np.ndarray) -> pl.Series:
    """'YYYY-MM-DD HH:MM:SS' (UTC): the date and the time of day looked up, then joined."""
    ts = np.asarray(ts, dtype=np.int64)
    if len(ts) == 0:
        return pl.Series("formatted", [], dtype=pl.String)
    day, second = np.divmod(ts, DAY_SECONDS)
    first = int(day.min())
    days = pl.Series(np.arange(first, int(day.max()) + 1, dtype=np.int64) * DAY_SECONDS)
    dates = pl.from_epoch(days, time_unit="s").dt.strftime("%Y-%m-%d")
    frame = pl.DataFrame({"d": day - first, "s": second})
    return frame.select(
        pl.concat_str(
            [pl.lit(dates).gather(pl.col("d")), pl.lit(" "), pl.lit(_clock()).gather(pl.col("s"))]
        ).alias("formatted")
    )["formatted"]


def _clock() -> pl.Series:
    """'HH:MM:SS' for every second of a day."""
    global _CLOCK
    if _CLOCK is None:
        _CLOCK = pl.from_epoch(pl.Series(np.arange(DAY_SECONDS)), time_unit="s").dt.strftime(
            "%H:%M:%S"
        )
    return _CLOCK


_CLOCK: pl.Series | None = None
DAY_SECONDS = 86_400


def _iso_utc(ts: np.ndarray, offset: np.ndarray, canonical: pl.Series) -> pl.Series:
    return canonical.str.replace(" ", "T", literal=True) + "Z"


def _iso_offset(ts: np.ndarray, offset: np.ndarray, canonical: pl.Series) -> pl.Series:
    """Local time and its offset: '2025-03-04T12:22:11+02:00'."""
    minutes = np.array(OFFSETS_MINUTES)
    local = canonical_timestamps(ts + minutes[offset] * 60).str.replace(" ", "T", literal=True)
    suffix = pl.Series(
        [f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in minutes]
    )
    return local + suffix.gather(offset)


def _us(ts: np.ndarray, offset: np.ndarray, canonical: pl.Series) -> pl.Series:
    # 'YYYY-MM-DD HH:MM:SS' -> 'MM/DD/YYYY HH:MM:SS'
    return pl.DataFrame({"c": canonical}).select(
        pl.concat_str(
            [
                pl.col("c").str.slice(5, 2),
                pl.lit("/"),
                pl.col("c").str.slice(8, 2),
                pl.lit("/"),
                pl.col("c").str.slice(0, 4),
                pl.col("c").str.slice(10),
            ]
        )
    )["c"]


def _epoch(ts: np.ndarray, offset: np.ndarray, canonical: pl.Series) -> pl.Series:
    return pl.Series(ts).cast(pl.String)


# the builders of TIMESTAMP_FORMATS[1:], in order
_OTHER_FORMATS = (_iso_utc, _iso_offset, _us, _epoch)


def choose_disjoint(
    rng: np.random.Generator, n: int, rates: dict[str, float]
) -> dict[str, np.ndarray]:
    """Disjoint random row masks, one per kind of mess, each of about rate * n rows."""
    sizes = [int(rng.binomial(n, rate)) if n else 0 for rate in rates.values()]
    rows = rng.choice(n, size=min(sum(sizes), n), replace=False) if n else np.zeros(0, int)
    masks: dict[str, np.ndarray] = {}
    start = 0
    for name, k in zip(rates, sizes, strict=True):
        mask = np.zeros(n, dtype=bool)
        mask[rows[start : start + k]] = True
        masks[name] = mask
        start += k
    return masks


def vary_case(values: pl.Series, rng: np.random.Generator) -> pl.Series:
    """Same email, different letter case and stray whitespace: 'John.Smith@Acme.com '.

    A third each: upper case; each dot-separated part capitalised; title case with a
    space either side."""
    style = rng.integers(0, 3, len(values))
    parts = values.str.split(".").list.eval(
        pl.element().str.slice(0, 1).str.to_uppercase()
        + pl.element().str.slice(1).str.to_lowercase()
    )
    frame = pl.DataFrame({"v": values, "style": style, "parts": parts})
    return frame.select(
        pl.when(pl.col("style") == 0)
        .then(pl.col("v").str.to_uppercase())
        .when(pl.col("style") == 1)
        .then(pl.col("parts").list.join("."))
        .otherwise(" " + pl.col("v").str.to_titlecase() + " ")
        .alias("email")
    )["email"]
