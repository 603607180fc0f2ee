"""Engine parity: move dbt model tables between DuckDB and Spark and compare them.

The project builds on DuckDB (the default) and on Apache Spark (`--target spark`). This
module reads a model's table from either engine into polars, copies DuckDB tables into
the Spark warehouse under the relation names dbt's spark target uses, and compares the
two engines' tables row for row.

Comparison rules (`compare_frames`):

- column names are lower-cased; both sides must have the same column set (missing and
  extra columns are reported); the columns of `EXCLUDED_COLUMNS[model]` and
  `ENGINE_COLUMNS[model]` are dropped first;
- integers, decimals and floats become float64 and are equal when
  ``|a - b| <= ABS_TOL + REL_TOL * max(|a|, |b|)`` (NaN equals NaN); timestamps become
  naive UTC microseconds, dates stay dates, booleans stay booleans, strings are compared
  exactly; a list of numbers becomes one float column per position (``name[1]``, ...,
  up to the longest list; each engine sums floats in its own order), other nested
  values (lists, structs) are compared as their JSON text; NULL equals only NULL;
- rows are sorted by every column (nulls first; floats rounded to `SORT_DIGITS`
  significant digits for the sort only, so values equal within the tolerance sort
  together) and compared row for row: row order does not matter, duplicates do.

Relation names come from dbt's manifest (`dbt parse --target spark` writes
target/manifest.json): each node's schema and alias. On DuckDB, a node without a custom
schema lives in `main` (the duckdb target's default schema); on Spark in the spark
target's schema.

CLI:

    python -m leadscore.engines.parity copy --duckdb data/leadscore.duckdb --models a,b
    python -m leadscore.engines.parity copy --duckdb data/leadscore.duckdb --upstream-of m
    python -m leadscore.engines.parity compare --duckdb data/leadscore.duckdb [--models a,b]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

# a value pair is equal when |a - b| <= ABS_TOL + REL_TOL * max(|a|, |b|): the engines
# sum floats in a different order (parallel aggregation), so the last bits may differ
ABS_TOL = 1e-9
REL_TOL = 1e-6
# floats are rounded to this many significant digits for the row sort only
SORT_DIGITS = 6

# Columns whose value depends on WHEN (or in which process) the build ran, not on the data;
# found by building the same demo twice on DuckDB and comparing (that comparison is equal
# with exactly these exclusions; tests/python/test_spark_parity.py). Model name -> columns.
# model_id is "m_<training time>_<fingerprint>" (the fingerprint is compared in
# ml_model_registry.model_fingerprint); search_json holds each candidate's fit seconds
_MODEL = ("model_id",)
EXCLUDED_COLUMNS: dict[str, tuple[str, ...]] = {
    # the build's id and start time
    "data_quality": ("build_id", "built_at"),
    "model_health": ("build_id", "built_at", "model_id"),
    # when the events were checked (the incremental high-water mark)
    "int_events_checked": ("checked_at",),
    "int_lead_activity_daily": ("checked_through",),
    "int_lead_engagement_windows": ("checked_through",),
    "int_lead_rules_scores": ("checked_through",),
    "ml_holdout_predictions": _MODEL,
    # when the model was trained and when it scored
    "ml_model_registry": ("model_id", "trained_at", "search_json"),
    "ml_lead_predictions": ("model_id", "scored_at"),
    "lead_scores": ("model_id", "scored_at"),
    **{
        m: _MODEL
        for m in (
            "ml_model_evaluation",
            "ml_threshold_evaluation",
            "ml_feature_importance",
            "int_holdout_examples_tiered",
            "calibration_deciles",
            "feature_importance",
            "funnel_by_tier",
            "model_performance",
            "threshold_performance",
            "tier_performance",
        )
    },
    # when the snapshot recorded a score or tier (dbt_valid_from) and what follows from it
    "score_history": ("model_id", "valid_from"),
    "sales_queue": ("tier_entered_at", "follow_up_due_at"),
    "crm_lead_sync": (
        "ml_model_id",
        "score_updated_at",
        "ml_tier_entered_at",
        "ml_follow_up_due_at",
    ),
}

# Columns each engine computes with its own function, equal between two builds on one
# engine (tests/python/test_spark_parity.py checks that) but not across engines: a row
# hash (DuckDB `hash`, Spark `xxhash64`). Dropped, as EXCLUDED_COLUMNS, by compare_models.
ENGINE_COLUMNS: dict[str, tuple[str, ...]] = {
    "ml_holdout_predictions": ("features_hash",),
}

DUCKDB_DEFAULT_SCHEMA = "main"
PROJECT = Path(__file__).resolve().parents[3]


# -- relations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """One dbt node's table: its name, resource type, schema and alias on each engine."""

    name: str
    resource_type: str
    spark_schema: str
    duckdb_schema: str
    alias: str
    parents: tuple[str, ...] = ()
    materialized: str = ""

    @property
    def spark_name(self) -> str:
        return f"`{self.spark_schema}`.`{self.alias}`"

    @property
    def duckdb_name(self) -> str:
        return f'"{self.duckdb_schema}"."{self.alias}"'


