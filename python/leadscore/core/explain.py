"""Per-lead reasons: the top positive and negative SHAP contributions, in plain words.

Sentences come from seed feature_dictionary: `template` with {value} replaced by the
feature's value, or `template_if_zero` / `template_if_false` / `template_if_missing`
when the value is 0, false or missing. A text value reads as its label from
`Wording.labels` (channel and stage display names from the seeds), else with its
underscores as spaces; other {name} placeholders of a template (such as the scale of
a score) come from `Wording.placeholders`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from catboost import CatBoostClassifier, Pool

from leadscore.core.features import FeatureSpec
from leadscore.core.training import pool_for

REASONS = 3
# free text that looks like contact details: an e-mail (a token with @), a phone number
# (international +prefix, or three digit groups such as 555 010 2234) or a web address
# (scheme, www, or a domain ending); matched on raw and on normalised text ("acme io/x")
CONTACT_DETAILS = (
    r"(?i)\S@\S"
    r"|\+\s*\(?\d[\d\s().\-/]{5,}\d"
    r"|\(?\b\d{3}\)?[\s.\-/]*\d{3}[\s.\-/]+\d{4}\b"
    r"|://|\bwww[.\s]\S"
    r"|\b[a-z0-9-]+\.(?:com|net|org|io|co|ai|app|dev|biz|info|de|uk|fr|es|nl)\b"
    r"|\b[a-z0-9-]+\s(?:com|net|org|io|co|ai|app|dev|biz|info|de|uk|fr|es|nl)(?:/|$)"
)
WITHHELD = "[withheld: contact details]"
# rows per pool on the per-leaf path: CatBoost returns each pool's leaf indexes as a
# (rows x trees) uint32 array; small ones reuse their memory where 50,000-row ones (100
# MB at 500 trees) took fresh pages each time: the pools and leaf indexes of the 246k
# open leads at 1M, timed alone, 2.13 -> 1.51 s
LEAF_BATCH_ROWS = 4_096


@dataclass(frozen=True)
class Wording:
    """How values read in a sentence: labels per feature ({feature: {code: label}})
    and extra template placeholders ({name: text}, e.g. {"icp_fit_max": "85"})."""

    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    placeholders: Mapping[str, str] = field(default_factory=dict)

    def template(self, text: str) -> str:
        for name, value in self.placeholders.items():
            text = text.replace("{" + name + "}", value)
        return text

    def text_values(self, feature: str, values: pl.Expr) -> pl.Expr:
        """A text value as its label, else with underscores as spaces (no codes)."""
        plain = values.cast(pl.String).str.replace_all("_", " ")
        labels = self.labels.get(feature)
        if not labels:
            return plain
        return values.cast(pl.String).replace_strict(
            dict(labels), default=plain, return_dtype=pl.String
        )


class LeafShap:
    """CatBoost's SHAP values (ShapValues, Regular) summed tree by tree from per-leaf tables.

    A tree's SHAP values for a row depend only on the leaf the row reaches, so each
    tree's values are asked of CatBoost once per leaf (ShapValues of a one-tree copy of
    the model, on one row reaching the leaf) and looked up for every row. The sum over
    the trees is CatBoost's ShapValues for the whole model (SHAP is additive over trees;
    tests/python/test_explain.py compares the two). Per row it costs a lookup per tree
    and feature the tree splits on, where CatBoost adds a vector of every feature per
    tree: about a quarter of the CPU for a few hundred thousand open leads
    (docs/benchmarks.md). CatBoost cuts single trees out of symmetric (oblivious) models
    only, its default and this product's."""

    def __init__(self, model: CatBoostClassifier, block: int = 32) -> None:
        self.model = model
        self.leaf_counts = [int(c) for c in model.get_tree_leaf_counts()]
        self.trees: list[CatBoostClassifier] = []
        for start in range(0, len(self.leaf_counts), block):  # copy the model once a block
            end = min(start + block, len(self.leaf_counts))
            part = model.copy()
            part.shrink(ntree_end=end, ntree_start=start)
            for t in range(end - start):
                tree = part.copy()
                tree.shrink(ntree_end=t + 1, ntree_start=t)
                self.trees.append(tree)

    @staticmethod
    def supports(model: CatBoostClassifier) -> bool:
        return model.get_all_params().get("grow_policy", "SymmetricTree") == "SymmetricTree"

    def values(
        self,
        frame: pl.DataFrame,
        spec: FeatureSpec,
        batch_rows: int,
        sum_rows: int = 32_768,
        probabilities: np.ndarray | None = None,
        threads: int | None = None,
    ) -> np.ndarray:
        """SHAP contributions per row and feature (spec.names order), no expected value.
        `batch_rows`: rows per CatBoost pool (LEAF_BATCH_ROWS). `probabilities`, when
        given: filled with predict_proba's positive class. `threads`: how many threads
        compute the per-leaf tables and sum them (None: one per core this process may
        run on)."""
        n, trees = frame.height, len(self.trees)
        most = max(self.leaf_counts, default=1)
        leaves = np.empty((trees, n), dtype=np.uint8 if most <= 256 else np.uint32)
        for start in range(0, n, batch_rows):
            part = pool_for(frame.slice(start, batch_rows), spec)
            leaves[:, start : start + part.num_row()] = self.model.calc_leaf_indexes(part).T
            if probabilities is not None:
                probabilities[start : start + part.num_row()] = _positive(self.model, part)
        # the first row reaching each (tree, leaf): few rows between them reach them all
        reaching = np.full((trees, most), n)
        backwards = np.arange(n)[::-1]
        for t in range(trees):
            reaching[t, leaves[t, ::-1]] = backwards
        chosen = np.unique(reaching[reaching < n])
        examples = pool_for(frame[chosen], spec)

        def per_leaf(t: int) -> tuple[list[int], np.ndarray]:
            """Tree t's features with a value, and their values per leaf."""
            reached = np.flatnonzero(reaching[t] < n)
            at = np.searchsorted(chosen, reaching[t, reached]).tolist()
            shap = self.trees[t].get_feature_importance(
                data=examples.slice(at), type="ShapValues", thread_count=1
            )
            table = np.zeros((self.leaf_counts[t], shap.shape[1] - 1))
            table[reached] = shap[:, :-1]
            features = np.flatnonzero(np.any(table != 0, axis=0))
            return features.tolist(), np.ascontiguousarray(table[:, features].T)

        workers = max(1, threads if threads is not None else len(os.sched_getaffinity(0)))
        # a few rows per call: one CatBoost thread each, trees side by side (CatBoost
        # releases the GIL); in tree order
        with ThreadPoolExecutor(workers) as pool:
            used = list(pool.map(per_leaf, range(trees)))
        # summed over a block of rows at a time, into one reused buffer per thread:
        # looking up whole columns allocated fresh memory at each of the ~3,000 lookups
        # (system time for new pages) and missed the cache; 5.5 -> 5.0 s for 246k open
        # leads, 500 trees. The blocks are independent and numpy's lookups and sums
        # release the GIL, so `threads` threads each sum every threads-th block (the
        # same additions in the same order: the same values as one thread).
        out = np.empty((n, len(spec.names)))
        starts = list(range(0, n, sum_rows))
        shares = [starts[w::workers] for w in range(min(workers, len(starts)))]
        with ThreadPoolExecutor(workers) as pool:
            sums = [pool.submit(_sum_blocks, used, leaves, out, s, sum_rows) for s in shares]
            for done in sums:
                done.result()  # raises a worker's error
        return out


