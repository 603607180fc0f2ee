"""bench/node_cpu.py: a build's sampled CPU shared among the nodes that ran.

Node intervals come from run_results.json as bench/critical_chain.py reads them
(tested there); here the sharing, on made-up samples whose answer is known, and the
reading of a process's CPU from /proc against the kernel's own accounting."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from node_cpu import OUTSIDE, attribute, process_cpu  # noqa: E402


def test_each_interval_s_cpu_goes_to_the_nodes_running_in_it_by_their_overlap():
    # 0-1 s: parse (no node), 1 CPU s; 1-2 s: a alone, 2 CPU s; 2-4 s: a and b side
    # by side, b the whole interval and a half of it, 3 CPU s; 4-5 s: b alone, 1 CPU s
    samples = [(0.0, 0.0), (1.0, 1.0), (2.0, 3.0), (4.0, 6.0), (5.0, 7.0)]
    intervals = {"a": (1.0, 3.0), "b": (2.0, 5.0)}
    cpu = attribute(samples, intervals)
    assert cpu[OUTSIDE] == pytest.approx(1.0)
    assert cpu["a"] == pytest.approx(2.0 + 3.0 * 1 / 3)
    assert cpu["b"] == pytest.approx(3.0 * 2 / 3 + 1.0)
    # nothing is lost or made up
    assert sum(cpu.values()) == pytest.approx(samples[-1][1])


def test_a_node_between_two_samples_gets_its_share_of_that_interval():
    # a 0.2 s test inside one 1 s interval beside nothing else: all of that CPU
    cpu = attribute([(0.0, 0.0), (1.0, 0.5)], {"test.p.t": (0.4, 0.6)})
    assert cpu == {"test.p.t": pytest.approx(0.5)}


def test_the_cpu_read_from_proc_is_the_kernel_s_account_of_this_process():
    deadline = os.times()
    total = 0
    while os.times().user - deadline.user < 0.2:  # burn some CPU
        total += sum(range(1000))
    expected = os.times()
    read = process_cpu(os.getpid())
    after = os.times()
    assert read is not None and total > 0
    own = expected.user + expected.system + expected.children_user + expected.children_system
    bound = after.user + after.system + after.children_user + after.children_system
    # /proc counts in clock ticks (1/100 s)
    assert own - 0.02 <= read <= bound + 0.02
    assert process_cpu(2**22 + 12345) is None  # no such process
