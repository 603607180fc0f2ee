"""bench/border_crossings.py: which day counts cross a split border in one day."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from border_crossings import crossings, day_counts  # noqa: E402


def test_a_value_crosses_when_the_next_day_is_past_a_border_or_on_it():
    borders = np.array([1.5, 3.0], dtype=np.float32)
    values = np.array([1.0, 0.5, 2.0, np.nan, 5.0, 3.0])
    # 1 -> 2 passes 1.5; 0.5 -> 1.5 lands on a border; 2 -> 3 too; null stays null;
    # 5 -> 6 and 3 -> 4 stay above every border (3 -> 4 leaves the border itself: counted)
    assert crossings(values, borders).tolist() == [True, True, True, False, False, True]


def test_day_counts_are_the_features_that_grow_each_day():
    names = ["lead_age_days", "days_since_last_page_view", "page_view_7d", "days_in_current_stage"]
    assert day_counts(names) == [
        "lead_age_days",
        "days_since_last_page_view",
        "days_in_current_stage",
    ]
