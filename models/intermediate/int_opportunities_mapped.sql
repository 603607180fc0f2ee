{#- Deals re-keyed to the surviving lead. Outcome-side data: used for funnel and
    revenue reporting, never as a feature. Rows that break a rule are left out here
    and kept in int_opportunities_quarantined (same rules, same order). -#}
with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
),

checked as (
    select
        opportunities.opportunity_id,
        id_map.lead_id,
        opportunities.source_lead_id,
        opportunities.account_id,
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.is_won,
        opportunities.amount,
        id_map.is_merged as is_remapped,
        case
            when opportunities.opportunity_id is null then 'missing_opportunity_id'
            when opportunities.created_at is null then 'unparseable_created_at'
            when {{ date_range_reason('opportunities.created_at') }} is not null
                then {{ date_range_reason('opportunities.created_at') }}
            when {{ date_range_reason('opportunities.closed_at') }} is not null
                then {{ date_range_reason('opportunities.closed_at') }}
            when id_map.source_lead_id is null then 'unknown_lead'
            when id_map.is_quarantined then 'lead_quarantined'
            when row_number() over (
                partition by opportunities.opportunity_id
                order by
                    opportunities.created_at, opportunities.closed_at nulls last,
                    opportunities.source_lead_id, opportunities.amount, opportunities.is_won
            ) > 1 then 'duplicate_opportunity_id'
            when opportunities.closed_at < opportunities.created_at then 'closed_before_created'
        end as quarantine_reason
    from opportunities
    left join id_map on opportunities.source_lead_id = id_map.source_lead_id
),

final as (
    select
        opportunity_id,
        lead_id,
        source_lead_id,
        account_id,
        created_at,
        closed_at,
        is_won,
        amount,
        is_remapped
    from checked
    where quarantine_reason is null
)

select * from final
