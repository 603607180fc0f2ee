{#- Every exported event with its surviving lead id and the first rule it breaks
    (quarantine_reason, null when clean). int_events_cleaned keeps the clean rows,
    int_events_quarantined the others: nothing is dropped silently. The only table of
    the three: timestamps are parsed and duplicate ids ranked once per build, and the
    big event set is written once (the two splits are views over it). -#}
with

events as (
    select * from {{ ref('stg_crm__events') }}
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
),

-- duplicate ids are rare: rank only their rows (a window over every event, with all
-- its columns, is the most memory-hungry step of the build at 50M events)
duplicate_ids as (
    select event_id
    from events
    where event_id is not null
    group by event_id
    having count(*) > 1
),

singles as (
    select
        events.*,
        1 as event_id_occurrence
    from events
    left join duplicate_ids on events.event_id = duplicate_ids.event_id
    where duplicate_ids.event_id is null
),

duplicates as (
    select
        events.*,
        row_number() over (
            partition by events.event_id
            order by events.occurred_at, events.occurred_at_raw, events.source_lead_id
        ) as event_id_occurrence
    from events
    inner join duplicate_ids on events.event_id = duplicate_ids.event_id
),

numbered as (
    select * from singles
    union all
    select * from duplicates
),

checked as (
    select
        numbered.*,
        id_map.lead_id,
        id_map.is_merged as is_remapped,
        case
            when numbered.event_id is null then 'missing_event_id'
            when numbered.event_id_occurrence > 1 then 'duplicate_event_id'
            when numbered.source_lead_id is null then 'missing_lead_id'
            when numbered.occurred_at is null then 'unparseable_occurred_at'
            when id_map.source_lead_id is null then 'unknown_lead'
            when id_map.is_quarantined then 'lead_quarantined'
            when numbered.occurred_at > {{ dbt.dateadd(
                'hour', var('future_tolerance_hours'), reference_time()
            ) }} then 'future_dated'
            when
                numbered.event_type is null
                or numbered.event_type not in (
                    {%- for t in var('event_types') %}
                    '{{ t }}'{{ "," if not loop.last }}
                    {%- endfor %}
                ) then 'unknown_event_type'
            when
                numbered.duration_seconds < 0
                or numbered.duration_seconds > {{ var('max_event_duration_seconds', 86400) }}
                then 'invalid_duration'
        end as quarantine_reason
    from numbered
    left join id_map on numbered.source_lead_id = id_map.source_lead_id
),

final as (
    select * from checked
)

select * from final
