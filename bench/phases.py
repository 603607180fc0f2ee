"""Group dbt's per-node timings (run_results.json) into the benchmark's phases."""

from __future__ import annotations

# intermediate models that compute features (the rest of intermediate/ cleans data,
# except the monitoring inputs listed under marts)
FEATURE_MODELS = {
    "int_lead_activity_daily",
    "int_snapshot_dates",
    "int_lead_snapshots_filtered",
    "int_lead_engagement_windows",
    "int_lead_sequences",
    "int_lead_icp_fit",
    "int_account_tech_matches",
    "int_lead_features_joined",
    "int_lead_rules_scores",
}
MONITORING_MODELS = {
    "int_data_quality_counts",
    "int_feature_drift_bins",
    "int_experiment_outcomes",
    "int_holdout_examples_tiered",
}
EXAMPLE_MODELS = {"ml_training_examples", "ml_scoring_examples"}
TRAINING_MODELS = {"ml_model_registry"}

PHASES = (
    "staging + seeds",
    "cleaning",
    "features",
    "training examples",
    "training",
    "scoring",
    "marts",
    "data tests",
)


def phase_of(node: dict) -> str:
    """The phase of one manifest node (model, seed, snapshot or test)."""
    kind, name, path = node["resource_type"], node["name"], node.get("original_file_path", "")
    if kind in ("test", "unit_test"):
        return "data tests"
    if kind == "seed" or "/staging/" in f"/{path}":
        return "staging + seeds"
    if kind == "snapshot" or "/marts/" in f"/{path}" or name in MONITORING_MODELS:
        return "marts"
    if name in FEATURE_MODELS:
        return "features"
    if name in EXAMPLE_MODELS:
        return "training examples"
    if name in TRAINING_MODELS:
        return "training"
    if name.startswith("ml_"):
        return "scoring"
    return "cleaning"


def phase_seconds(run_results: dict, manifest: dict) -> dict[str, float]:
    """Seconds per phase: the sum of its nodes' execution times (2 dbt threads overlap)."""
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    out = dict.fromkeys(PHASES, 0.0)
    for result in run_results["results"]:
        node = nodes.get(result["unique_id"])
        if node is None:
            continue
        out[phase_of(node)] += float(result.get("execution_time") or 0.0)
    return {k: round(v, 1) for k, v in out.items()}