def load_relations(manifest: Path) -> dict[str, Relation]:
    """Relations of the enabled models, seeds and snapshots in a dbt manifest, by name."""
    data = json.loads(Path(manifest).read_text())
    by_id = {**data.get("nodes", {}), **data.get("sources", {})}
    out: dict[str, Relation] = {}
    for node in data.get("nodes", {}).values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        custom = (node.get("config") or {}).get("schema")
        parents = tuple(
            by_id[p]["name"] if p in by_id else p
            for p in (node.get("depends_on") or {}).get("nodes", [])
        )
        out[node["name"]] = Relation(
            name=node["name"],
            resource_type=node["resource_type"],
            spark_schema=node["schema"],
            duckdb_schema=node["schema"] if custom else DUCKDB_DEFAULT_SCHEMA,
            alias=node.get("alias") or node["name"],
            parents=parents,
            materialized=(node.get("config") or {}).get("materialized", ""),
        )
    return out


def comparable_models(relations: dict[str, Relation]) -> list[str]:
    """Every enabled model (SQL and Python) that builds a relation; snapshots are left
    out (on OSS Spark they need Delta / Iceberg / Hudi jars) and so are ephemeral models."""
    return sorted(
        r.name
        for r in relations.values()
        if r.resource_type == "model" and r.materialized != "ephemeral"
    )


# -- reading ----------------------------------------------------------------------------


def read_duckdb(db: Path | str, relation: Relation) -> pl.DataFrame:
    """A relation of a DuckDB database file as a polars frame (read-only)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(f"select * from {relation.duckdb_name}").pl()
    finally:
        con.close()


def spark_settings() -> dict[str, str]:
    """The spark target's session settings (profiles.yml), from the same env vars and
    defaults; the warehouse path is resolved like dbt resolves it (from the working
    directory, which is the project directory when dbt runs)."""
    warehouse = os.environ.get("SPARK_WAREHOUSE", "data/spark/warehouse")
    return {
        "spark.master": os.environ.get("SPARK_MASTER", "local[2]"),
        "spark.sql.warehouse.dir": warehouse,
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={warehouse}/../metastore_db;create=true"
        ),
        "spark.driver.memory": os.environ.get("SPARK_DRIVER_MEMORY", "4g"),
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "4",
    }


def spark_session():
    """A SparkSession on the spark target's warehouse and metastore (Hive support, as
    dbt-spark's session method builds it). Only one process may hold the Derby metastore:
    do not run it while dbt runs on the same warehouse."""
    from pyspark.sql import SparkSession

    from leadscore.engines.dbt_spark import quiet_spark_log

    quiet_spark_log()
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_settings().items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def read_spark(spark, relation: Relation) -> pl.DataFrame:
    """A relation of the Spark warehouse as a polars frame (through Arrow)."""
    frame = pl.from_arrow(spark.table(relation.spark_name).toArrow())
    assert isinstance(frame, pl.DataFrame)
    return frame


def write_spark(spark, relation: Relation, frame: pl.DataFrame) -> None:
    """Write a frame as the relation's parquet table (replacing it), as dbt's spark target
    would have built it. Naive timestamps are UTC (both targets run in UTC)."""
    frame = frame.with_columns(
        pl.col(c).dt.replace_time_zone("UTC")
        for c, t in frame.schema.items()
        if isinstance(t, pl.Datetime) and t.time_zone is None
    )
    spark.sql(f"create database if not exists `{relation.spark_schema}`")
    spark.sql(f"drop table if exists {relation.spark_name}")
    if frame.height == 0:
        # an empty Arrow table loses no type, but Spark needs a schema for no rows
        from pyspark.sql.pandas.types import from_arrow_schema

        df = spark.createDataFrame([], from_arrow_schema(frame.to_arrow().schema))
    else:
        df = spark.createDataFrame(frame.to_arrow())
    df.write.format("parquet").saveAsTable(relation.spark_name)


# -- comparison -------------------------------------------------------------------------


@dataclass
class Comparison:
    """The result of comparing one model's table on two engines."""

    model: str
    rows_left: int | None = None
    rows_right: int | None = None
    missing_columns: list[str] = field(default_factory=list)  # in left, not in right
    extra_columns: list[str] = field(default_factory=list)  # in right, not in left
    differing_columns: list[str] = field(default_factory=list)
    max_abs_diff: float = 0.0
    excluded: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.reasons

    @property
    def verdict(self) -> str:
        return "equal" if self.equal else "DIFFERS"

    def line(self, left: str = "duckdb", right: str = "spark") -> str:
        rows = f"rows {left} {_n(self.rows_left)} / {right} {_n(self.rows_right)}"
        cols = ",".join(self.differing_columns) or "-"
        text = (
            f"{self.model:<36} {rows:<28} differing: {cols:<24} "
            f"max abs diff {self.max_abs_diff:.3g}  {self.verdict}"
        )
        if self.reasons:
            text += "\n    " + "\n    ".join(self.reasons + self.examples)
        return text


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def _is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric()


