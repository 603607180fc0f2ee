"""The intermediate and ml SQL models are written without DuckDB-only syntax, so they
compile for Spark (and other warehouses); engine differences live in macros/engine/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


# DuckDB-only syntax that fails (or silently differs) on Spark, as written in the
# intermediate and ml models before they were ported; engine differences belong in
# the dispatch macros of macros/engine/
DUCKDB_ONLY = {
    "bare varchar type (use dbt.type_string())": r"\bas\s+varchar\b",
    ":: cast": r"::",
    "string_split / unnest (use split_to_rows)": r"\b(string_split|unnest)\s*\(",
    "regexp_replace with the 'g' flag": r",\s*'g'\s*\)",
    "regexp_matches (use regex_matches)": r"\bregexp_matches\s*\(",
    "select * exclude (use star_except)": r"\*\s*exclude\s*\(",
    "list / epoch functions": r"\b(list_\w+|epoch|arg_max|arg_min)\s*\(",
    # Spark averages decimal literals as a decimal rounded to 5 places (a conversion rate
    # differed by up to 4.8e-6 from DuckDB's double): average integers
    "avg over decimal literals": r"\bavg\s*\(\s*case\b[^)]*\bthen\s+\d+\.\d",
}


def _sql_models():
    for folder in ("intermediate", "ml", "marts"):
        yield from sorted((PROJECT / "models" / folder).glob("*.sql"))


@pytest.mark.parametrize("rule", sorted(DUCKDB_ONLY))
def test_models_have_no_duckdb_only_syntax(rule):
    found = []
    for path in _sql_models():
        # Jinja comments and expressions are not SQL (run_started_at.strftime is Python)
        text = re.sub(r"{#.*?#}|{{.*?}}|{%.*?%}", " ", path.read_text(), flags=re.S)
        text = re.sub(r"--[^\n]*", " ", text)
        if re.search(DUCKDB_ONLY[rule], text, flags=re.I):
            found.append(path.name)
    assert not found, f"{rule} in {found}"


def test_no_model_column_is_a_128_bit_integer(con):
    """DuckDB's sum() of integers is a HUGEINT; Spark has no 128-bit integer (bigint).
    The engines then disagree downstream: a HUGEINT feature reached the scoring frame as
    polars Int128, which reasons_json wrote as the text "1" where Spark wrote 1 (the
    parity test found it in rep_rejections). Counts are cast to bigint in the SQL."""
    wide = con.sql(
        "select table_schema || '.' || table_name || '.' || column_name "
        "from information_schema.columns "
        "where data_type in ('HUGEINT', 'UHUGEINT') order by 1"
    ).fetchall()
    assert not [c for (c,) in wide]
