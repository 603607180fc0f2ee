{#- Salesforce activities -> contract table events: completed tasks (calls...) and
    calendar events that have started, whose who_id is a lead (or a lead merged into
    another, or the contact a lead was converted to). Activities of other contacts or
    of accounts only are not about a lead and are left out. Types come from seed
    crm_activity_types (task / event by type, else task_subtype / event_subtype): an
    empty event_type drops the row on purpose, a type missing from the seed is passed
    on (quarantined as unknown_event_type, counted). -#}
with

tasks as (
    select *
    from {{ connector_table('salesforce', 'task', {
        'id': 'string',
        'who_id': 'string',
        'type': 'string',
        'task_subtype': 'string',
        'status': 'string',
        'is_closed': 'boolean',
        'completed_date_time': 'timestamp',
        'created_date': 'timestamp',
        'call_duration_in_seconds': 'int',
    }) }} as task
),

calendar_events as (
    select *
    from {{ connector_table('salesforce', 'event', {
        'id': 'string',
        'who_id': 'string',
        'type': 'string',
        'event_subtype': 'string',
        'start_date_time': 'timestamp',
        'activity_date_time': 'timestamp',
        'end_date_time': 'timestamp',
    }) }} as event
),

person_ids as (
    select * from {{ ref('stg_salesforce__person_ids') }}
),

activity_types as (
    select * from {{ ref('crm_activity_types') }}
    where crm = 'salesforce'
),

activities as (
    select
        'task:' || tasks.id as event_id,
        tasks.who_id,
        'task' as activity,
        coalesce(tasks.type, tasks.task_subtype, 'Task') as source_type,
        coalesce(tasks.completed_date_time, tasks.created_date) as occurred_at,
        tasks.call_duration_in_seconds as duration_seconds
    from tasks
    where coalesce(tasks.is_closed, lower(tasks.status) = 'completed', true)
    union all
    select
        'event:' || calendar_events.id as event_id,
        calendar_events.who_id,
        'event' as activity,
        coalesce(calendar_events.type, calendar_events.event_subtype, 'Event') as source_type,
        coalesce(calendar_events.start_date_time, calendar_events.activity_date_time) as occurred_at,
        {{ crm_seconds_between('calendar_events.start_date_time', 'calendar_events.end_date_time') }}
            as duration_seconds
    from calendar_events
    where coalesce(calendar_events.start_date_time, calendar_events.activity_date_time) <= {{ reference_time() }}
),

final as (
    select
        activities.event_id,
        person_ids.lead_id,
        activities.occurred_at,
        coalesce(activity_types.event_type, lower(activities.source_type)) as event_type,
        cast(null as {{ crm_type('string') }}) as page_path,
        cast(null as {{ crm_type('string') }}) as campaign_id,
        cast(null as {{ crm_type('string') }}) as device_type,
        cast(null as {{ crm_type('string') }}) as session_id,
        activities.duration_seconds
    from activities
    inner join person_ids on activities.who_id = person_ids.person_id
    left join activity_types
        on
            activities.activity = activity_types.activity
            and {{ crm_value_key('activities.source_type') }} = {{ crm_value_key('activity_types.source_type') }}
    where not (activity_types.source_type is not null and activity_types.event_type is null)
)

select * from final