def _sum_blocks(
    used: list[tuple[list[int], np.ndarray]],
    leaves: np.ndarray,
    out: np.ndarray,
    starts: list[int],
    sum_rows: int,
) -> None:
    """LeafShap's sum for the blocks of rows beginning at `starts`, written into `out`:
    per tree, the per-leaf values of the leaf each row reaches, for each feature the
    tree gives a value."""
    n = out.shape[0]
    block = np.zeros((out.shape[1], min(n, sum_rows)))
    looked_up = np.empty(min(n, sum_rows))
    for start in starts:
        m = min(sum_rows, n - start)
        block[:, :m] = 0.0
        for t, (columns, per_leaf_values) in enumerate(used):
            rows = leaves[t, start : start + m]
            for j, per_leaf in zip(columns, per_leaf_values, strict=True):
                np.take(per_leaf, rows, out=looked_up[:m])
                block[j, :m] += looked_up[:m]
        out[start : start + m] = block[:, :m].T


def shap_values(
    model: CatBoostClassifier,
    spec: FeatureSpec,
    frame: pl.DataFrame,
    batch_rows: int = 50_000,
    per_leaf_from_rows: int = 20_000,
    probabilities: np.ndarray | None = None,
) -> np.ndarray:
    """SHAP contributions (log-odds) per row and feature, in spec.names order.
    `probabilities` (an array of frame.height), when given, is filled with the model's
    uncalibrated probabilities (predict_proba, the positive class) from the same pools,
    so scoring builds each pool once. From
    `per_leaf_from_rows` rows on through per-leaf tables (LeafShap: the same values,
    cheaper per row, with a fixed cost of one small CatBoost call per tree: at 500 trees
    the two cost the same wall time at about 20,000 rows); below, and for trees that
    are not symmetric, CatBoost's ShapValues directly."""
    if frame.height >= per_leaf_from_rows and LeafShap.supports(model):
        rows = min(batch_rows, LEAF_BATCH_ROWS)
        return LeafShap(model).values(frame, spec, rows, probabilities=probabilities)
    out = np.empty((frame.height, len(spec.names)), dtype=np.float64)
    for start in range(0, frame.height, batch_rows):
        pool = pool_for(frame.slice(start, batch_rows), spec)
        values = model.get_feature_importance(data=pool, type="ShapValues")
        out[start : start + pool.num_row()] = values[:, :-1]
        if probabilities is not None:
            probabilities[start : start + pool.num_row()] = _positive(model, pool)
    return out


