{{ config(
    materialized=events_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stale_examples_pre_hook('int_lead_engagement_windows') }}",
) }}
-- depends_on: {{ ref('page_categories') }} (the page rules are in settings_key)
{#- Engagement features per (lead, as_of), from activity strictly before as_of only:
    counts by event type and key-page views over each window in
    var('engagement_windows_days'), lifetime totals, days since the last event of each
    type, an exponentially decayed activity score, first touch and first sales touch. -#}
{#- Incremental (docs/incremental.md): a row depends only on its lead's activity before
    as_of, so a run computes the examples not stored yet (the new score date, new
    leads, a new snapshot date) after a pre-hook deleted the stored rows that changed:
    examples no longer in the spine, those of leads whose events were (re)checked since
    the rows were computed (under the lead now and the lead before a merge) on a day
    before as_of, and every row when a setting below changed. -#}
{%- set incremental = is_incremental() and events_watermark_available() %}

with

spine as (
    select
        spine.lead_id,
        spine.as_of
    from {{ ref('int_lead_snapshots_filtered') }} as spine
    {%- if incremental %}
    left join {{ this }} as stored
        on
            spine.lead_id = stored.lead_id
            and spine.as_of = stored.as_of
    where stored.lead_id is null
    {%- endif %}
),

activity as (
    select * from {{ ref('int_lead_activity_daily') }}
),

{#- two steps: first sums per (lead, as_of) and band of days between two window lengths
    (plain sums, each day read once), then each window adds the bands inside it (a few
    rows per example). One step with a conditional sum per window and type cost 3.5x
    as much over all 840,050 examples at 1M (56 s against 16 s; docs/benchmarks.md). -#}
{%- set windows = var('engagement_windows_days') | map('int') | unique | sort %}

joined as (
    select
        spine.lead_id,
        spine.as_of,
        activity.activity_date,
        activity.events,
        {%- for t in var('event_types') %}
        activity.{{ t }}_events,
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        activity.{{ c }}_page_views,
        {%- endfor %}
        activity.first_sales_touch_at,
        activity.first_event_at,
        activity.last_event_at,
        {{ dbt.datediff('activity.activity_date', 'spine.as_of', 'day') }} as days_before
    from spine
    inner join activity
        on
            spine.lead_id = activity.lead_id
            and activity.activity_date < spine.as_of
),

-- the band of a day: 0 within the shortest window, 1 within the next, ..., beyond all
days_banded as (
    select
        *,
        {%- if windows %}
        case
            {%- for w in windows %}
            when days_before <= {{ w }} then {{ loop.index0 }}
            {%- endfor %}
            else {{ windows | length }}
        end as band
        {%- else %}
        0 as band
        {%- endif %}
    from joined
),

banded as (
    select
        lead_id,
        as_of,
        band,
        sum(events) as events,
        count(*) as active_days,
        {%- for t in var('event_types') %}
        sum({{ t }}_events) as {{ t }}_events,
        min(case when {{ t }}_events > 0 then days_before end) as days_since_last_{{ t }},
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        sum({{ c }}_page_views) as {{ c }}_page_views,
        min(case when {{ c }}_page_views > 0 then days_before end) as days_since_last_{{ c }}_view,
        {%- endfor %}
        sum(events * power(0.5, (days_before - 1) / {{ var('engagement_half_life_days') }}))
            as decayed_activity,
        min(first_sales_touch_at) as first_sales_touch_at,
        min(first_event_at) as first_event_at,
        max(last_event_at) as last_event_at
    from days_banded
    group by lead_id, as_of, band
),

aggregated as (
    select
        lead_id,
        as_of,
        {%- for w in var('engagement_windows_days') %}
        {%- set band = windows.index(w | int) %}
        cast(sum(case when band <= {{ band }} then events else 0 end) as bigint) as events_{{ w }}d,
        cast(sum(case when band <= {{ band }} then active_days else 0 end) as bigint) as active_days_{{ w }}d,
        {%- for t in var('event_types') %}
        cast(sum(case when band <= {{ band }} then {{ t }}_events else 0 end) as bigint) as {{ t }}_{{ w }}d,
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        cast(sum(case when band <= {{ band }} then {{ c }}_page_views else 0 end) as bigint)
            as {{ c }}_views_{{ w }}d,
        {%- endfor %}
        {%- endfor %}
        {%- for t in var('event_types') %}
        cast(sum({{ t }}_events) as bigint) as {{ t }}_total,
        min(days_since_last_{{ t }}) as days_since_last_{{ t }},
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        cast(sum({{ c }}_page_views) as bigint) as {{ c }}_views_total,
        min(days_since_last_{{ c }}_view) as days_since_last_{{ c }}_view,
        {%- endfor %}
        -- rounded: a float sum's last digits depend on the order rows are added in
        round(sum(decayed_activity), 6) as decayed_activity_score,
        cast(sum(events) as bigint) as events_total,
        cast(sum(active_days) as bigint) as active_days_total,
        min(first_sales_touch_at) as first_sales_touch_at,
        min(first_event_at) as first_event_at,
        max(last_event_at) as last_event_at
    from banded
    group by lead_id, as_of
),

final as (
    select
        aggregated.*,
        -- the newest checked_at of int_events_checked the row has seen (the watermark)
        (select max(checked.checked_at) from {{ ref('int_events_checked') }} as checked) as checked_through,
        '{{ events_settings_key('int_lead_engagement_windows') }}' as settings_key
    from aggregated
)

select * from final
