{#- How the tiers did on matured leads: the holdout examples (the latest snapshot
    dates whose horizon has passed), tiered as lead_scores tiers open leads (var
    tier_basis; percentile within each snapshot date), with their realised
    conversions. A good model puts most conversions in the top tiers. Revenue and
    speed: the won deals (amount > 0 counts as revenue) of each example closed within
    var prediction_horizon_days after its as_of, their total amount, and the median
    days from the lead's creation to the close of its first such deal. -#}
with

tiered as (
    select * from {{ ref('int_holdout_examples_tiered') }}
),

{%- if is_flat_mode() %}

example_deals as (
    -- flat mode: no deals
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as timestamp) as as_of,
        cast(null as bigint) as won_deals,
        cast(null as double) as won_revenue,
        cast(null as double) as days_to_won_deal
    where 1 = 0
),
{%- else %}

opportunities as (
    select * from {{ ref('int_opportunities_mapped') }}
    where is_won and closed_at is not null
),

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

example_deals as (
    select
        tiered.lead_id,
        tiered.as_of,
        count(*) as won_deals,
        sum(case when opportunities.amount > 0 then opportunities.amount else 0 end) as won_revenue,
        min({{ dbt.datediff('leads.created_at', 'opportunities.closed_at', 'day') }}) as days_to_won_deal
    from tiered
    inner join opportunities
        on
            tiered.lead_id = opportunities.lead_id
            and opportunities.closed_at > tiered.as_of
            and opportunities.closed_at <= {{ dbt.dateadd(
                'day', var('prediction_horizon_days'), 'tiered.as_of'
            ) }}
    inner join leads on tiered.lead_id = leads.lead_id
    group by tiered.lead_id, tiered.as_of
),
{%- endif %}

deals_per_tier as (
    select
        tiered.model_id,
        tiered.tier,
        sum(coalesce(example_deals.won_deals, 0)) as won_deals,
        sum(coalesce(example_deals.won_revenue, 0)) as won_revenue,
        percentile_cont(0.5) within group (order by example_deals.days_to_won_deal)
            as median_days_to_won_deal
    from tiered
    left join example_deals
        on
            tiered.lead_id = example_deals.lead_id
            and tiered.as_of = example_deals.as_of
    group by tiered.model_id, tiered.tier
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
        {#- explicit result types: sum(integer) is hugeint on DuckDB, bigint on Spark #}
        cast(sum(case when label then 1 else 0 end) as bigint) as conversions,
        cast(avg(probability) as double) as mean_predicted_probability
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
        cast(per_tier.leads as double) / totals.all_leads as share_of_leads,
        cast(deals_per_tier.won_deals as bigint) as won_deals,
        cast(deals_per_tier.won_revenue as double) as won_revenue,
        cast(deals_per_tier.median_days_to_won_deal as double) as median_days_to_won_deal
    from per_tier
    cross join totals
    left join deals_per_tier
        on
            coalesce(per_tier.model_id, '') = coalesce(deals_per_tier.model_id, '')
            and per_tier.tier = deals_per_tier.tier
)

select * from final
