{{ config(materialized='view') }}
{#- Deals that cannot be used, with the reason (the first that applies; the rules are
    in int_opportunities_checked, which int_opportunities_mapped splits too). -#}
with

checked as (
    select * from {{ ref('int_opportunities_checked') }}
),

final as (
    select
        opportunity_id,
        source_lead_id,
        created_at_raw,
        quarantine_reason
    from checked
    where quarantine_reason is not null
)

select * from final
