{#- How the tiers did on matured leads: the holdout examples (the latest snapshot
    dates whose horizon has passed), tiered as lead_scores tiers open leads (var
    tier_basis; percentile within each snapshot date), with their realised
    conversions. A good model puts most conversions in the top tiers. -#}
with

tiered as (
    select * from {{ ref('int_holdout_examples_tiered') }}
),

totals as (
    select
        count(*) as all_leads,
        sum(case when label then 1 else 0 end) as all_conversions
    from tiered
),

per_tier as (
    select
        model_id,
        tier,
        tier_rank,
        count(*) as leads,
        sum(case when label then 1 else 0 end) as conversions,
        avg(probability) as mean_predicted_probability
    from tiered
    group by model_id, tier, tier_rank
),

final as (
    select
        per_tier.model_id,
        per_tier.tier,
        per_tier.tier_rank,
        per_tier.leads,
        per_tier.conversions,
        cast(per_tier.conversions as double) / per_tier.leads as conversion_rate,
        per_tier.mean_predicted_probability,
        (cast(per_tier.conversions as double) / per_tier.leads)
        / nullif(cast(totals.all_conversions as double) / totals.all_leads, 0) as lift,
        cast(per_tier.conversions as double) / nullif(totals.all_conversions, 0)
            as share_of_conversions,
        cast(per_tier.leads as double) / totals.all_leads as share_of_leads
    from per_tier
    cross join totals
)

select * from final
