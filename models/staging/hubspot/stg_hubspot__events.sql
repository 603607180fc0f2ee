{#- HubSpot activity -> contract table events, one row per (activity, contact):
    - email_event: marketing e-mail events, matched to the contact by recipient e-mail
      (an unknown recipient keeps the address as lead id: quarantined as unknown_lead);
      clicks get the path of the clicked link; a STATUSCHANGE counts as an unsubscribe
      unless email_event_status_change says the new status is not unsubscribed;
    - engagement_contact + engagement + the type tables (engagement_call, _meeting,
      _email, _note, _task): calls, meetings, e-mail replies (one row per contact), at
      the type table's property_hs_timestamp (legacy syncs: engagement.timestamp);
      cancelled / no-show meetings, open tasks and deleted engagements are no events;
    - contact_form_submission: form_submit, or demo_request / content_download by the
      form's name (table form; without it, the page title).
    Types come from seed crm_activity_types: an empty event_type drops the row on
    purpose, a type missing from the seed is passed on (quarantined, counted). -#}
with

email_events as (
    select *
    from {{ connector_table('hubspot', 'email_event', {
        'id': 'string',
        'type': 'string',
        'created': 'timestamp',
        'recipient': 'string',
        'email_campaign_id': 'string',
        'filtered_event': 'boolean',
    }) }} as email_event
),

clicks as (
    select * from {{ connector_table('hubspot', 'email_event_click', {'id': 'string', 'url': 'string'}) }} as click
),

status_changes as (
    select *
    from {{ connector_table('hubspot', 'email_event_status_change', {
        'id': 'string',
        'portal_subscription_status': 'string',
    }) }} as status_change
),

engagements as (
    {#- legacy columns (timestamp, active) are read when the table still has them -#}
    select *
    from {{ connector_table('hubspot', 'engagement', {
        'id': 'string',
        'type': 'string',
        'timestamp': 'timestamp',
        'active': 'boolean',
    }) }} as engagement
),

{#- Today's connector keeps each engagement's time and status in its type's table
    (property_hs_timestamp; meetings of older syncs: start_time). Deleted rows of these
    tables (_fivetran_deleted) are kept, flagged, so a deleted call is no event. The
    type is the table's own type column (e-mails: property_hs_email_direction). -#}
{%- set type_tables = {
    'engagement_call': {'type': 'CALL', 'status': 'property_hs_call_status'},
    'engagement_meeting': {'type': 'MEETING', 'status': 'property_hs_meeting_outcome'},
    'engagement_email': {'type': 'EMAIL', 'status': 'property_hs_email_status'},
    'engagement_note': {'type': 'NOTE', 'status': 'property_hs_note_status'},
    'engagement_task': {'type': 'TASK', 'status': 'property_hs_task_status'},
} %}

engagement_details as (
    {%- for table, spec in type_tables.items() %}
    select
        detail.engagement_id,
        upper(coalesce(detail.direction, detail.type, '{{ spec["type"] }}')) as type,
        coalesce(detail.hs_timestamp, detail.meeting_start_time, detail.start_time) as occurred_at,
        upper(detail.status) as status,
        detail.is_removed
    from {{ connector_table('hubspot', table, {
        'engagement_id': 'string',
        'type': 'string',
        'direction': ('string', 'property_hs_email_direction'),
        'status': ('string', spec['status']),
        'hs_timestamp': ('timestamp', 'property_hs_timestamp'),
        'meeting_start_time': ('timestamp', 'property_hs_meeting_start_time'),
        'start_time': 'timestamp',
    }, keep_deleted=true) }} as detail
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

engagement_contacts as (
    select *
    from {{ connector_table('hubspot', 'engagement_contact', {
        'engagement_id': 'string',
        'contact_id': 'string',
    }) }} as engagement_contact
),

form_submissions as (
    select *
    from {{ connector_table('hubspot', 'contact_form_submission', {
        'contact_id': 'string',
        'conversion_id': 'string',
        'form_id': 'string',
        'timestamp': 'timestamp',
        'title': 'string',
        'page_url': 'string',
    }) }} as form_submission
),

forms as (
    {#- the form's own name (a submission's title is the title of the page) -#}
    select *
    from {{ connector_table('hubspot', 'form', {
        'guid': 'string',
        'name': 'string',
    }) }} as form
),

contacts as (
    select *
    from {{ connector_table('hubspot', 'contact', {
        'id': 'string',
        'property_email': 'string',
    }, keep_deleted=true) }} as contact
),

id_map as (
    select * from {{ ref('stg_hubspot__contact_merges') }}
),

activity_types as (
    select * from {{ ref('crm_activity_types') }}
    where crm = 'hubspot'
),

recipients as (
    {#- e-mail -> person; a live contact wins over a deleted one -#}
    select
        lower(trim(contacts.property_email)) as email_key,
        id_map.lead_id
    from contacts
    inner join id_map on contacts.id = id_map.contact_id
    where contacts.property_email is not null
    qualify row_number() over (
        partition by lower(trim(contacts.property_email))
        order by contacts.is_removed, id_map.is_merged, id_map.lead_id
    ) = 1
),

from_email as (
    select
        'email_event:' || email_events.id as event_id,
        coalesce(recipients.lead_id, lower(trim(email_events.recipient))) as lead_id,
        email_events.created as occurred_at,
        coalesce(activity_types.event_type, lower(email_events.type)) as event_type,
        {{ url_path('clicks.url') }} as page_path,
        email_events.email_campaign_id as campaign_id,
        cast(null as {{ crm_type('string') }}) as device_type,
        cast(null as {{ crm_type('string') }}) as session_id,
        cast(null as {{ crm_type('int') }}) as duration_seconds,
        activity_types.source_type is not null and activity_types.event_type is null as is_dropped
    from email_events
    left join activity_types
        on activity_types.activity = 'email_event' and upper(email_events.type) = upper(activity_types.source_type)
    left join recipients on lower(trim(email_events.recipient)) = recipients.email_key
    left join clicks on email_events.id = clicks.id
    left join status_changes on email_events.id = status_changes.id
    where
        not coalesce(email_events.filtered_event, false)
        and not (
            upper(email_events.type) = 'STATUSCHANGE'
            and upper(coalesce(status_changes.portal_subscription_status, 'UNSUBSCRIBED')) != 'UNSUBSCRIBED'
        )
),

engagement_rows as (
    {#- one row per (engagement, contact): the type from the type table (else from
        engagement), the time from the type table (else the legacy engagement.timestamp) -#}
    select
        engagement_contacts.engagement_id,
        engagement_contacts.contact_id,
        coalesce(engagement_details.type, engagements.type) as type,
        coalesce(engagement_details.occurred_at, engagements.timestamp) as occurred_at,
        coalesce(engagement_details.is_removed, false)
        or not coalesce(engagements.active, true)
        or coalesce(engagement_details.status, '') in (
            'CANCELED', 'CANCELLED', 'NO_SHOW', 'NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'DEFERRED'
        ) as is_inactive
    from engagement_contacts
    left join engagements on engagement_contacts.engagement_id = engagements.id
    left join engagement_details on engagement_contacts.engagement_id = engagement_details.engagement_id
),

from_engagements as (
    select
        'engagement:' || engagement_rows.engagement_id || ':' || engagement_rows.contact_id as event_id,
        coalesce(id_map.lead_id, engagement_rows.contact_id) as lead_id,
        engagement_rows.occurred_at,
        coalesce(activity_types.event_type, lower(engagement_rows.type)) as event_type,
        cast(null as {{ crm_type('string') }}) as page_path,
        cast(null as {{ crm_type('string') }}) as campaign_id,
        cast(null as {{ crm_type('string') }}) as device_type,
        cast(null as {{ crm_type('string') }}) as session_id,
        cast(null as {{ crm_type('int') }}) as duration_seconds,
        activity_types.source_type is not null and activity_types.event_type is null as is_dropped
    from engagement_rows
    left join activity_types
        on activity_types.activity = 'engagement' and upper(engagement_rows.type) = upper(activity_types.source_type)
    left join id_map on engagement_rows.contact_id = id_map.contact_id
    where not engagement_rows.is_inactive
),

form_types as (
    select
        form_submissions.contact_id,
        form_submissions.conversion_id,
        form_submissions.form_id,
        form_submissions.timestamp,
        form_submissions.page_url,
        activity_types.event_type
    from form_submissions
    left join forms on form_submissions.form_id = forms.guid
    inner join activity_types
        on
            activity_types.activity = 'form_title'
            and (
                activity_types.source_type = '*'
                or {{ crm_position('lower(activity_types.source_type)', "lower(coalesce(forms.name, form_submissions.title, ''))") }} > 0
            )
    qualify row_number() over (
        partition by form_submissions.contact_id, form_submissions.form_id, form_submissions.timestamp
        order by activity_types.source_type = '*', length(activity_types.source_type) desc, activity_types.source_type
    ) = 1
),

from_forms as (
    select
        'form_submission:' || coalesce(
            form_types.conversion_id,
            form_types.form_id || ':' || form_types.contact_id || ':' || cast(form_types.timestamp as {{ crm_type('string') }})
        ) as event_id,
        coalesce(id_map.lead_id, form_types.contact_id) as lead_id,
        form_types.timestamp as occurred_at,
        form_types.event_type,
        {{ url_path('form_types.page_url') }} as page_path,
        cast(null as {{ crm_type('string') }}) as campaign_id,
        cast(null as {{ crm_type('string') }}) as device_type,
        cast(null as {{ crm_type('string') }}) as session_id,
        cast(null as {{ crm_type('int') }}) as duration_seconds,
        form_types.event_type is null as is_dropped
    from form_types
    left join id_map on form_types.contact_id = id_map.contact_id
),

unioned as (
    select * from from_email
    union all
    select * from from_engagements
    union all
    select * from from_forms
),

final as (
    select
        event_id,
        lead_id,
        occurred_at,
        event_type,
        page_path,
        campaign_id,
        device_type,
        session_id,
        duration_seconds
    from unioned
    where not is_dropped
)

select * from final
