{{ config(materialized='incremental', unique_key=['build_id', 'source_table', 'rule'], on_schema_change='append_new_columns', full_refresh=false) }}
{#- What cleaning did, build after build: one row per rule per build (history kept,
    also through --full-refresh, like the model registry).
    Filter on the latest built_at for the current state. -#}
with

counts as (
    select * from {{ ref('flat_data_quality_counts') if is_flat_mode() else ref('int_data_quality_counts') }}
),

final as (
    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as build_id,
        {{ reference_time() }} as built_at,
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(rule as {{ dbt.type_string() }}) as rule,
        cast(description as {{ dbt.type_string() }}) as description,
        rows_checked,
        rows_fixed,
        rows_defaulted,
        rows_excluded,
        rows_quarantined
    from counts
)

select * from final