def normalise(frame: pl.DataFrame, exclude: tuple[str, ...] = ()) -> pl.DataFrame:
    """Lower-case names, drop `exclude`, and bring every column to a comparable type."""
    frame = frame.rename({c: c.lower() for c in frame.columns})
    frame = frame.drop([c for c in exclude if c in frame.columns])
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if _is_numeric(dtype):
            exprs.append(col.cast(pl.Float64))
        elif isinstance(dtype, pl.Datetime):
            if dtype.time_zone is not None:
                col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            exprs.append(col.dt.cast_time_unit("us"))
        elif isinstance(dtype, (pl.List, pl.Array)) and dtype.inner.is_numeric():
            values = col.cast(pl.List(pl.Float64))
            longest = int(frame.select(values.list.len().max()).item() or 0)
            exprs.extend(
                values.list.get(i, null_on_oob=True).alias(f"{name}[{i + 1}]")
                for i in range(longest)
            )
        elif isinstance(dtype, (pl.List, pl.Array, pl.Struct)):
            exprs.append(
                pl.when(col.is_null())
                .then(None)
                .otherwise(pl.struct(col.alias("v")).struct.json_encode())
                .alias(name)
            )
        elif dtype in (pl.Categorical, pl.Enum) or isinstance(dtype, (pl.Categorical, pl.Enum)):
            exprs.append(col.cast(pl.String))
        else:
            exprs.append(col)
    return frame.select(exprs)


def _sort_key(frame: pl.DataFrame) -> pl.DataFrame:
    """Sort by every column: non-float columns first, then floats rounded to SORT_DIGITS
    significant digits, so values equal within the tolerance do not reorder rows."""
    plain = [c for c, t in frame.schema.items() if t != pl.Float64]
    floats = [c for c, t in frame.schema.items() if t == pl.Float64]
    keys = [pl.col(c) for c in plain] + [
        pl.col(c).round_sig_figs(SORT_DIGITS).fill_nan(None).alias(f"__k{i}")
        for i, c in enumerate(floats)
    ]
    if not keys:
        return frame
    return frame.sort(keys, nulls_last=False, maintain_order=True)


def _column_mismatch(a: pl.Series, b: pl.Series) -> tuple[pl.Series, float]:
    """Per-row mismatch mask of two aligned columns and the largest absolute difference."""
    if a.dtype == pl.Float64 and b.dtype == pl.Float64:
        frame = pl.DataFrame({"a": a, "b": b})
        diff = (pl.col("a") - pl.col("b")).abs()
        tol = ABS_TOL + REL_TOL * pl.max_horizontal(pl.col("a").abs(), pl.col("b").abs())
        both_nan = pl.col("a").is_nan() & pl.col("b").is_nan()
        out = frame.select(
            mismatch=pl.when(pl.col("a").is_null() | pl.col("b").is_null())
            .then(pl.col("a").is_null() != pl.col("b").is_null())
            .when(both_nan)
            .then(False)
            .otherwise((diff > tol) | (pl.col("a").is_nan() != pl.col("b").is_nan())),
            diff=pl.when(both_nan | diff.is_nan()).then(None).otherwise(diff),
        )
        max_diff = out["diff"].max()
        return out["mismatch"], float(max_diff) if isinstance(max_diff, float) else 0.0
    return ~a.eq_missing(b), 0.0


