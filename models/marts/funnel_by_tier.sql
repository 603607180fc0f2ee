{#- The funnel by tier: of the matured holdout leads in each tier (tiered as
    lead_scores would have tiered them on that date), how many entered each later
    funnel stage within the prediction horizon. -#}
with

tiered as (
    select * from {{ ref('int_holdout_examples_tiered') }}
),

stage_changes as (
    {{ stage_changes_from(2) }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
    where stage_order >= 2{% if is_flat_mode() %} and false{% endif %}
),

reached as (
    select distinct
        tiered.lead_id,
        tiered.as_of,
        stage_changes.stage
    from tiered
    inner join stage_changes
        on
            tiered.lead_id = stage_changes.lead_id
            and stage_changes.changed_at >= tiered.as_of
            and stage_changes.changed_at
            < {{ dbt.dateadd('day', var('prediction_horizon_days'), 'tiered.as_of') }}
),

tier_sizes as (
    select
        model_id,
        tier,
        tier_rank,
        count(*) as leads
    from tiered
    group by model_id, tier, tier_rank
),

final as (
    select
        tier_sizes.model_id,
        tier_sizes.tier,
        tier_sizes.tier_rank,
        stages.stage,
        stages.stage_order,
        tier_sizes.leads,
        count(reached.lead_id) as reached,
        round(cast(count(reached.lead_id) as double) / tier_sizes.leads, 6) as reach_rate
    from tier_sizes
    cross join stages
    left join tiered
        on
            tier_sizes.model_id = tiered.model_id
            and tier_sizes.tier = tiered.tier
    left join reached
        on
            tiered.lead_id = reached.lead_id
            and tiered.as_of = reached.as_of
            and stages.stage = reached.stage
    group by
        tier_sizes.model_id, tier_sizes.tier, tier_sizes.tier_rank, stages.stage,
        stages.stage_order, tier_sizes.leads
)

select * from final
