{#- Engagement features per (lead, as_of), from activity strictly before as_of only:
    counts by event type and key-page views over each window in
    var('engagement_windows_days'), lifetime totals, and recency. -#}
with

spine as (
    select
        lead_id,
        as_of
    from {{ ref('int_lead_snapshots_filtered') }}
),

activity as (
    select * from {{ ref('int_lead_activity_daily') }}
),

joined as (
    select
        spine.lead_id,
        spine.as_of,
        activity.events,
        {%- for t in var('event_types') %}
        activity.{{ t }}_events,
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        activity.{{ c }}_page_views,
        {%- endfor %}
        activity.first_event_at,
        activity.last_event_at,
        {{ dbt.datediff('activity.activity_date', 'spine.as_of', 'day') }} as days_before
    from spine
    inner join activity
        on
            spine.lead_id = activity.lead_id
            and activity.activity_date < spine.as_of
),

aggregated as (
    select
        lead_id,
        as_of,
        {%- for w in var('engagement_windows_days') %}
        sum(case when days_before <= {{ w }} then events else 0 end) as events_{{ w }}d,
        sum(case when days_before <= {{ w }} then 1 else 0 end) as active_days_{{ w }}d,
        {%- for t in var('event_types') %}
        sum(case when days_before <= {{ w }} then {{ t }}_events else 0 end) as {{ t }}_{{ w }}d,
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        sum(case when days_before <= {{ w }} then {{ c }}_page_views else 0 end)
            as {{ c }}_views_{{ w }}d,
        {%- endfor %}
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        sum({{ c }}_page_views) as {{ c }}_views_total,
        {%- endfor %}
        sum(events) as events_total,
        count(*) as active_days_total,
        min(first_event_at) as first_event_at,
        max(last_event_at) as last_event_at
    from joined
    group by lead_id, as_of
),

final as (
    select * from aggregated
)

select * from final
