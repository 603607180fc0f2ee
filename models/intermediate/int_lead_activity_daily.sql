{#- One row per lead and day with activity: event counts by type, key-page views and
    the first time of each type that day. Daily grain keeps the point-in-time feature
    joins small; every as-of time is a midnight, so "before the as-of date" is exact
    at this grain. Only leads with examples (int_lead_snapshots_filtered) are kept:
    nothing else reads the activity, and a scoring-only build then aggregates just the
    open leads' events. -#}
with

leads_with_examples as (
    select distinct lead_id from {{ ref('int_lead_snapshots_filtered') }}
),

events as (
    select * from {{ ref('int_events_cleaned') }}
    where lead_id in (select leads_with_examples.lead_id from leads_with_examples)
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
        max(occurred_at) as last_event_at
    from events
    group by lead_id, cast(occurred_at as date)
)

select * from final
