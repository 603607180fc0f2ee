"""The timestamp parser every staging model uses (macros/parse_timestamp.sql): each
format CRMs export, the fast paths that skip regular expressions at 50M rows, and
text that must stay unparseable (null, so the row is quarantined with a reason)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime

import duckdb
import pytest

from conftest import PROJECT

CASES = [
    # raw text, parsed (UTC), canonical 'YYYY-MM-DD HH:MM:SS' shape
    ("2025-06-01 10:00:00", datetime(2025, 6, 1, 10), True),
    (" 2025-06-01 10:00:00 ", datetime(2025, 6, 1, 10), False),
    ("2025-06-01T10:00:00Z", datetime(2025, 6, 1, 10), False),
    ("2025-06-01T10:00:00.250Z", datetime(2025, 6, 1, 10, 0, 0, 250000), False),
    ("2025-06-01T10:00:00+02:00", datetime(2025, 6, 1, 8), False),
    ("2025-06-01T10:00:00-05:00", datetime(2025, 6, 1, 15), False),
    ("2025-06-01T10:00:00+0200", datetime(2025, 6, 1, 8), False),
    ("06/01/2025 10:00:00", datetime(2025, 6, 1, 10), False),
    ("06/01/2025 10:00", datetime(2025, 6, 1, 10), False),
    ("06/01/2025", datetime(2025, 6, 1), False),
    ("2025-06-01", datetime(2025, 6, 1), False),
    ("1748772000", datetime(2025, 6, 1, 10), False),
    ("748772000", datetime(1993, 9, 23, 8, 13, 20), False),
    ("1748772000.5", None, False),
    ("1234567.89", None, False),
    ("-123456789", None, False),
    # local times followed by a zone name, as CRM and spreadsheet exports write them:
    # IANA names (daylight saving applies), and the abbreviations of var
    # time_zone_abbreviations as fixed offsets ('PST' is -08:00 even in June)
    ("2025-06-01 10:00:00 America/New_York", datetime(2025, 6, 1, 14), False),
    ("2025-01-15 10:00:00 America/New_York", datetime(2025, 1, 15, 15), False),
    ("2025-06-01T10:00:00 Europe/Berlin", datetime(2025, 6, 1, 8), False),
    ("06/01/2025 10:00:00 America/Chicago", datetime(2025, 6, 1, 15), False),
    ("2025-06-01 10:00:00 CEST", datetime(2025, 6, 1, 8), False),
    ("2025-06-01 10:00:00 PST", datetime(2025, 6, 1, 18), False),
    ("2025-06-01 10:00:00 pdt", datetime(2025, 6, 1, 17), False),
    ("2025-06-01 10:00:00.500 UTC", datetime(2025, 6, 1, 10, 0, 0, 500000), False),
    # a zone nobody knows is not dropped: unparseable, so the row is quarantined
    ("2025-06-01 10:00:00 Mars/Olympus_Mons", None, False),
    ("2025-06-01 10:00:00 XYZT", None, False),
    ("2025-13-45 10:00:00", None, True),
    ("yesterday", None, False),
    ("N/A", None, False),
    ("", None, False),
    (None, None, False),
]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("parse")
    env = {
        **os.environ,
        "DUCKDB_PATH": str(tmp / "compile.duckdb"),
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(PROJECT),
    }
    sql = (
        "select raw, {{ parse_timestamp('raw') }} as parsed, "
        "{{ is_canonical_timestamp('raw') }} as canonical from cases"
    )
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    result = subprocess.run(
        [
            dbt,
            "compile",
            "-q",
            "--inline",
            sql,
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_every_format_parses_to_utc_and_bad_text_stays_null(compiled):
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute("create table cases (raw varchar)")
    con.executemany("insert into cases values (?)", [(raw,) for raw, _, _ in CASES])
    got = {row[0]: (row[1], row[2]) for row in con.execute(compiled).fetchall()}
    for raw, parsed, canonical in CASES:
        assert got[raw][0] == parsed, f"{raw!r} parsed to {got[raw][0]}, expected {parsed}"
        assert got[raw][1] == canonical, f"{raw!r}: canonical {got[raw][1]}"