def _positive(model: CatBoostClassifier, pool: Pool) -> np.ndarray:
    """The positive class's probability, as leadscore.core.training.predict takes it."""
    return model.predict_proba(pool)[:, 1]


def _format(value: pl.Expr) -> pl.Expr:
    """Integers plainly, large numbers with thousands separators, others to 1 decimal."""
    number = value.cast(pl.Float64, strict=False)
    rounded = number.round(0)
    integral = (number == rounded) | (number.abs() >= 100)
    as_int = rounded.cast(pl.Int64, strict=False)
    with_commas = as_int.map_elements(lambda x: f"{x:,}", return_dtype=pl.String)
    return (
        pl.when(number.is_null())
        .then(value.cast(pl.String))
        .when(integral & (number.abs() >= 10_000))
        .then(with_commas)
        .when(integral)
        .then(as_int.cast(pl.String))
        .otherwise(number.round(1).cast(pl.String))
    )


def scrub(text: pl.Expr) -> pl.Expr:
    """Free text as it may be shown in a reason: a value that looks like an e-mail,
    phone number or web address (a lead typed it into a form field) is withheld."""
    return pl.when(text.str.contains(CONTACT_DETAILS)).then(pl.lit(WITHHELD)).otherwise(text)


def _fill(template: str, text: pl.Expr) -> pl.Expr:
    """template with every {value} replaced by `text` (per row)."""
    parts = template.split("{value}")
    pieces: list[pl.Expr] = [pl.lit(parts[0])]
    for part in parts[1:]:
        pieces += [text, pl.lit(part)]
    return pl.concat_str(pieces)


