{#- Every exported event with its surviving lead id and the first rule it breaks
    (quarantine_reason, null when clean). int_events_cleaned keeps the clean rows,
    int_events_quarantined the others: nothing is dropped silently. The only table of
    the three, and a narrow one: at 50M events writing every raw column costs more
    than all the cleaning, so it keeps what the features and the data-quality counts
    read (lead, time, type, page, cleaning flags), and the raw text and the
    other columns only on quarantined rows, where they explain the reason. The other
    columns of a clean event (campaign, device, session, duration) stay in the source. -#}
with

events as (
    select * from {{ ref('stg_crm__events') }}
),

id_map as (
    select * from {{ ref('int_lead_ids_mapped') }}
),

-- duplicate ids are rare: rank only their rows (a window over every event, with all
-- its columns, is the most memory-hungry step of the build at 50M events). The id
-- check and the ranking read staging again instead of the events CTE: a CTE read
-- three times is materialised with every column (25 s at 50M events).
duplicate_ids as (
    select event_id
    from {{ ref('stg_crm__events') }}
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
        repeated.*,
        row_number() over (
            partition by repeated.event_id
            order by repeated.occurred_at, repeated.occurred_at_raw, repeated.source_lead_id
        ) as event_id_occurrence
    from {{ ref('stg_crm__events') }} as repeated
    inner join duplicate_ids on repeated.event_id = duplicate_ids.event_id
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
            when {{ date_range_reason('numbered.occurred_at') }} is not null
                then {{ date_range_reason('numbered.occurred_at') }}
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
    select
        checked.event_id,
        checked.lead_id,
        -- the exported lead id, only where it differs from lead_id (a merged duplicate
        -- record, or a quarantined row without a surviving lead)
        case
            when checked.lead_id is null or checked.lead_id != checked.source_lead_id
                then checked.source_lead_id
        end as source_lead_id_if_different,
        checked.occurred_at,
        checked.event_type,
        checked.page_path,
        coalesce(checked.is_remapped, false) as is_remapped,
        coalesce(checked.event_type_raw != checked.event_type, false) as is_event_type_respelled,
        checked.occurred_at is not null
        and not checked.is_occurred_at_canonical as is_occurred_at_reformatted,
        checked.is_duration_not_a_number,
        checked.quarantine_reason,
        -- raw values of quarantined rows, to see what was wrong
        case when checked.quarantine_reason is not null then checked.occurred_at_raw end as occurred_at_raw,
        case when checked.quarantine_reason is not null then checked.event_type_raw end as event_type_raw,
        case when checked.quarantine_reason is not null then checked.duration_seconds end as duration_seconds
    from checked
)

select * from final
