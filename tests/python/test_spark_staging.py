"""The staging layer on Apache Spark gives the same values as on DuckDB: the shared
macros (evaluated on the same input text in both engines), the seeds (every seed
table, value for value) and the staging models built from the same raw files.

Spark runs in local mode inside the test process (pyspark, a Java runtime), as the
`spark` target of profiles.yml does; the dbt builds on Spark use their own warehouse
under the test's temporary folder. Each Spark dbt invocation costs about a minute of
JVM start, so the builds are batched into one module fixture."""

from __future__ import annotations

import math
import os
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT
from leadscore.demo.generator import GeneratorConfig, generate
from test_parse_timestamp import CASES as TIMESTAMP_CASES
from tests_support import run_dbt_command

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # `make java` installs it
    pytest.skip("the Spark tests need a Java runtime (make java)", allow_module_level=True)


def spark_env(tmp: Path) -> dict:
    warehouse = tmp / "spark" / "warehouse"
    warehouse.mkdir(parents=True, exist_ok=True)
    return {
        "SPARK_WAREHOUSE": str(warehouse),
        "SPARK_MASTER": "local[1]",
        "SPARK_DRIVER_MEMORY": "1g",
    }


def dbt_on(target: str, args: list[str], tmp: Path, variables: dict | None = None):
    """dbt ARGS on target duckdb (tmp/leadscore.duckdb) or spark (a warehouse under tmp)."""
    saved = dict(os.environ)
    if target == "spark":
        os.environ.update(spark_env(tmp))
        args = [*args, "--target", "spark"]
    try:
        result = run_dbt_command(args, tmp / "leadscore.duckdb", tmp / target, variables)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert result.returncode == 0, (
        f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    )
    return result


def compile_inline(target: str, sql: str, tmp: Path) -> str:
    result = dbt_on(target, ["compile", "-q", "--no-populate-cache", "--inline", sql], tmp)
    return result.stdout


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def same(a, b) -> bool:
    if (
        isinstance(a, float)
        or isinstance(b, float)
        or isinstance(a, Decimal)
        or isinstance(b, Decimal)
    ):
        if a is None or b is None:
            return a is None and b is None
        a, b = float(a), float(b)
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


# -- shared macros: the same text in, the same value out --------------------------------

# Text shaped after what the generator and real CRM exports put in the raw columns:
# lead sources and countries in mixed spellings ('Google_Ads ', 'google-ads', 'U.S.'),
# control characters a spreadsheet leaves, yes/no flags, amounts as text, job titles
# the seed rules classify with \b word boundaries.
TEXT_CASES = [
    "Google_Ads ",
    "google-ads",
    "Google  Ads",
    " U.S. ",
    "a\tb\nc",
    "line\x0bbreak",
    "Paid__Social--Ads..x",
    "Yes",
    " n ",
    "maybe",
    "Closed Won",
    "closed_lost",
    "1,200",
    "12.5",
    "NaN",
    "-inf",
    "  ",
    "",
    "VP of Sales",
    "Chief Technology Officer",
    "Senior Data Engineer",
    "Sr. Marketing Manager",
    "Head of Growth",
    None,
]

PATTERN = r"\b(vp|vice president)\b"

MACRO_EXPRESSIONS = {
    "normalize_key": "{{ normalize_key('raw') }}",
    "parse_boolean": "{{ parse_boolean('raw') }}",
    "is_invalid_boolean": "{{ is_invalid_boolean('raw') }}",
    "parse_won": "{{ parse_won('raw') }}",
    "parse_number": "{{ parse_number('raw', dbt.type_float()) }}",
    "is_not_a_number": "{{ is_not_a_number('raw') }}",
    "is_canonical_timestamp": "{{ is_canonical_timestamp('raw') }}",
    "website_domain": "{{ website_domain('raw') }}",
    # the job-title rules of the seeds hold word boundaries (\b) and are read from a column
    "regex_matches_vp": "{{ regex_matches('raw', 'pattern') }}",
}


def evaluate(target: str, compiled: str, spark, rows: list[tuple]) -> list[tuple]:
    if target == "duckdb":
        con = duckdb.connect()
        con.execute("set TimeZone = 'UTC'")
        con.execute("create table cases (i integer, raw varchar, pattern varchar)")
        con.executemany("insert into cases values (?, ?, ?)", [(*r, PATTERN) for r in rows])
        return con.execute(f"select * from ({compiled}) as r order by i").fetchall()
    from pyspark.sql.types import IntegerType, StringType, StructField, StructType

    schema = StructType(
        [
            StructField("i", IntegerType()),
            StructField("raw", StringType()),
            StructField("pattern", StringType()),
        ]
    )
    spark.createDataFrame([(*r, PATTERN) for r in rows], schema).createOrReplaceTempView("cases")
    return [tuple(r) for r in spark.sql(f"select * from ({compiled}) as r order by i").collect()]


