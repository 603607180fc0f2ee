"""bench/critical_chain.py: the longest chain of a dbt build from its run artefacts.

The inputs carry the fields dbt writes (run_results.json v6: results[].unique_id and
timing[] entries named compile / execute with started_at and completed_at; manifest
parent_map), on a made-up DAG whose answer is known."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from critical_chain import critical_chain  # noqa: E402


def _result(unique_id: str, start: float, end: float) -> dict:
    def stamp(second: float) -> str:
        return f"2026-12-01T10:00:{second:06.3f}Z"

    middle = (start + end) / 2
    return {
        "unique_id": unique_id,
        "status": "success",
        "timing": [
            {"name": "compile", "started_at": stamp(start), "completed_at": stamp(middle)},
            {"name": "execute", "started_at": stamp(middle), "completed_at": stamp(end)},
        ],
    }


def test_the_chain_follows_parents_and_the_tests_a_build_runs_before_children():
    # a -> b -> c; b's own test runs before c; d runs beside them; a test across b and
    # d holds up neither; e waits on d only
    run_results = {
        "results": [
            _result("model.p.a", 0, 2),
            _result("model.p.d", 0, 5),
            _result("model.p.b", 2, 5),
            _result("test.p.unique_b", 5, 6),
            _result("test.p.relationships_b_d", 5, 6.5),
            _result("model.p.c", 6, 7),
            _result("model.p.e", 5, 5.5),
        ]
    }
    manifest = {
        "parent_map": {
            "model.p.a": [],
            "model.p.d": [],
            "model.p.b": ["model.p.a"],
            "test.p.unique_b": ["model.p.b"],
            "test.p.relationships_b_d": ["model.p.b", "model.p.d"],
            "model.p.c": ["model.p.b"],
            "model.p.e": ["model.p.d"],
        }
    }
    chain, span = critical_chain(run_results, manifest)
    assert [node for node, _ in chain] == [
        "model.p.a",
        "model.p.b",
        "test.p.unique_b",
        "model.p.c",
    ]
    assert [seconds for _, seconds in chain] == [2.0, 3.0, 1.0, 1.0]
    assert span == 7.0


def test_an_empty_build_has_no_chain():
    assert critical_chain({"results": []}, {"parent_map": {}}) == ([], 0.0)
