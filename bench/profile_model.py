"""Time one SQL model of a benchmark database on its own, and show where its time goes.

    .venv/bin/python bench/profile_model.py data/bench/1000000 int_events_checked

Runs the model's compiled SQL (from the bench's target_scoring or target_full folder)
as `create table` into a scratch DuckDB file, with the build's settings (2 threads,
memory_limit 5GB, UTC), reading the bench database read-only; prints the wall time,
the row count and the operators that took longest (DuckDB's profiler). Compile after
editing a model with `dbt compile -s MODEL --target-path WORK/target_scoring ...`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import duckdb


def compiled_sql(work: Path, model: str) -> str:
    for target in ("target_scoring", "target_full"):
        found = sorted((work / target / "compiled").rglob(f"{model}.sql"))
        if found:
            return found[0].read_text()
    raise SystemExit(f"no compiled {model}.sql under {work}/target_*/compiled: run the bench first")


def operators(node: dict, depth: int = 0, floor: float = 0.5):
    seconds = node.get("timing", 0.0)
    if seconds >= floor:
        info = node.get("extra_info", {})
        detail = info.get("Conditions") or info.get("Groups") or info.get("Function") or ""
        yield depth, node.get("type"), seconds, node.get("intermediate_rows"), str(detail)[:80]
    for child in node.get("children", []):
        yield from operators(child, depth + 1, floor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, help="a bench size folder, e.g. data/bench/1000000")
    parser.add_argument("model", help="model name, e.g. int_events_checked")
    args = parser.parse_args()
    sql = compiled_sql(args.work, args.model)
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "scratch.duckdb"))
        con.execute("set threads = 2; set memory_limit = '5GB'; set TimeZone = 'UTC'")
        con.execute(f"attach '{args.work / 'leadscore.duckdb'}' as leadscore (read_only)")
        profile = Path(tmp) / "profile.json"
        con.execute(f"pragma enable_profiling = 'json'; pragma profiling_output = '{profile}'")
        started = time.perf_counter()
        con.execute(f"create table profiled as {sql}")
        seconds = time.perf_counter() - started
        con.execute("pragma disable_profiling")
        rows = con.execute("select count(*) from profiled").fetchone()[0]
        print(f"{args.model}: {seconds:.1f} s, {rows:,} rows")
        tree = json.loads(profile.read_text())
        for root in tree.get("operator", [tree]):
            for depth, name, op_seconds, op_rows, detail in operators(root):
                print(f"{'  ' * depth}{name} {op_seconds:.1f} s, {op_rows or 0:,} rows {detail}")


if __name__ == "__main__":
    main()
