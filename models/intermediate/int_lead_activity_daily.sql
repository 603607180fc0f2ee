{{ config(
    materialized=events_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ activity_pre_hook() }}",
) }}
-- depends_on: {{ ref('page_categories') }} (the page rules are in settings_key)
{#- One row per lead and day with activity: event counts by type, key-page views and
    the first time of each type that day. Daily grain keeps the point-in-time feature
    joins small; every as-of time is a midnight, so "before the as-of date" is exact
    at this grain. Every surviving lead with clean events has its days here.
    Incremental (docs/incremental.md): a run recomputes only the (lead, day) pairs of the
    events int_events_checked (re)checked since this table was last built (under their
    lead now and the lead they had before); the pre-hook deletes those pairs first. -#}
{%- set incremental = is_incremental() and events_watermark_available() %}

with

{%- if incremental %}

changed_pairs as (
    {{ activity_changed_pairs(this) }}
),
{%- endif %}

events as (
    select events.* from {{ ref('int_events_cleaned') }} as events
    {%- if incremental %}
    inner join changed_pairs
        on
            events.lead_id = changed_pairs.lead_id
            and cast(events.occurred_at as date) = changed_pairs.activity_date
    {%- endif %}
),

final as (
    select
        lead_id,
        cast(occurred_at as date) as activity_date,
        count(*) as events,
        {%- for t in var('event_types') %}
        count(case when event_type = '{{ t }}' then 1 end) as {{ t }}_events,
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        count(case when event_type = 'page_view' and page_category = '{{ c }}' then 1 end)
            as {{ c }}_page_views,
        {%- endfor %}
        min(
            case when event_type in (
                {%- for t in var('sales_touch_event_types') %}
                '{{ t }}'{{ "," if not loop.last }}
                {%- endfor %}
            ) then occurred_at end
        ) as first_sales_touch_at,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at,
        -- the newest checked_at of int_events_checked this row has seen (the watermark)
        (select max(checked.checked_at) from {{ ref('int_events_checked') }} as checked) as checked_through,
        -- the settings the row was computed with (events_settings_key)
        '{{ events_settings_key("int_lead_activity_daily") }}' as settings_key
    from events
    group by lead_id, cast(occurred_at as date)
)

select * from final