def compare_frames(
    model: str,
    left: pl.DataFrame,
    right: pl.DataFrame,
    exclude: tuple[str, ...] = (),
    names: tuple[str, str] = ("duckdb", "spark"),
    max_examples: int = 3,
) -> Comparison:
    """Compare two engines' tables of one model (rules in the module docstring)."""
    result = Comparison(model, rows_left=left.height, rows_right=right.height)
    result.excluded = sorted(c.lower() for c in exclude)
    a, b = normalise(left, exclude), normalise(right, exclude)
    result.missing_columns = [c for c in a.columns if c not in b.columns]
    result.extra_columns = [c for c in b.columns if c not in a.columns]
    if result.missing_columns:
        result.reasons.append(f"columns missing on {names[1]}: {', '.join(result.missing_columns)}")
    if result.extra_columns:
        result.reasons.append(f"columns only on {names[1]}: {', '.join(result.extra_columns)}")
    common = [c for c in a.columns if c in b.columns]
    for c in common:
        ta, tb = a.schema[c], b.schema[c]
        if ta != tb and pl.Null not in (ta, tb):
            try:  # e.g. a date on one side, a timestamp on the other
                b = b.with_columns(pl.col(c).cast(ta))
            except pl.exceptions.PolarsError:
                result.differing_columns.append(c)
                result.reasons.append(f"column {c}: type {ta} on {names[0]}, {tb} on {names[1]}")
        elif pl.Null in (ta, tb):
            target = tb if ta == pl.Null else ta
            a, b = a.with_columns(pl.col(c).cast(target)), b.with_columns(pl.col(c).cast(target))
    common = [c for c in common if c not in result.differing_columns]
    a, b = _sort_key(a.select(common)), _sort_key(b.select(common))

    if a.height != b.height:
        result.reasons.append(f"row count: {names[0]} {a.height}, {names[1]} {b.height}")
        result.examples.extend(_unmatched_rows(a, b, names, max_examples))
        return result

    bad_rows = pl.Series("bad", [False] * a.height, dtype=pl.Boolean)
    for c in common:
        mismatch, max_diff = _column_mismatch(a[c], b[c])
        result.max_abs_diff = max(result.max_abs_diff, max_diff)
        if mismatch.any():
            result.differing_columns.append(c)
            n = int(mismatch.sum())
            i = int(mismatch.arg_true()[0])
            result.reasons.append(
                f"column {c}: {n} of {a.height} rows differ "
                f"(first: {names[0]} {a[c][i]!r}, {names[1]} {b[c][i]!r})"
            )
            bad_rows = bad_rows | mismatch
    for i in bad_rows.arg_true().head(max_examples):
        result.examples.append(f"{names[0]} row: {a.row(int(i), named=True)}")
        result.examples.append(f"{names[1]} row: {b.row(int(i), named=True)}")
    return result


def _unmatched_rows(
    a: pl.DataFrame, b: pl.DataFrame, names: tuple[str, str], limit: int
) -> list[str]:
    """Rows (as a multiset, floats rounded for matching) found on one side only."""

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        key = pl.struct(
            [
                pl.col(c).round_sig_figs(SORT_DIGITS) if t == pl.Float64 else pl.col(c)
                for c, t in frame.schema.items()
            ]
        ).struct.json_encode()
        return frame.with_columns(__key=key, __n=pl.int_range(pl.len()).over(key))

    ka, kb = keyed(a), keyed(b)
    only_a = ka.join(kb.select("__key", "__n"), on=["__key", "__n"], how="anti")
    only_b = kb.join(ka.select("__key", "__n"), on=["__key", "__n"], how="anti")
    out = []
    for label, rows in ((names[0], only_a), (names[1], only_b)):
        if rows.height:
            out.append(f"{rows.height} row(s) only on {label}, e.g.:")
            for row in rows.drop("__key", "__n").head(limit).iter_rows(named=True):
                out.append(f"  {row}")
    return out