def render(
    feature: str,
    values: pl.Series,
    dictionary: dict[str, dict[str, str]],
    wording: Wording | None = None,
) -> pl.Series:
    """Sentences for one feature's values."""
    wording = wording or Wording()
    dtype = values.dtype
    entry = dictionary.get(feature) or generic_entry(feature, dtype)
    template = wording.template(entry["template"])
    if_zero = wording.template(entry.get("template_if_zero") or template)
    if_false = wording.template(entry.get("template_if_false") or f"Not: {template}")
    if_missing = wording.template(entry.get("template_if_missing") or f"{feature} unknown")
    frame = pl.DataFrame({"v": values})
    if dtype == pl.Boolean:
        expr = (
            pl.when(pl.col("v").is_null())
            .then(pl.lit(if_missing))
            .when(pl.col("v"))
            .then(pl.lit(template))
            .otherwise(pl.lit(if_false))
        )
    elif dtype.is_numeric():
        text = _format(pl.col("v"))
        expr = (
            pl.when(pl.col("v").is_null())
            .then(pl.lit(if_missing))
            .when(pl.col("v") == 0)
            .then(pl.lit(if_zero.replace("{value}", "0")))
            .otherwise(_fill(template, text))
        )
    else:
        expr = (
            pl.when(pl.col("v").is_null())
            .then(pl.lit(if_missing))
            .otherwise(_fill(template, scrub(wording.text_values(feature, pl.col("v")))))
        )
    return frame.select(_singular(expr).alias("s"))["s"]


def generic_entry(feature: str, dtype: pl.DataType) -> dict[str, str]:
    """Templates for a feature without a dictionary row (flat exports' columns):
    'industry is Retail', 'visits = 12', 'opted in: yes', 'industry not given'."""
    words = feature.replace("_", " ").strip()
    if dtype == pl.Boolean:
        return {
            "template": f"{words}: yes",
            "template_if_false": f"{words}: no",
            "template_if_missing": f"{words} not given",
        }
    if dtype.is_numeric():
        return {"template": f"{words} = {{value}}", "template_if_missing": f"{words} not given"}
    return {"template": f"{words} is {{value}}", "template_if_missing": f"{words} not given"}


def _singular(sentence: pl.Expr) -> pl.Expr:
    """'1 times' -> 'once', '1 days' -> '1 day', '1 hours' -> '1 hour'."""
    return (
        sentence.str.replace_all(r"\b1 times\b", "once")
        .str.replace_all(r"\b1 days\b", "1 day")
        .str.replace_all(r"\b1 hours\b", "1 hour")
    )


def _json_value(values: pl.Series) -> pl.Series:
    """The value as it goes into reasons_json: floats to 4 decimals (as Float64: a
    Float32's JSON text drops digits), text with contact details withheld."""
    if values.dtype.is_float():
        return values.cast(pl.Float64).round(4)
    if values.dtype.is_numeric() or values.dtype == pl.Boolean:
        return values
    text = pl.DataFrame({"v": values.cast(pl.String)})
    return text.select(scrub(pl.col("v")).alias("v"))["v"]


def _reason_objects(
    direction: str, rank: int, feature: str, values: pl.Series, contribution, sentences
) -> pl.Series:
    """One JSON object per row, {direction, rank, feature, value, contribution,
    sentence}, encoded by polars (the rows share a feature, so the value has one type)."""
    frame = pl.DataFrame(
        {
            "value": _json_value(values),
            "contribution": pl.Series(np.round(contribution, 4), dtype=pl.Float64),
            "sentence": pl.Series(sentences, dtype=pl.String),
        }
    )
    fields = pl.struct(
        pl.lit(direction, dtype=pl.String).alias("direction"),
        pl.lit(rank, dtype=pl.Int64).alias("rank"),
        pl.lit(feature, dtype=pl.String).alias("feature"),
        "value",
        "contribution",
        "sentence",
    )
    return frame.select(fields.struct.json_encode()).to_series()


