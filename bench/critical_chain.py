"""The longest chain of a dbt build: the nodes its wall time waited on, one after another.

    .venv/bin/python bench/critical_chain.py data/bench/1000000/target_daily

Reads a target folder's run_results.json and manifest.json. A node's chain is its own
time (compile + execute) plus the longest chain among what it waits for: its parents
and, as `dbt build` runs a model's data tests before its children, the tests of those
parents (a test on one model only; a test across two models waits for both and holds
up neither). Prints the chain's node time against the build's span (first start to
last end): the gap is time a node was ready but waited for a dbt thread. Shortening a
node off the chain does not shorten the build.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

TESTS = ("test.", "unit_test.")


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def node_times(run_results: dict) -> dict[str, tuple[datetime, datetime]]:
    """(start, end) of every node that ran: compile start (or execute) to execute end."""
    times = {}
    for result in run_results["results"]:
        timing = {t["name"]: t for t in result["timing"]}
        if "execute" not in timing or not timing["execute"].get("completed_at"):
            continue
        first = timing.get("compile", timing["execute"])
        times[result["unique_id"]] = (
            _when(first["started_at"]),
            _when(timing["execute"]["completed_at"]),
        )
    return times


def critical_chain(run_results: dict, manifest: dict) -> tuple[list[tuple[str, float]], float]:
    """The longest chain as [(unique_id, seconds)] from first to last, and the span."""
    times = node_times(run_results)
    seconds = {n: (end - start).total_seconds() for n, (start, end) in times.items()}
    parents = manifest["parent_map"]
    tests_of: dict[str, list[str]] = {}
    for node, its_parents in parents.items():
        if node.startswith(TESTS) and len(its_parents) == 1 and node in seconds:
            tests_of.setdefault(its_parents[0], []).append(node)

    def waits_for(node: str) -> list[str]:
        direct = [p for p in parents.get(node, []) if p in seconds]
        if node.startswith(TESTS):
            return direct
        return direct + [t for p in direct for t in tests_of.get(p, [])]

    longest: dict[str, tuple[float, list[str]]] = {}
    # in order of start: what a node waits for started before it
    for node in sorted(seconds, key=lambda n: times[n][0]):
        before = [longest[p] for p in waits_for(node) if p in longest]
        length, chain = max(before, key=lambda c: c[0], default=(0.0, []))
        longest[node] = (length + seconds[node], [*chain, node])
    if not longest:
        return [], 0.0
    _, chain = max(longest.values(), key=lambda c: c[0])
    span = (
        max(end for _, end in times.values()) - min(start for start, _ in times.values())
    ).total_seconds()
    return [(n, seconds[n]) for n in chain], span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="a dbt target folder after `dbt build`")
    parser.add_argument("--min-seconds", type=float, default=0.0, help="hide shorter nodes")
    args = parser.parse_args()
    run_results = json.loads((args.target / "run_results.json").read_text())
    manifest = json.loads((args.target / "manifest.json").read_text())
    chain, span = critical_chain(run_results, manifest)
    total = sum(s for _, s in chain)
    print(
        f"longest chain: {total:.1f} s of node time in a build span of {span:.1f} s "
        f"({len(chain)} nodes; {span - total:.1f} s between them: waiting for a dbt "
        "thread, or dbt's own work)"
    )
    for node, seconds in chain:
        if seconds >= args.min_seconds:
            print(f"{seconds:8.2f}  {node}")


if __name__ == "__main__":
    main()
