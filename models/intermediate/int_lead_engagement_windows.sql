{{ config(
    materialized=events_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stale_examples_pre_hook('int_lead_engagement_windows') }}",
    post_hook="{{ unlisted_examples_post_hook() }}",
) }}
-- depends_on: {{ ref('page_categories') }} (the page rules are in settings_key)
{#- Engagement features per (lead, as_of), from activity strictly before as_of only:
    counts by event type and key-page views over each window in
    var('engagement_windows_days'), lifetime totals, days since the last event of each
    type, an exponentially decayed activity score, first touch and first sales touch. -#}
{#- Incremental (docs/incremental.md): a row depends only on its lead's activity before
    as_of, so a run computes the examples not stored yet (the new score date, new
    leads, a new snapshot date) after a pre-hook deleted the stored rows that changed:
    those of leads whose events were (re)checked since the rows were computed (under
    the lead now and the lead before a merge) on a day before as_of, and every row when
    a setting below changed (examples no longer in the spine go after the run). -#}
{#- Brought forward: a new example whose lead has a stored example at most
    `forward_days` earlier (its base: yesterday's score date for an open lead) is the
    base plus the activity of the days that changed between them: the days since the
    base (d = 1..k days before as_of, k = as_of - base) enter every window and total,
    and per window w the days d = w+1..w+k leave it. Last-event gaps grow by k, the
    decayed score decays by 0.5^(k / half-life) (from its unrounded sum,
    decayed_activity_sum). A few days of activity per lead instead of its whole
    history: the same values as computed from all days (tests/python/test_incremental.py
    compares with --full-refresh). A stored example is a valid base because the pre-hook
    deleted those whose days before as_of changed; the examples the spine no longer
    lists go in the post-hook, after the run. base_as_of: the base (null when computed
    from all days). -#}
{%- set incremental = is_incremental() and events_watermark_available() %}
{%- set forward_days = 7 %}
{#- (not from a table stored before the bookkeeping columns existed: dbt's schema check
    then stops the run and names them) -#}
{%- set forward = incremental and 'decayed_activity_sum' in (
    adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list) %}

{%- set windows = var('engagement_windows_days') | map('int') | unique | sort %}
{%- set half_life = var('engagement_half_life_days') %}
{#- the stored columns a new example is brought forward from -#}
{%- set window_columns = [] %}
{%- for w in var('engagement_windows_days') %}
{%- do window_columns.extend(['events_' ~ w ~ 'd', 'active_days_' ~ w ~ 'd']) %}
{%- for t in var('event_types') %}{% do window_columns.append(t ~ '_' ~ w ~ 'd') %}{% endfor %}
{%- for c in var('key_page_categories') %}{% do window_columns.append(c ~ '_views_' ~ w ~ 'd') %}{% endfor %}
{%- endfor %}
{%- set carried_columns = window_columns + [
    'events_total', 'active_days_total', 'first_sales_touch_at', 'first_event_at', 'last_event_at'] %}
{%- for t in var('event_types') %}
{%- do carried_columns.extend([t ~ '_total', 'days_since_last_' ~ t]) %}
{%- endfor %}
{%- for c in var('key_page_categories') %}
{%- do carried_columns.extend([c ~ '_views_total', 'days_since_last_' ~ c ~ '_view']) %}
{%- endfor %}

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
{%- if forward %}

-- the base of a new example: its lead's latest stored example at most forward_days
-- earlier (keys first, then the stored row: cheaper than ranking whole rows)
base_keys as (
    {{ example_base_keys('spine', forward_days) }}
),

bases as (
    select
        base_keys.lead_id,
        base_keys.as_of,
        base_keys.base_as_of,
        {{ dbt.datediff('base_keys.base_as_of', 'base_keys.as_of', 'day') }} as base_age,
        {%- for column in carried_columns %}
        stored.{{ column }},
        {%- endfor %}
        stored.decayed_activity_sum
    from base_keys
    inner join {{ this }} as stored
        on
            base_keys.lead_id = stored.lead_id
            and base_keys.base_as_of = stored.as_of
),

-- the days whose activity changes an example from its base k days earlier, counted
-- back from as_of: the k new days (1..k, entering every window) and, per window w,
-- the k days leaving it (w+1..w+k)
{%- set offsets = [] %}
{%- for k in range(1, forward_days + 1) %}
    {%- do offsets.append({'days_before': k, 'k': k}) %}
    {%- for w in windows %}{% do offsets.append({'days_before': w + k, 'k': k}) %}{% endfor %}
{%- endfor %}

forward_dates as (
    select distinct
        cast({{ dbt.dateadd('day', '-offsets.days_before', 'ages.as_of') }} as date) as activity_date
    from (select distinct as_of, base_age from bases) as ages
    inner join (
        {%- for offset in offsets %}
        select {{ offset.days_before }} as days_before, {{ offset.k }} as k
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as offsets
        on offsets.k <= ages.base_age
),

{%- endif %}

-- from all days: the examples without a base
spine_without_base as (
    select
        spine.lead_id,
        spine.as_of
    from spine
    {%- if forward %}
    left join bases
        on
            spine.lead_id = bases.lead_id
            and spine.as_of = bases.as_of
    where bases.lead_id is null
    {%- endif %}
),

activity as (
    select * from {{ ref('int_lead_activity_daily') }}
    {%- if forward %}
    -- one scan for both: the days that change an example from its base, and every day
    -- of the leads whose examples are computed from all days
    where
        activity_date in (select forward_dates.activity_date from forward_dates)
        or lead_id in (select spine_without_base.lead_id from spine_without_base)
    {%- endif %}
),
{%- if forward %}

forward_activity as (
    select
        bases.lead_id,
        bases.as_of,
        bases.base_age,
        activity.*,
        {{ dbt.datediff('activity.activity_date', 'bases.as_of', 'day') }} as days_before
    from bases
    inner join activity
        on
            bases.lead_id = activity.lead_id
            and activity.activity_date < bases.as_of
),

forward_sums as (
    select
        lead_id,
        as_of,
        {%- for w in windows %}
        {%- set entering = 'days_before <= base_age' %}
        {%- set leaving = 'days_before > ' ~ w ~ ' and days_before <= ' ~ w ~ ' + base_age' %}
        sum(case when {{ entering }} then events else 0 end)
        - sum(case when {{ leaving }} then events else 0 end) as events_{{ w }}d,
        sum(case when {{ entering }} then 1 else 0 end)
        - sum(case when {{ leaving }} then 1 else 0 end) as active_days_{{ w }}d,
        {%- for t in var('event_types') %}
        sum(case when {{ entering }} then {{ t }}_events else 0 end)
        - sum(case when {{ leaving }} then {{ t }}_events else 0 end) as {{ t }}_{{ w }}d,
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        sum(case when {{ entering }} then {{ c }}_page_views else 0 end)
        - sum(case when {{ leaving }} then {{ c }}_page_views else 0 end) as {{ c }}_views_{{ w }}d,
        {%- endfor %}
        {%- endfor %}
        {%- for t in var('event_types') %}
        sum(case when days_before <= base_age then {{ t }}_events else 0 end) as {{ t }}_total,
        min(case when days_before <= base_age and {{ t }}_events > 0 then days_before end)
            as days_since_last_{{ t }},
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        sum(case when days_before <= base_age then {{ c }}_page_views else 0 end) as {{ c }}_views_total,
        min(case when days_before <= base_age and {{ c }}_page_views > 0 then days_before end)
            as days_since_last_{{ c }}_view,
        {%- endfor %}
        sum(
            case
                when days_before <= base_age
                    then events * power(0.5, (days_before - 1) / {{ half_life }})
                else 0
            end
        ) as decayed_activity,
        sum(case when days_before <= base_age then events else 0 end) as events_total,
        sum(case when days_before <= base_age then 1 else 0 end) as active_days_total,
        min(case when days_before <= base_age then first_sales_touch_at end) as first_sales_touch_at,
        min(case when days_before <= base_age then first_event_at end) as first_event_at,
        max(case when days_before <= base_age then last_event_at end) as last_event_at
    from forward_activity
    group by lead_id, as_of
),

{%- set earliest = 'case when {a} is null or {b} < {a} then {b} else {a} end' %}
{%- set latest = 'case when {a} is null or {b} > {a} then {b} else {a} end' %}

brought_forward as (
    select
        bases.lead_id,
        bases.as_of,
        {%- for column in window_columns %}
        cast(bases.{{ column }} + coalesce(sums.{{ column }}, 0) as bigint) as {{ column }},
        {%- endfor %}
        {%- for t in var('event_types') %}
        cast(bases.{{ t }}_total + coalesce(sums.{{ t }}_total, 0) as bigint) as {{ t }}_total,
        coalesce(sums.days_since_last_{{ t }}, bases.days_since_last_{{ t }} + bases.base_age)
            as days_since_last_{{ t }},
        {%- endfor %}
        {%- for c in var('key_page_categories') %}
        cast(bases.{{ c }}_views_total + coalesce(sums.{{ c }}_views_total, 0) as bigint) as {{ c }}_views_total,
        coalesce(sums.days_since_last_{{ c }}_view, bases.days_since_last_{{ c }}_view + bases.base_age)
            as days_since_last_{{ c }}_view,
        {%- endfor %}
        round(
            bases.decayed_activity_sum * power(0.5, bases.base_age / {{ half_life }})
            + coalesce(sums.decayed_activity, 0),
            6
        ) as decayed_activity_score,
        cast(bases.events_total + coalesce(sums.events_total, 0) as bigint) as events_total,
        cast(bases.active_days_total + coalesce(sums.active_days_total, 0) as bigint) as active_days_total,
        {{ earliest.format(a='bases.first_sales_touch_at', b='sums.first_sales_touch_at') }}
            as first_sales_touch_at,
        {{ earliest.format(a='bases.first_event_at', b='sums.first_event_at') }} as first_event_at,
        {{ latest.format(a='bases.last_event_at', b='sums.last_event_at') }} as last_event_at,
        bases.decayed_activity_sum * power(0.5, bases.base_age / {{ half_life }})
        + coalesce(sums.decayed_activity, 0) as decayed_activity_sum,
        bases.base_as_of
    from bases
    left join forward_sums as sums
        on
            bases.lead_id = sums.lead_id
            and bases.as_of = sums.as_of
),
{%- endif %}

{#- two steps: first sums per (lead, as_of) and band of days between two window lengths
    (plain sums, each day read once), then each window adds the bands inside it (a few
    rows per example). One step with a conditional sum per window and type cost 3.5x
    as much over all 840,050 examples at 1M (56 s against 16 s; docs/benchmarks.md). #}

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
    from spine_without_base as spine
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
        max(last_event_at) as last_event_at,
        sum(decayed_activity) as decayed_activity_sum,
        cast(null as {{ dbt.type_timestamp() }}) as base_as_of
    from banded
    group by lead_id, as_of
),

computed as (
    select * from aggregated
    {%- if forward %}
    union all
    select * from brought_forward
    {%- endif %}
),

final as (
    select
        -- (with the bookkeeping of the incremental runs: the decayed score unrounded,
        -- the base the row was brought forward from, the newest checked_at of
        -- int_events_checked the row has seen (the watermark) and the settings)
        computed.*,
        (select max(checked.checked_at) from {{ ref('int_events_checked') }} as checked) as checked_through,
        '{{ events_settings_key('int_lead_engagement_windows') }}' as settings_key
    from computed
)

select * from final
