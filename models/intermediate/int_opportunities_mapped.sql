{#- Deals re-keyed to the surviving lead. Outcome-side data: used for funnel and
    revenue reporting, never as a feature. Unusable rows: int_opportunities_quarantined. -#}
with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
    where not is_quarantined
),

final as (
    select
        opportunities.opportunity_id,
        id_map.lead_id,
        opportunities.source_lead_id,
        opportunities.account_id,
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.is_won,
        opportunities.amount,
        id_map.is_merged as is_remapped
    from opportunities
    inner join id_map on opportunities.source_lead_id = id_map.source_lead_id
    where opportunities.created_at is not null and opportunities.opportunity_id is not null
    qualify row_number() over (
        partition by opportunities.opportunity_id order by opportunities.created_at
    ) = 1
)

select * from final