@pytest.fixture(scope="module")
def compiled_macros(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("macros")
    columns = ", ".join(f"{expr} as {name}" for name, expr in MACRO_EXPRESSIONS.items())
    text_sql = f"select i, raw, {columns} from cases"
    time_sql = (
        "select i, raw, {{ parse_timestamp('raw') }} as parsed, "
        "{{ day_of_week(parse_timestamp('raw')) }} as dow, "
        "{{ hour_of_day(parse_timestamp('raw')) }} as hour "
        "from cases"
    )
    hash_sql = "select i, raw, {{ unit_hash('raw', 'i') }} as u from cases"
    marker = "-- query --"
    both = f"{text_sql}\n{marker}\n{time_sql}\n{marker}\n{hash_sql}"
    # one compile per engine: three queries separated by a marker comment
    out = {}
    for target in ("duckdb", "spark"):
        text = compile_inline(target, both, tmp)
        parts = [p.strip() for p in text.split(marker)]
        assert len(parts) == 3, text
        out[target] = parts
    return out


def test_text_macros_give_the_same_values_on_spark_and_duckdb(compiled_macros, spark):
    rows = list(enumerate(TEXT_CASES))
    duck = evaluate("duckdb", compiled_macros["duckdb"][0], spark, rows)
    spk = evaluate("spark", compiled_macros["spark"][0], spark, rows)
    names = ["i", "raw", *MACRO_EXPRESSIONS]
    diffs = [
        f"{names[k]}({d[1]!r}): duckdb {d[k]!r}, spark {s[k]!r}"
        for d, s in zip(duck, spk, strict=True)
        for k in range(2, len(names))
        if not same(d[k], s[k])
    ]
    assert not diffs, "\n".join(diffs)
    # the values that matter, not only agreement
    got = {d[1]: dict(zip(names, d, strict=True)) for d in duck}
    assert got["Google_Ads "]["normalize_key"] == "google ads" == got["google-ads"]["normalize_key"]
    assert got["VP of Sales"]["regex_matches_vp"] is True
    assert got["Yes"]["parse_boolean"] is True and got["maybe"]["is_invalid_boolean"] is True


def test_timestamps_parse_the_same_on_spark(compiled_macros, spark):
    rows = [(i, raw) for i, (raw, _, _) in enumerate(TIMESTAMP_CASES)]
    spk = evaluate("spark", compiled_macros["spark"][1], spark, rows)
    wrong = []
    for (raw, expected, _), row in zip(TIMESTAMP_CASES, spk, strict=True):
        parsed = row[2]
        if parsed != expected:
            wrong.append(f"{raw!r}: spark {parsed}, expected {expected}")
        elif expected is not None:
            # day of week 0 = Monday, as on DuckDB
            assert (row[3], row[4]) == (expected.weekday(), expected.hour), raw
    assert not wrong, "\n".join(wrong)


def test_unit_hash_is_a_number_in_0_1_on_spark(compiled_macros, spark):
    """Spark's unit_hash is the md5-based default (DuckDB keeps its native hash): a
    number in [0, 1) for every row, never null (a null dropped every training row)."""
    import hashlib

    rows = [(i, f"lead-{i}") for i in range(200)]
    spk = evaluate("spark", compiled_macros["spark"][2], spark, rows)
    for i, raw, u in spk:
        expected = (
            int(hashlib.md5(f"{raw}{i}".encode()).hexdigest()[:7], 16) % 1000003
        ) / 1000003.0
        assert u is not None and math.isclose(float(u), expected, rel_tol=1e-9), (raw, u, expected)
    values = [float(r[2]) for r in spk]
    assert 0.3 < sum(values) / len(values) < 0.7


# -- seeds and staging models, built on both engines from the same raw files -----------

# a small world: every contract table, mixed timestamp formats, unparseable values
WORLD = GeneratorConfig(n_leads=600, seed=11, events_per_lead=8, unparseable_timestamp_rate=0.01)
SELECT = [
    "-s",
    "path:seeds",
    "path:models/staging/crm",
    "--resource-type",
    "seed",
    "--resource-type",
    "model",
]


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    """(duckdb connection with the DuckDB build, {table: parquet glob of the Spark table})."""
    tmp = tmp_path_factory.mktemp("spark_staging")
    raw = tmp / "raw"
    generate(WORLD, raw, log=lambda _: None)
    variables = {"raw_data_path": str(raw)}
    dbt_on("duckdb", ["build", *SELECT], tmp, variables)
    dbt_on("spark", ["build", *SELECT], tmp, variables)
    warehouse = Path(spark_env(tmp)["SPARK_WAREHOUSE"])
    con = duckdb.connect(str(tmp / "leadscore.duckdb"), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    yield con, warehouse
    con.close()


def engine_difference(con, warehouse: Path, schema: str, table: str) -> str | None:
    """Rows of the DuckDB table missing on Spark and the reverse (every column, as text
    for exactness; floats compared to 12 significant digits), or None when equal."""
    files = warehouse / f"{schema}.db" / table
    assert files.is_dir(), f"{schema}.{table} was not built on Spark"
    spark_rel = f"read_parquet('{files}/*.parquet')"
    cols = [r[0] for r in con.execute(f"describe {schema}.{table}").fetchall()]
    spark_cols = [r[0] for r in con.execute(f"describe select * from {spark_rel}").fetchall()]
    if cols != spark_cols:
        return f"columns differ: duckdb {cols}, spark {spark_cols}"
    types = dict(
        con.execute(f"select column_name, data_type from (describe {schema}.{table})").fetchall()
    )

    def text(col: str) -> str:
        q = f'"{col}"'
        if types[col] in ("DOUBLE", "FLOAT") or types[col].startswith("DECIMAL"):
            return f"printf('%.12g', cast({q} as double))"
        if types[col].startswith("TIMESTAMP"):
            return f"strftime(cast({q} as timestamp), '%Y-%m-%d %H:%M:%S.%f')"
        return f"cast({q} as varchar)"

    select = ", ".join(text(c) for c in cols)
    duck = f"select {select} from {schema}.{table}"
    spk = f"select {select} from {spark_rel}"
    duck_only = con.execute(f"select count(*) from ({duck} except all {spk})").fetchone()[0]
    spark_only = con.execute(f"select count(*) from ({spk} except all {duck})").fetchone()[0]
    if duck_only or spark_only:
        example = con.execute(
            f"(select 'duckdb', * from ({duck} except all {spk})) "
            f"union all (select 'spark', * from ({spk} except all {duck})) limit 4"
        ).fetchall()
        return f"{duck_only} row(s) only on DuckDB, {spark_only} only on Spark, e.g. {example}"
    return None


def seed_names() -> list[str]:
    return sorted(p.stem for p in (PROJECT / "seeds").glob("*.csv"))


def test_every_seed_loads_the_same_on_spark(both_engines):
    """Every seed table value for value (the session method once loaded '\\b' in the
    job-title rules as a backspace: every title misclassified without an error)."""
    con, warehouse = both_engines
    diffs = {s: d for s in seed_names() if (d := engine_difference(con, warehouse, "config", s))}
    assert not diffs, "\n".join(f"{k}: {v}" for k, v in diffs.items())
    # the values that matter: the rule patterns keep their backslashes
    patterns = [
        r[0] for r in con.execute("select pattern from config.job_title_seniority").fetchall()
    ]
    assert any("\\b" in p for p in patterns)


def test_every_staging_model_builds_the_same_on_spark(both_engines):
    con, warehouse = both_engines
    models = sorted(p.stem for p in (PROJECT / "models" / "staging" / "crm").glob("stg_*.sql"))
    diffs = {m: d for m in models if (d := engine_difference(con, warehouse, "staging", m))}
    assert not diffs, "\n".join(f"{k}: {v}" for k, v in diffs.items())
    # the values that matter: keys normalised, timestamps parsed, file watermark kept
    leads = con.execute(
        "select count(*), count(lead_source_key), count(created_at), count(created_at_raw) "
        "from staging.stg_crm__leads"
    ).fetchone()
    assert leads[0] > 0 and leads[1] > 0.9 * leads[0] and leads[2] > 0.9 * leads[3]
    assert con.execute("select count(source_file) from staging.stg_crm__events").fetchone()[0] > 0


def test_flat_mode_on_spark_stops_with_one_clear_message(tmp_path):
    """Flat mode reads the CSV export with DuckDB's read_csv: on Spark it stops at
    parse time saying so, not with a SQL error from the middle of a build."""
    env = spark_env(tmp_path)
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        result = run_dbt_command(
            ["parse", "--target", "spark"],
            tmp_path / "x.duckdb",
            tmp_path,
            {"flat_file": str(tmp_path / "leads.csv")},
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Flat mode (var flat_file / flat_table) runs on DuckDB only" in out, out[-3000:]
