{{ config(materialized='view') }}
{#- Clean events, re-keyed to the surviving lead, with the page category from the seed.
    A view over the narrow int_events_checked (see there for the columns it keeps). -#}
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
        coalesce(events.source_lead_id_if_different, events.lead_id) as source_lead_id,
        events.occurred_at,
        events.event_type,
        events.page_path,
        pages.page_category,
        -- cleaning provenance, counted in marts.data_quality
        events.is_remapped,
        events.is_event_type_respelled,
        events.is_occurred_at_reformatted
    from events
    left join pages on events.page_path = pages.page_path
)

select * from final