# -- CLI ------------------------------------------------------------------------------


def _parse_names(text: str | None) -> list[str]:
    return [n.strip() for n in (text or "").split(",") if n.strip()]


def _select(relations: dict[str, Relation], models: list[str], upstream_of: list[str]) -> list[str]:
    unknown = [m for m in models + upstream_of if m not in relations]
    if unknown:
        raise SystemExit(f"not in the manifest (or disabled): {', '.join(unknown)}")
    names = list(models)
    for m in upstream_of:
        names.extend(p for p in relations[m].parents if p in relations)
    return list(dict.fromkeys(names))


def cmd_copy(args) -> int:
    relations = load_relations(args.manifest)
    names = _select(relations, _parse_names(args.models), _parse_names(args.upstream_of))
    if not names:
        raise SystemExit("nothing to copy: give --models and/or --upstream-of")
    spark = spark_session()
    for name in names:
        frame = read_duckdb(args.duckdb, relations[name])
        write_spark(spark, relations[name], frame)
        print(f"copied {name}: {frame.height} rows -> {relations[name].spark_name}", flush=True)
    return 0


def compare_models(
    relations: dict[str, Relation],
    models: list[str],
    read_left: Callable[[Relation], pl.DataFrame],
    read_right: Callable[[Relation], pl.DataFrame],
    names: tuple[str, str] = ("duckdb", "spark"),
) -> list[Comparison]:
    """Compare each model's table read by `read_left` with the one read by `read_right`
    (excluding the model's EXCLUDED_COLUMNS and ENGINE_COLUMNS); a table that cannot be
    read is a mismatch."""
    results = []
    for name in models:
        rel = relations[name]
        exclude = EXCLUDED_COLUMNS.get(name, ()) + ENGINE_COLUMNS.get(name, ())
        try:
            left = read_left(rel)
        except Exception as exc:  # reported as the model's verdict
            results.append(_failed(name, f"cannot read on {names[0]}: {_first_line(exc)}"))
            continue
        try:
            right = read_right(rel)
        except Exception as exc:
            reason = f"cannot read on {names[1]}: {_first_line(exc)}"
            results.append(_failed(name, reason, left.height))
            continue
        results.append(compare_frames(name, left, right, exclude, names))
    return results


def _failed(name: str, reason: str, rows_left: int | None = None) -> Comparison:
    result = Comparison(name, rows_left=rows_left)
    result.reasons.append(reason)
    return result


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def summary(results: list[Comparison]) -> str:
    equal = sum(r.equal for r in results)
    excluded = sum(len(r.excluded) for r in results)
    return (
        f"parity: {len(results)} models compared, {equal} equal, "
        f"{len(results) - equal} differ; {excluded} excluded columns"
    )


def cmd_compare(args) -> int:
    relations = load_relations(args.manifest)
    names = _select(relations, _parse_names(args.models), [])
    names = names or comparable_models(relations)
    spark = spark_session()
    results = compare_models(
        relations,
        names,
        lambda rel: read_duckdb(args.duckdb, rel),
        lambda rel: read_spark(spark, rel),
    )
    for r in results:
        print(r.line(), flush=True)
    print(summary(results))
    return 0 if all(r.equal for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leadscore.engines.parity",
        description="Copy dbt model tables from DuckDB into Spark, or compare the two.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("copy", "copy DuckDB tables into the Spark warehouse under dbt's relation names"),
        ("compare", "compare each model's DuckDB and Spark tables; non-zero exit on a mismatch"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--duckdb", required=True, type=Path, help="the DuckDB database file")
        p.add_argument(
            "--manifest",
            type=Path,
            default=PROJECT / "target" / "manifest.json",
            help="dbt manifest of the spark target (dbt parse --target spark)",
        )
        p.add_argument("--models", help="comma-separated model/seed names")
        if name == "copy":
            p.add_argument(
                "--upstream-of", help="comma-separated models: copy their direct parents"
            )
    args = parser.parse_args(argv)
    if not args.duckdb.exists():
        raise SystemExit(f"no DuckDB database at {args.duckdb}")
    if not args.manifest.exists():
        raise SystemExit(f"no manifest at {args.manifest}: run `dbt parse --target spark`")
    return cmd_copy(args) if args.command == "copy" else cmd_compare(args)


if __name__ == "__main__":
    sys.exit(main())
