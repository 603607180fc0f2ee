"""The Spark variants of the engine macros give DuckDB's answers on the same rows.

The macros are rendered the way dbt's dispatch finds them for a `spark` target with
this project's search order (dbt_project.yml: leadscore before dbt): a project macro
`spark__x` / `default__x` first, then dbt-spark's own. The SQL runs in a local
SparkSession (as the spark target's session method does) and is compared with DuckDB's
result for the same values. Removing a project variant falls back to dbt-spark's macro,
and these tests show the difference that caused.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import duckdb
import jinja2
import pytest

PROJECT = Path(__file__).resolve().parents[2]

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
if shutil.which("java") is None:
    pytest.skip("no Java runtime (make java)", allow_module_level=True)

# a SparkSession costs a JVM start (about a minute here): marked like the dbt builds
pytestmark = pytest.mark.build


class _Return(Exception):
    def __init__(self, value):
        self.value = value


def _return(value):
    raise _Return(value)


def _compiler_error(message):
    raise RuntimeError(message)


def spark_macros():
    """Resolve a macro name as dbt's dispatch does for a spark target with this project's
    search order: per package (leadscore, then dbt-spark), spark__name, default__name."""
    import dbt.include.spark as dbt_spark

    env = jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    # dbt's own filters, which other macro files of macros/engine/ use
    env.filters["as_bool"] = lambda value: str(value).strip().lower() == "true"
    env.filters["as_number"] = float
    env.filters["as_text"] = str
    packages: dict[str, dict] = {"leadscore": {}, "dbt_spark": {}}

    def resolve(name):
        for found in packages.values():
            for candidate in (f"spark__{name}", f"default__{name}"):
                if candidate in found:
                    return found[candidate]
        for found in packages.values():
            if name in found:
                return found[name]
        raise KeyError(name)

    context = {
        "return": _return,
        "exceptions": SimpleNamespace(raise_compiler_error=_compiler_error, warn=lambda _: None),
        "modules": SimpleNamespace(re=re),
        "adapter": SimpleNamespace(dispatch=lambda name, namespace=None: resolve(name)),
    }

    def wrap(macro):
        def call(*args):
            try:
                return str(macro(*args)).strip()
            except _Return as returned:
                return returned.value

        return call

    sources = {
        "dbt_spark": sorted((Path(dbt_spark.__file__).parent / "macros" / "utils").glob("*.sql")),
        "leadscore": sorted((PROJECT / "macros" / "engine").glob("*.sql")),  # the engine macros
    }

    def by_name(name):
        # a macro calling another by name gets it when called (as dbt's context does)
        def call(*args):
            return next(found[name] for found in packages.values() if name in found)(*args)

        return call

    for files in sources.values():
        for path in files:
            for name in re.findall(r"{%-?\s*macro\s+(\w+)", path.read_text()):
                context.setdefault(name, by_name(name))
    for package, files in sources.items():
        for path in files:
            module = env.from_string(path.read_text(), globals=context).module
            for name in dir(module):
                value = getattr(module, name)
                if isinstance(value, jinja2.runtime.Macro):
                    packages[package][name] = wrap(value)
    return resolve


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("leadscore-engine-macros")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")  # as the spark target
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def macros():
    return spark_macros()


def _spark_rows(spark, sql: str) -> list[tuple]:
    return [tuple(row) for row in spark.sql(sql).collect()]


def _duckdb_rows(sql: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")  # as the dev target
    return con.execute(sql).fetchall()


# (first, second) pairs shaped after int_lead_features_joined: a lead's created_at and
# its first event or sales touch (same hour, across midnight, before creation, none)
TIME_PAIRS = [
    ("2024-03-05 10:01:00", "2024-03-05 10:59:30"),
    ("2024-03-05 23:59:00", "2024-03-06 00:01:00"),
    ("2024-03-06 00:01:00", "2024-03-05 23:59:00"),
    ("2024-03-05 10:15:00", "2024-03-07 09:05:00"),
    ("2024-02-28 18:00:00", "2024-03-01 06:00:00"),
    ("2024-03-05 10:15:00", None),
]


def _pairs_relation(pairs) -> str:
    rows = []
    for i, (first, second) in enumerate(pairs):
        second_sql = f"timestamp '{second}'" if second else "cast(null as timestamp)"
        rows.append(f"select {i} as i, timestamp '{first}' as a, {second_sql} as b")
    return " union all ".join(rows)


@pytest.mark.parametrize("datepart", ["hour", "day"])
def test_datediff_counts_boundaries_as_duckdb(spark, macros, datepart):
    """hours_from_creation_to_first_activity, days_in_current_stage, lead_age_days."""
    expr = macros("datediff")("a", "b", datepart)
    spark_rows = _spark_rows(
        spark, f"select i, {expr} from ({_pairs_relation(TIME_PAIRS)}) as t order by i"
    )
    pairs = _pairs_relation(TIME_PAIRS)
    duck_rows = _duckdb_rows(
        f"select i, date_diff('{datepart}', a, b) from ({pairs}) as t order by i"
    )
    assert [(i, None if v is None else int(v)) for i, v in spark_rows] == duck_rows


# (timestamp, datepart, interval) shaped after the models' dateadd calls: an experiment
# assignment + the 90-day horizon (int_experiment_outcomes), a page view + the
# sequence window (int_lead_sequences), reference time + future tolerance hours, a
# snapshot date - max lead age; fractions of a second come from ISO exports
ADDS = [
    ("2024-03-05 17:42:10.250", "day", 90),
    ("2024-03-05 17:42:10.250", "hour", 24),
    ("2024-03-05 00:00:00", "day", -180),
    ("2024-01-31 09:30:00", "hour", 48),
    (None, "day", 30),
]


def test_dateadd_keeps_timestamps_as_duckdb(spark, macros):
    spark_values, duck_values = [], []
    for ts, part, n in ADDS:
        literal = f"timestamp '{ts}'" if ts else "cast(null as timestamp)"
        spark_values.append(
            _spark_rows(spark, f"select {macros('dateadd')(part, n, literal)}")[0][0]
        )
        duck_values.append(_duckdb_rows(f"select {literal} + interval ({n}) {part}")[0][0])
    assert spark_values == duck_values
    assert isinstance(spark_values[0], datetime) and spark_values[0].microsecond == 250000


# the unknown event types / stages listed in int_data_quality_counts' descriptions: the
# first 20 in order; no unknown value -> NULL, so the description gets no "(values: )"
LISTAGG_CASES = [
    ["webinar", "Demo Request", "chat", "ad_click", "Chat"],
    [],
]


@pytest.mark.parametrize("values", LISTAGG_CASES, ids=["values", "none"])
def test_listagg_orders_and_is_null_over_no_rows(spark, macros, values):
    rows = " union all ".join(f"select '{v}' as v" for v in values) or "select 'x' as v where false"
    expr = macros("listagg")("v", "', '", "order by v", 3)
    spark_value = _spark_rows(spark, f"select {expr} from ({rows}) as t")[0][0]
    first_three = f"select v from ({rows}) as t order by v limit 3"
    duck_value = _duckdb_rows(f"select string_agg(v, ', ' order by v) from ({first_three}) as t")[
        0
    ][0]
    assert spark_value == duck_value


def test_split_to_rows_as_duckdb(spark, macros):
    """int_account_tech_matches: a tech stack list with mixed delimiters."""
    stacks = ["Salesforce; HubSpot|Slack/ Zoom", "Snowflake,dbt,,Looker", "Segment"]
    rows = " union all ".join(f"select {i} as i, '{s}' as s" for i, s in enumerate(stacks))
    expr = macros("split_to_rows")("s", "'[,;|/]'")
    spark_items = sorted(_spark_rows(spark, f"select i, {expr} as item from ({rows}) as t"))
    # what the model did on DuckDB before it was ported
    duckdb_split = "unnest(string_split(regexp_replace(s, '[;|/]', ',', 'g'), ','))"
    duck_items = sorted(_duckdb_rows(f"select i, {duckdb_split} from ({rows}) as t"))
    assert spark_items == duck_items
