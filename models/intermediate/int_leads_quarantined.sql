{#- Lead records that cannot be used, with the reason. -#}
with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

final as (
    select
        source_lead_id,
        email,
        created_at_raw,
        case
            when source_lead_id is null then 'missing_lead_id'
            when created_at is null then 'unparseable_created_at'
        end as quarantine_reason
    from leads
    where source_lead_id is null or created_at is null
)

select * from final
