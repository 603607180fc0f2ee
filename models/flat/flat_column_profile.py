"""One row per column of the flat export (and per derived feature): inferred type,
placeholders and unparseable cells read as missing, fill rate per class, out-of-fold
single-column AUC, leakage suspicion and whether the column is a model feature.

(dbt finds config keys by reading literal `dbt.config.get("key")` calls: keep them literal.)
"""

from leadscore.flat import FlatConfig, prepare


def _get(dbt):
    values = {
        "flat_id_column": dbt.config.get("flat_id_column"),
        "flat_label_column": dbt.config.get("flat_label_column"),
        "flat_created_at_column": dbt.config.get("flat_created_at_column"),
        "flat_exclude_columns": dbt.config.get("flat_exclude_columns"),
        "flat_exclude_leaky_columns": dbt.config.get("flat_exclude_leaky_columns"),
        "flat_missing_values": dbt.config.get("flat_missing_values"),
        "flat_holdout_fraction": dbt.config.get("flat_holdout_fraction"),
        "flat_validation_fraction": dbt.config.get("flat_validation_fraction"),
        "flat_leakage_auc": dbt.config.get("flat_leakage_auc"),
        "flat_leakage_purity_share": dbt.config.get("flat_leakage_purity_share"),
        "flat_leakage_purity_min_leads": dbt.config.get("flat_leakage_purity_min_leads"),
        "flat_leakage_purity_rate": dbt.config.get("flat_leakage_purity_rate"),
        "flat_leakage_fill_rare": dbt.config.get("flat_leakage_fill_rare"),
        "flat_leakage_fill_common": dbt.config.get("flat_leakage_fill_common"),
        "flat_leakage_value_bin_share": dbt.config.get("flat_leakage_value_bin_share"),
        "score_as_of": dbt.config.get("score_as_of"),
    }
    return values.get


def model(dbt, session):
    dbt.config(materialized="table")
    prepared = prepare(dbt.ref("stg_flat__leads").pl(), FlatConfig.from_dbt(_get(dbt)))
    for message in prepared.messages:
        print(f"WARNING {message}")
    return prepared.profile
