{#- Every version of every lead's score and tier (from the snapshot), newest last. -#}
with

snapshot as (
    select * from {{ ref('lead_scores_snapshot') }}
),

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