def largest_first(
    values: np.ndarray, k: int, negate: bool = False, block_rows: int = 32_768
) -> np.ndarray:
    """Per row, the column indices of the k largest values (of -values with `negate`),
    largest first, ties by lower index: np.argsort(-values, kind="stable")[:, :k] for
    finite values (SHAP values are), without sorting: k passes of argmax (which takes
    the first of tied maxima), each pick then set to -inf, in a copy of a block of rows
    at a time (one reused buffer: a copy of the whole matrix cost more in fresh memory
    than the passes). At 246k rows x 117 columns and k = 3: about 0.2 s, where a
    partition of every row took 0.4-0.75 s."""
    n, width = values.shape
    if k <= 0 or n == 0:
        return np.zeros((n, min(max(k, 0), width)), dtype=np.intp)
    if k >= width:
        return np.argsort(values if negate else -values, axis=1, kind="stable")[:, :k]
    top = np.empty((n, k), dtype=np.intp)
    buffer = np.empty((min(n, block_rows), width))
    for start in range(0, n, block_rows):
        m = min(block_rows, n - start)
        left = buffer[:m]
        if negate:
            np.negative(values[start : start + m], out=left)
        else:
            left[:] = values[start : start + m]
        rows = np.arange(m)
        for j in range(k):
            picked = left.argmax(axis=1)
            top[start : start + m, j] = picked
            left[rows, picked] = -np.inf
    return top


def _placed(n: int, rows: np.ndarray, parts: list[pl.Series]) -> pl.Series:
    """A text column of n rows: the parts' values at `rows` (in order), null elsewhere."""
    column = pl.repeat(None, n, dtype=pl.String, eager=True)
    return column.scatter(rows, pl.concat(parts)) if parts else column


def reasons(
    contributions: np.ndarray,
    spec: FeatureSpec,
    frame: pl.DataFrame,
    dictionary: pl.DataFrame,
    k: int = REASONS,
    wording: Wording | None = None,
) -> pl.DataFrame:
    """Columns positive_reason_1..k, negative_reason_1..k and reasons_json per row:
    a JSON list of {direction, rank, feature, value, contribution, sentence}, positive
    reasons first. Vectorised per feature (a Python loop per lead took 10 s at 250k)."""
    entries = {row["feature"]: row for row in dictionary.to_dicts()}
    names = list(spec.names)
    n = frame.height
    width = contributions.shape[1]
    # most positive first (ties: lower feature index first) and most negative first
    # (ties: higher index first): the order of a stable argsort and of its reverse
    positive = largest_first(contributions, k)
    negative = width - 1 - largest_first(contributions[:, ::-1], k, negate=True)
    columns: dict[str, pl.Series] = {}
    items: list[pl.Series] = []
    for direction, picks in (("positive", positive), ("negative", negative)):
        for j in range(min(k, len(names))):
            feature_idx = picks[:, j]
            contrib = contributions[np.arange(n), feature_idx]
            kept = np.flatnonzero(contrib > 0 if direction == "positive" else contrib < 0)
            # the kept rows grouped by feature: one sentence template per group
            kept = kept[np.argsort(feature_idx[kept], kind="stable")]
            features, starts = np.unique(feature_idx[kept], return_index=True)
            sentences, objects = [], []
            groups = np.split(kept, starts[1:]) if kept.size else []
            for f, rows in zip(features, groups, strict=True):
                values = frame[names[f]].gather(rows)
                rendered = render(names[f], values, entries, wording)
                sentences.append(rendered)
                objects.append(
                    _reason_objects(direction, j + 1, names[f], values, contrib[rows], rendered)
                )
            columns[f"{direction}_reason_{j + 1}"] = _placed(n, kept, sentences)
            items.append(_placed(n, kept, objects).alias(f"i{len(items)}"))
        for j in range(len(names), k):  # fewer features than reasons (small flat exports)
            columns[f"{direction}_reason_{j + 1}"] = pl.repeat(None, n, dtype=pl.String, eager=True)
    # the row's objects in order (positive first, by rank) as one JSON array (a row
    # without reasons: [])
    if items:
        listed = pl.concat_str(pl.all(), separator=",", ignore_nulls=True).fill_null("")
        reasons_json = (
            pl.DataFrame(items).select(pl.concat_str(pl.lit("["), listed, pl.lit("]"))).to_series()
        )
    else:
        reasons_json = pl.repeat("[]", n, dtype=pl.String, eager=True)
    return pl.DataFrame({**columns, "reasons_json": reasons_json})
