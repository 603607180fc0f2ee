{{ config(materialized='view') }}
{#- Events that broke a cleaning rule, with the raw values and the reason. -#}
with

events as (
    select * from {{ ref('int_events_checked') }}
    where quarantine_reason is not null
),

final as (
    select
        event_id,
        coalesce(source_lead_id_if_different, lead_id) as source_lead_id,
        occurred_at_raw,
        occurred_at,
        event_type_raw,
        duration_seconds,
        quarantine_reason,
        is_occurred_at_reformatted
    from events
)

select * from final
