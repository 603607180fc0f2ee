"""CPU seconds per node of a dbt build: where a 2-core build's CPU goes.

    .venv/bin/python bench/node_cpu.py TARGET -- .venv/bin/dbt build --target-path TARGET ...

Runs the command and samples its process's CPU time (user + system, all threads:
DuckDB and the Python models run inside dbt's process) every `--every` seconds from
/proc. After it ends, each sample's CPU is shared among the nodes that ran in that
interval (by the time each overlapped it) according to TARGET's run_results.json;
CPU while no node ran (parsing, dbt's own work between nodes, the close) is its own
line. Prints the nodes with the most CPU, their wall seconds and the totals.

On 2 cores a build's span cannot be shorter than its CPU over 2: when the two are
close, only less CPU makes the build faster (bench/critical_chain.py shows the
chain, this shows the cost).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from critical_chain import node_times

OUTSIDE = "(no node running: parse, dbt between nodes, close)"
TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` and its waited-for children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # after the name: state is field 3; utime, stime, cutime, cstime are fields 14-17
    return sum(int(v) for v in fields[11:15]) / TICKS


def attribute(
    samples: list[tuple[float, float]], intervals: dict[str, tuple[float, float]]
) -> dict[str, float]:
    """CPU seconds per node. `samples`: (epoch seconds, cumulative CPU seconds), in time
    order; `intervals`: node -> (start, end) in epoch seconds. The CPU of each pair of
    samples is shared among the nodes overlapping it, in proportion to the overlap;
    without one, it goes to OUTSIDE."""
    cpu: dict[str, float] = {}
    for (t0, c0), (t1, c1) in pairwise(samples):
        spent = c1 - c0
        overlaps = {
            node: min(end, t1) - max(start, t0)
            for node, (start, end) in intervals.items()
            if start < t1 and end > t0
        }
        total = sum(overlaps.values())
        if total <= 0:
            cpu[OUTSIDE] = cpu.get(OUTSIDE, 0.0) + spent
            continue
        for node, overlap in overlaps.items():
            cpu[node] = cpu.get(node, 0.0) + spent * overlap / total
    return cpu


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path, help="the build's --target-path")
    parser.add_argument("--every", type=float, default=0.05, help="sampling interval, s")
    parser.add_argument("--top", type=int, default=30)
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args, command = parser.parse_args(argv[:split]), argv[split + 1 :]
    if not command:
        parser.error("give the dbt command after --")
    started = time.time()
    proc = subprocess.Popen(command)
    samples = [(started, 0.0)]
    while True:
        # the last sample from the ended process's own accounting (its /proc entry goes)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            samples.append((time.time(), usage.ru_utime + usage.ru_stime))
            break
        used = process_cpu(proc.pid)
        if used is not None:
            samples.append((time.time(), used))
        time.sleep(args.every)
    code = os.waitstatus_to_exitcode(status)
    if code:
        print(f"node_cpu: the command failed ({code})", file=sys.stderr)
        raise SystemExit(code if code > 0 else 1)
    results_file = args.target / "run_results.json"
    if not results_file.exists() or results_file.stat().st_mtime < started:
        raise SystemExit(
            f"node_cpu: {results_file} was not written by this run: give the command the "
            "same --target-path as TARGET"
        )
    run_results = json.loads(results_file.read_text())
    intervals = {
        node: (_epoch(start), _epoch(end)) for node, (start, end) in node_times(run_results).items()
    }
    cpu = attribute(samples, intervals)
    wall = {node: end - start for node, (start, end) in intervals.items()}
    measured = samples[-1][1]
    print(
        f"{time.time() - started:.1f} s wall; {measured:.1f} CPU s sampled in {len(samples)} "
        f"samples ({sum(v for k, v in cpu.items() if k != OUTSIDE):.1f} in nodes, "
        f"{cpu.get(OUTSIDE, 0.0):.1f} outside them)"
    )
    print(f"{'CPU s':>8} {'wall s':>8}  node")
    for node, seconds in sorted(cpu.items(), key=lambda item: -item[1])[: args.top]:
        print(f"{seconds:8.2f} {wall.get(node, float('nan')):8.2f}  {node}")


if __name__ == "__main__":
    main()
