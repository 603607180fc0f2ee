{#- The column checks of the flat export, public: one row per column (and derived
    feature) with its inferred type, missing and placeholder counts, fill rate per
    class, single-column AUC, leakage suspicion and reason, and whether the model uses
    it. A leakage suspect is a column that predicts the label almost perfectly on its
    own or is filled for one class only (typically filled in by sales after the
    outcome); it is left out when var flat_exclude_leaky_columns is true. -#}
{{ config(schema='marts') }}

with

profile as (
    select * from {{ ref('flat_column_profile') }}
),

final as (
    select
        cast(column_name as varchar) as column_name,
        cast(feature as varchar) as feature,
        cast(role as varchar) as role,
        cast(inferred_type as varchar) as inferred_type,
        cast(date_format as varchar) as date_format,
        cast(rows as bigint) as rows,
        cast(missing_rows as bigint) as missing_rows,
        cast(placeholder_rows as bigint) as placeholder_rows,
        cast(unparseable_rows as bigint) as unparseable_rows,
        cast(distinct_values as bigint) as distinct_values,
        cast(fill_rate_converted as double) as fill_rate_converted,
        cast(fill_rate_not_converted as double) as fill_rate_not_converted,
        cast(single_column_auc as double) as single_column_auc,
        coalesce(is_leakage_suspect, false) as is_leakage_suspect,
        cast(leakage_reason as varchar) as leakage_reason,
        coalesce(is_model_feature, false) as is_model_feature,
        cast(excluded_reason as varchar) as excluded_reason
    from profile
)

select * from final
