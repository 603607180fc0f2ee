{#- Every exported deal, re-keyed to the surviving lead, with the first rule it breaks
    (quarantine_reason, null when usable). One set of rules, in one order, for the two
    views that split it: int_opportunities_mapped (usable) and
    int_opportunities_quarantined (the rest, with the reason).
    future_dated / too_old: created_at or closed_at out of range (date_range_reason);
    duplicate_opportunity_id: the earliest created row of an id is kept;
    closed_before_created: closed_at earlier than created_at. -#}
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
        opportunities.created_at_raw,
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
                    opportunities.created_at nulls last, opportunities.closed_at nulls last,
                    opportunities.source_lead_id nulls last, opportunities.amount nulls last,
                    opportunities.is_won nulls last
            ) > 1 then 'duplicate_opportunity_id'
            when opportunities.closed_at < opportunities.created_at then 'closed_before_created'
        end as quarantine_reason
    from opportunities
    left join id_map on opportunities.source_lead_id = id_map.source_lead_id
)

select * from checked
