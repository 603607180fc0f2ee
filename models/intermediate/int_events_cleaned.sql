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
        events.duration_seconds
    from events
    left join pages on events.page_path = pages.page_path
)

select * from final
