"""The Python models on Apache Spark (local mode) give DuckDB's rows.

The demo world (2,000 leads, seed 7, as `make spark-demo` builds) is built on DuckDB;
the Python models' SQL parents are copied into a Spark warehouse; the six models run on
Spark through `python -m leadscore.engines.dbt_spark` (plain `dbt` refuses them:
"Submission method session is not supported"); every table equals DuckDB's, except the
columns that hold the build time: `trained_at`, `model_id` (m_<trained_at>_<fingerprint>),
`scored_at`, and the registry's `search_json` (it records each candidate's fit seconds).
The CatBoost model (`model_blob`) is byte-identical and every score equal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from leadscore.demo.generator import GeneratorConfig, generate
from tests_support import run_dbt_command

PROJECT = Path(__file__).resolve().parents[2]
SUPPORT = Path(__file__).with_name("spark_support.py")
PYTHON_MODELS = [
    "ml_model_registry",
    "ml_holdout_predictions",
    "ml_lead_predictions",
    "ml_model_evaluation",
    "ml_threshold_evaluation",
    "ml_feature_importance",
]
PARENTS = [
    "ml.ml_training_examples",
    "ml.ml_scoring_examples",
    "ml.ml_baseline_scores",
    "config.feature_dictionary",
    "config.channels",
    "config.lifecycle_stages",
    "config.icp_criteria",
    "config.icp_technologies",
    "config.score_tiers",
]
# columns holding the build time, per table (the model id embeds trained_at)
BUILD_TIME = {
    "ml_model_registry": ["trained_at", "model_id", "search_json"],
    "ml_holdout_predictions": ["model_id"],
    "ml_lead_predictions": ["scored_at", "model_id"],
    "ml_model_evaluation": ["model_id"],
    "ml_threshold_evaluation": ["model_id"],
    "ml_feature_importance": ["model_id"],
}
KEYS = {
    "ml_model_registry": ["model_fingerprint"],
    "ml_holdout_predictions": ["lead_id", "as_of"],
    "ml_lead_predictions": ["lead_id"],
}


def _run(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(cmd[:4])} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        )
    return result


@pytest.mark.build
def test_python_models_on_spark_give_duckdb_rows(tmp_path):
    if shutil.which("java") is None:
        pytest.skip("no java: run `make java`")
    pytest.importorskip("pyspark")
    raw = tmp_path / "raw"
    generate(GeneratorConfig(n_leads=2000, seed=7), raw, log=lambda _: None)
    # 2,000 leads have ~95 conversions: min_conversions 60 lets a model train (as make spark-demo)
    variables = {"raw_data_path": str(raw), "catboost_iterations": 200, "min_conversions": 60}
    db = tmp_path / "leadscore.duckdb"
    for args in (["seed"], ["run", "-s", *(f"+{m}" for m in PYTHON_MODELS)]):
        result = run_dbt_command(args, db, tmp_path, variables)
        assert result.returncode == 0, result.stdout[-6000:]

    warehouse = tmp_path / "spark" / "warehouse"
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(PROJECT),
        "SPARK_WAREHOUSE": str(warehouse),
        "PYSPARK_PYTHON": sys.executable,
    }
    # the on-run-start pre-flight reads crm.*: copied here unless the project registers
    # the raw parquet folders as Spark views itself (macros/engine/raw_sources.sql)
    registered = (PROJECT / "macros" / "engine" / "raw_sources.sql").exists()
    raw_arg = "-" if registered else str(raw)
    _run([sys.executable, str(SUPPORT), "copy", str(db), raw_arg, str(warehouse), *PARENTS], env)
    dbt_args = ["--target", "spark", "--target-path", str(tmp_path / "target-spark")]
    dbt_args += ["--log-path", str(tmp_path / "logs-spark"), "--vars", json.dumps(variables)]
    run = _run(
        [
            sys.executable,
            "-m",
            "leadscore.engines.dbt_spark",
            "run",
            "-s",
            *PYTHON_MODELS,
            *dbt_args,
        ],
        env,
    )
    assert "Completed successfully" in run.stdout
    assert "is champion" in run.stdout  # a model was trained on Spark
    out = tmp_path / "spark-tables"
    out.mkdir()
    _run(
        [sys.executable, str(SUPPORT), "export", str(out), str(warehouse)]
        + [f"ml.{m}" for m in PYTHON_MODELS],
        env,
    )

    con = duckdb.connect(str(db), read_only=True)
    for model in PYTHON_MODELS:
        duck = con.sql(f"select * from ml.{model}").pl()
        spark = pl.read_parquet(out / f"ml.{model}.parquet")
        assert spark.schema == duck.schema, model
        assert spark.height == duck.height > 0, model
        for column in BUILD_TIME[model]:
            # one build, one value: as many distinct values on each side
            assert spark[column].n_unique() == duck[column].n_unique(), (model, column)
        ignore = BUILD_TIME[model]
        order = KEYS.get(model) or [c for c in duck.columns if c not in ignore]
        assert_frame_equal(
            spark.drop(ignore).sort(order), duck.drop(ignore).sort(order), check_exact=True
        )
    con.close()
