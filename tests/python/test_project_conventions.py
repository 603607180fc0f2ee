"""The dbt project's conventions, read from target/manifest.json after `dbt parse` (no build).

Every model: a description stating its grain, a primary-key test (unique + not_null on one
column, or unique_combination_of_columns), every column listed in YAML described (keys
included). Marts: contracted (every column listed), public, in a group with an owner; the
other layers are not public. Features: documented once, from seed feature_dictionary (the
docs blocks in models/docs/features.md are rendered from it). Generic tests carry the
names and argument names of their dbt_utils counterparts, so evaluator tools
(dbt-project-evaluator, dbt-checkpoint) recognise them.

Parsed in each mode a build can run in (generic CRM tables, the HubSpot and Salesforce
adapters, flat mode): each mode enables other models.
"""

from __future__ import annotations

import json

import pytest

from conftest import PROJECT, run_dbt
from leadscore.feature_docs import read_feature_dictionary, render_feature_docs

MODES = {
    "generic": {},
    "hubspot": {"crm": "hubspot"},
    "salesforce": {"crm": "salesforce"},
    "flat": {"flat_file": "export.csv", "flat_id_column": "id", "flat_label_column": "converted"},
}
# dbt's built-in generic tests and the dbt_utils names the project's own generic tests
# carry (tests/generic/), with the arguments dbt_utils gives them
BUILTIN_TESTS = {"unique", "not_null", "accepted_values", "relationships"}
DBT_UTILS_TESTS = {
    "unique_combination_of_columns": {"combination_of_columns"},
    "accepted_range": {"min_value", "max_value", "inclusive"},
    "equal_rowcount": {"compare_model"},
}
# generic tests with no dbt_utils counterpart
PROJECT_TESTS = {"no_quarantined_rows"}
KEY_TESTS = {"unique", "not_null"}
FEATURE_MODELS = ("int_lead_features_joined", "ml_training_examples", "ml_scoring_examples")


