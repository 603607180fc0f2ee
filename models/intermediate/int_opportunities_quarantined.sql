{#- Deals that cannot be used, with the reason. -#}
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
        opportunities.source_lead_id,
        opportunities.created_at_raw,
        case
            when opportunities.opportunity_id is null then 'missing_opportunity_id'
            when opportunities.created_at is null then 'unparseable_created_at'
            when id_map.source_lead_id is null then 'unknown_lead'
            when id_map.is_quarantined then 'lead_quarantined'
            when row_number() over (
                partition by opportunities.opportunity_id order by opportunities.created_at
            ) > 1 then 'duplicate_opportunity_id'
        end as quarantine_reason
    from opportunities
    left join id_map on opportunities.source_lead_id = id_map.source_lead_id
),

final as (
    select * from checked
    where quarantine_reason is not null
)

select * from final
