"""The launcher's `session` submission method for dbt-spark (no JVM needed here).

dbt-spark 1.11 lists only Databricks submission methods; with the session connection
method dbt stopped at the first Python model ("Submission method session is not
supported for current adapter"). The build-level proof is test_spark_parity.py (every
model, the Python ones included).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

pytest.importorskip("dbt.adapters.spark")

from dbt.adapters.spark.impl import SparkAdapter
from dbt_common.exceptions import NotImplementedError as DbtNotImplemented

from leadscore.engines import dbt_spark


def _adapter(method: str):
    return SimpleNamespace(config=SimpleNamespace(credentials=SimpleNamespace(method=method)))


def test_session_method_is_refused_without_the_launcher_and_runs_with_it():
    fake = _adapter("session")
    fake.python_submission_helpers = SparkAdapter.python_submission_helpers.fget(fake)
    fake.default_python_submission_method = "session"
    fake.connections = SimpleNamespace(get_thread_connection=lambda: SimpleNamespace(name="m"))
    model = {"config": {"submission_method": "session"}}
    if not getattr(SparkAdapter, "_leadscore_session_python", False):
        with pytest.raises(DbtNotImplemented, match="Submission method session is not supported"):
            SparkAdapter.submit_python_job(fake, model, "x = 1")
    dbt_spark.register()
    dbt_spark.register()  # idempotent
    helpers = SparkAdapter.python_submission_helpers.fget(fake)
    assert helpers["session"] is dbt_spark.SessionPythonJobHelper
    assert {"job_cluster", "all_purpose_cluster"} <= set(helpers)
    assert SparkAdapter.default_python_submission_method.fget(_adapter("session")) == "session"
    # thrift / http / odbc profiles keep dbt-spark's default (Databricks)
    assert (
        SparkAdapter.default_python_submission_method.fget(_adapter("thrift"))
        == "all_purpose_cluster"
    )


def test_session_helper_runs_the_compiled_code_with_the_dbt_session(monkeypatch):
    from pyspark.sql import SparkSession

    session = object()
    monkeypatch.setattr(SparkSession.Builder, "getOrCreate", lambda self: session)
    # the shape of dbt-spark's py_write_table: the model, then `df = model(dbt, spark)`
    code = "def model(dbt, session):\n    return session\n\ndf = model(None, spark)\n"
    helper = dbt_spark.SessionPythonJobHelper({"unique_id": "model.leadscore.m"}, None)
    assert helper.submit(code)["df"] is session
    with pytest.raises(ZeroDivisionError):
        helper.submit("1 / 0")
