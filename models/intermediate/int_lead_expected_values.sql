{#- The typical won amount of every open lead at the score date, point in time: the
    median amount of the won deals (amount > 0) closed strictly before as_of in the
    lead's segment (the account column named by var deal_value_segment, default
    company_size_band; 'unknown' without an account). A segment with fewer than var
    deal_value_min_deals such deals falls back to the median of all won deals before
    as_of (value_segment 'all'); no won deal at all leaves it null. A deal's segment is
    that of its account (else its lead's account). lead_scores multiplies it by the
    probability (expected_value). -#}
{%- set segment = var('deal_value_segment') %}
with

spine as (
    select * from {{ ref('int_lead_snapshots_filtered') }}
    where snapshot_role = 'scoring'
),

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

opportunities as (
    select * from {{ ref('int_opportunities_mapped') }}
    where is_won and amount > 0 and closed_at is not null
),

lead_segments as (
    select
        leads.lead_id,
        coalesce(cast(accounts.{{ segment }} as {{ dbt.type_string() }}), 'unknown') as segment
    from leads
    left join accounts on leads.account_id = accounts.account_id
),

won_deals as (
    select
        opportunities.opportunity_id,
        opportunities.closed_at,
        opportunities.amount,
        coalesce(cast(accounts.{{ segment }} as {{ dbt.type_string() }}), 'unknown') as segment
    from opportunities
    left join leads on opportunities.lead_id = leads.lead_id
    left join accounts
        on coalesce(opportunities.account_id, leads.account_id) = accounts.account_id
),

dates as (
    select distinct as_of from spine
),

by_segment as (
    select
        dates.as_of,
        won_deals.segment,
        count(*) as won_deals,
        percentile_cont(0.5) within group (order by won_deals.amount) as median_amount
    from dates
    inner join won_deals on won_deals.closed_at < dates.as_of
    group by dates.as_of, won_deals.segment
),

overall as (
    select
        dates.as_of,
        count(*) as won_deals,
        percentile_cont(0.5) within group (order by won_deals.amount) as median_amount
    from dates
    inner join won_deals on won_deals.closed_at < dates.as_of
    group by dates.as_of
),

final as (
    select
        spine.lead_id,
        spine.as_of,
        case
            when by_segment.won_deals >= {{ var('deal_value_min_deals') }} then lead_segments.segment
            when overall.won_deals > 0 then 'all'
        end as value_segment,
        case
            when by_segment.won_deals >= {{ var('deal_value_min_deals') }} then by_segment.won_deals
            else overall.won_deals
        end as value_segment_won_deals,
        cast(case
            when by_segment.won_deals >= {{ var('deal_value_min_deals') }} then by_segment.median_amount
            else overall.median_amount
        end as double) as typical_won_amount
    from spine
    inner join lead_segments on spine.lead_id = lead_segments.lead_id
    left join by_segment
        on
            spine.as_of = by_segment.as_of
            and lead_segments.segment = by_segment.segment
    left join overall on spine.as_of = overall.as_of
)

select * from final
