{#- Every version of every lead's score and tier (from the snapshot), newest last.
    Without the snapshot (Spark on parquet tables, macros/engine/snapshot.sql): the
    current version of every lead only, valid from this build, as after a first
    snapshot; a later build does not keep the earlier versions. -#}
with

{%- if snapshot_enabled() %}

snapshot as (
    select * from {{ ref('lead_scores_snapshot') }}
),
{%- else %}

snapshot as (
    select
        *,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as dbt_valid_from,
        cast(null as timestamp) as dbt_valid_to
    from {{ ref('lead_scores') }}
),
{%- endif %}

final as (
    select
        lead_id,
        score,
        tier,
        score_source,
        model_id,
        cast(dbt_valid_from as timestamp) as valid_from,
        cast(dbt_valid_to as timestamp) as valid_to,
        dbt_valid_to is null as is_current
    from snapshot
)

select * from final
