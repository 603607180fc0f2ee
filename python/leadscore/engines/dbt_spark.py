"""Run dbt on OSS Apache Spark with the Python models executed in dbt's own SparkSession.

dbt-spark submits Python models only to Databricks (its `job_cluster` and
`all_purpose_cluster` submission methods call the Databricks REST API); with the
`session` connection method it refuses them ("Submission method session is not
supported for current adapter"). This launcher adds a `session` submission method to
dbt-spark, makes it the default for `method: session` profiles, and runs dbt in-process
through `dbtRunner`: the compiled model code (the model, dbt-spark's `dbtObj` and its
`saveAsTable` epilogue) is executed with `spark` bound to the SparkSession the session
connection already holds, so Python models read and write the same warehouse as the SQL
models. On Databricks, dbt-databricks runs Python models natively: no launcher needed.

    python -m leadscore.engines.dbt_spark build --target spark
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

SESSION_METHOD = "session"


class SessionPythonJobHelper:
    """Executes a compiled dbt Python model in this process's SparkSession."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        self.parsed_model = parsed_model
        self.credentials = credentials

    def submit(self, compiled_code: str) -> dict[str, Any]:
        from pyspark.sql import SparkSession

        # dbt-spark's session connection created the session with the profile's
        # server_side_parameters; getOrCreate() without options returns that one
        spark = SparkSession.builder.getOrCreate()
        name = self.parsed_model.get("unique_id") or self.parsed_model.get("alias", "model")
        namespace: dict[str, Any] = {"spark": spark, "__name__": "__dbt_python_model__"}
        exec(compile(compiled_code, f"<dbt python model {name}>", "exec"), namespace)
        return namespace


def register() -> None:
    """Add the `session` submission method to dbt-spark's adapter (idempotent)."""
    from dbt.adapters.spark.impl import SparkAdapter

    adapter: Any = SparkAdapter  # its properties are replaced below
    if getattr(adapter, "_leadscore_session_python", False):
        return
    helpers = adapter.python_submission_helpers.fget
    default = adapter.default_python_submission_method.fget

    def python_submission_helpers(self):
        return {**helpers(self), SESSION_METHOD: SessionPythonJobHelper}

    def default_python_submission_method(self):
        method = getattr(self.config.credentials, "method", None)
        return SESSION_METHOD if str(method) == SESSION_METHOD else default(self)

    adapter.python_submission_helpers = property(python_submission_helpers)
    adapter.default_python_submission_method = property(default_python_submission_method)
    adapter._leadscore_session_python = True


def quiet_spark_log() -> None:
    """Spark logs errors only (spark_conf/log4j2.properties), unless SPARK_CONF_DIR is
    set; must run before the JVM starts."""
    os.environ.setdefault("SPARK_CONF_DIR", str(Path(__file__).with_name("spark_conf")))


def run(args: list[str]) -> int:
    """`dbt <args>` in this process with the session submission method registered."""
    from dbt.cli.main import dbtRunner

    # Python workers (mapInArrow in the models) run this interpreter, which has polars,
    # CatBoost and leadscore, whatever `python3` is first on PATH
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    quiet_spark_log()
    register()
    result = dbtRunner().invoke(list(args))
    if result.exception is not None:
        print(f"dbt: {result.exception}", file=sys.stderr)
        return 2
    return 0 if result.success else 1


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
