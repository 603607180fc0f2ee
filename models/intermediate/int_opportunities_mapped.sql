{{ config(materialized='view') }}
{#- Deals re-keyed to the surviving lead. Outcome-side data: used for funnel and
    revenue reporting, never as a feature. Rows that break a rule are left out here
    and kept in int_opportunities_quarantined (both split int_opportunities_checked). -#}
with

checked as (
    select * from {{ ref('int_opportunities_checked') }}
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
