{#- Every holdout example with the champion's probability and the tier it would have
    had (var tier_basis; percentile within its snapshot date), as lead_scores tiers
    open leads. Shared by tier_performance and funnel_by_tier. -#}
{%- set basis_column = tier_basis()['value'] -%}
{%- set threshold_column = tier_basis()['threshold'] -%}
with

holdout as (
    select * from {{ ref('ml_holdout_predictions') }}
),

tiers as (
    select * from {{ ref('score_tiers') }}
),

scored as (
    select
        lead_id,
        as_of,
        model_id,
        label,
        probability,
        cast(round(probability * 100) as integer) as score,
        100 * cume_dist() over (partition by as_of order by probability) as percentile
    from holdout
),

final as (
    select
        scored.*,
        tiers.tier,
        tiers.tier_rank
    from scored
    inner join tiers on scored.{{ basis_column }} >= tiers.{{ threshold_column }}
    qualify row_number() over (
        partition by scored.lead_id, scored.as_of order by tiers.tier_rank
    ) = 1
)

select * from final
