{{ config(materialized='view') }}
{#- Clean events, re-keyed to the surviving lead, with the page category from the seed. -#}
with

events as (
    select * from {{ ref('int_events_checked') }}
    where quarantine_reason is null
),

pages as (
    select * from {{ ref('int_page_paths_classified') }}
),

final as (
    select
        events.event_id,
        events.lead_id,
        events.source_lead_id,
        events.occurred_at,
        events.event_type,
        events.page_path,
        pages.page_category,
        events.campaign_id,
        events.device_type,
        events.session_id,
        events.duration_seconds,
        -- cleaning provenance, counted in marts.data_quality
        events.is_remapped,
        events.event_type_raw != events.event_type as is_event_type_respelled,
        not {{ is_canonical_timestamp('events.occurred_at_raw') }} as is_occurred_at_reformatted
    from events
    left join pages on events.page_path = pages.page_path
)

select * from final