@pytest.fixture(scope="module", params=sorted(MODES))
def manifest(request, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp(f"parse_{request.param}")
    run_dbt(["parse"], tmp / "db.duckdb", tmp / "raw", tmp, MODES[request.param])
    return json.loads((tmp / "target" / "manifest.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "leadscore"
    }


def _is_mart(node: dict) -> bool:
    """Built into schema marts: what BI tools and syncs read (the time spine included)."""
    return node["config"]["schema"] == "marts"


def _generic_tests(manifest: dict) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("test_metadata")
    ]


def test_every_model_states_its_grain(manifest):
    models = _models(manifest)
    missing = sorted(
        name for name, node in models.items() if "grain" not in node["description"].lower()
    )
    assert not missing, f"{len(missing)} of {len(models)} models state no grain: {missing}"


def test_every_listed_column_is_described(manifest):
    columns = [
        (name, column["name"])
        for name, node in _models(manifest).items()
        for column in node["columns"].values()
    ]
    undescribed = [
        (name, column)
        for name, column in columns
        if not _models(manifest)[name]["columns"][column]["description"].strip()
    ]
    assert not undescribed, (
        f"{len(undescribed)} of {len(columns)} columns in YAML have no description: "
        f"{undescribed[:40]}"
    )


def test_marts_list_every_column_under_a_contract(manifest):
    marts = {name: node for name, node in _models(manifest).items() if _is_mart(node)}
    assert marts
    uncontracted = sorted(name for name, node in marts.items() if not node["contract"]["enforced"])
    assert not uncontracted, f"marts without an enforced contract: {uncontracted}"


def test_every_model_has_a_primary_key_test(manifest):
    models = _models(manifest)
    column_tests: dict[tuple[str, str], set[str]] = {}
    keyed: set[str] = set()
    unlisted: set[tuple[str, str]] = set()  # key columns must be listed (and so described)
    for test in _generic_tests(manifest):
        node = manifest["nodes"].get(test.get("attached_node") or "")
        if node is None or node["resource_type"] != "model" or test["config"].get("where"):
            continue  # seeds aside; a test on part of the rows is no key test
        name = test["test_metadata"]["name"]
        kwargs = test["test_metadata"]["kwargs"]
        if name == "unique_combination_of_columns":
            keyed.add(node["name"])
            unlisted |= {
                (node["name"], column)
                for column in kwargs["combination_of_columns"]
                if column not in node["columns"]
            }
        elif name in ("unique", "not_null"):
            column_tests.setdefault((node["name"], test["column_name"]), set()).add(name)
    assert not unlisted, f"composite-key columns not listed in YAML: {sorted(unlisted)}"
    keyed |= {model for (model, _), found in column_tests.items() if found >= KEY_TESTS}
    # a model with no key states why in YAML (config meta no_primary_key): the tables that
    # keep rejected exported rows as they came, exact copies included
    exempt = {name for name, node in models.items() if node["config"]["meta"].get("no_primary_key")}
    assert not exempt & keyed, f"exempt yet keyed: {sorted(exempt & keyed)}"
    unkeyed = sorted(set(models) - keyed - exempt)
    assert not unkeyed, f"{len(unkeyed)} of {len(models)} models have no key test: {unkeyed}"


def test_marts_are_public_in_an_owned_group(manifest):
    groups = manifest["groups"]
    for name, node in _models(manifest).items():
        if _is_mart(node):
            assert node["access"] == "public", f"mart {name} is {node['access']}"
            group = groups.get(f"group.leadscore.{node['group']}") if node["group"] else None
            assert group, f"mart {name} is in no group"
            assert group["owner"].get("name") and group["owner"].get("email"), group
        else:
            assert node["access"] != "public", f"{name} is public but is no mart"


def test_features_are_documented_once_from_the_feature_dictionary(manifest):
    dictionary = read_feature_dictionary()
    # the docs blocks are the dictionary's descriptions, rendered (python -m leadscore.feature_docs)
    docs_file = PROJECT / "models" / "docs" / "features.md"
    assert docs_file.exists() and docs_file.read_text() == render_feature_docs(dictionary), (
        "models/docs/features.md is not seed feature_dictionary's rendering: "
        "run python -m leadscore.feature_docs"
    )
    models = _models(manifest)
    for model in FEATURE_MODELS:
        if model not in models:
            continue  # flat mode: its features are the export's columns
        columns = models[model]["columns"]
        wrong = {
            feature: columns.get(feature, {}).get("description")
            for feature, description in dictionary.items()
            if columns.get(feature, {}).get("description") != description
        }
        assert not wrong, f"{model}: {len(wrong)} features not described by the dictionary: {wrong}"


def test_generic_tests_carry_dbt_utils_names(manifest):
    used = {}
    for test in _generic_tests(manifest):
        meta = test["test_metadata"]
        used.setdefault(meta["name"], set()).update(set(meta["kwargs"]) - {"model", "column_name"})
    known = BUILTIN_TESTS | set(DBT_UTILS_TESTS) | PROJECT_TESTS
    unknown = sorted(set(used) - known)
    assert not unknown, f"generic tests with no dbt/dbt_utils name: {unknown}"
    for name, arguments in DBT_UTILS_TESTS.items():
        assert used.get(name, set()) <= arguments, f"{name}: arguments {used[name]} not dbt_utils'"


def test_no_python_model_runs_beside_the_open_leads_scoring(manifest):
    """Python models run in the dbt process and share one interpreter lock: a Python
    model side by side with ml_lead_predictions (which every mart waits for) slows it
    (19-21 s instead of 13-14 s at 1M leads, docs/benchmarks.md). So every other Python
    model is an ancestor or a descendant of it, and dbt never schedules one beside it."""
    models = _models(manifest)
    if "flat_examples" in models:
        pytest.skip("flat mode: its own Python models (baseline, profile, checks) not ordered")
    parents = manifest["parent_map"]
    children = manifest["child_map"]

    def reachable(start: str, edges: dict) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges.get(todo.pop(), []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    scoring = models["ml_lead_predictions"]["unique_id"]
    ordered = reachable(scoring, parents) | reachable(scoring, children)
    beside = sorted(
        name
        for name, node in models.items()
        if node["language"] == "python" and node["unique_id"] not in ordered | {scoring}
    )
    assert not beside, f"Python models that can run beside ml_lead_predictions: {beside}"
