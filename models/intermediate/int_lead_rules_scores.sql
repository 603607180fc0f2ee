{{ config(
    materialized=events_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stale_examples_pre_hook('int_lead_rules_scores') }}",
    post_hook="{{ unlisted_examples_post_hook() }}",
) }}
-- depends_on: {{ ref('page_categories') }} (the page rules are in settings_key)
{#- The traditional points score (seed scoring_rules) of every open lead at the score
    date and of every holdout example, from data before as_of: attribute points plus
    decayed, capped behaviour points. rules_score = points clamped to 0-100; the top
    three positive and negative rules are the reasons. Used for cold start and as the
    baseline the model must beat. -#}
{#- Incremental, as int_lead_engagement_windows (docs/incremental.md): a row depends on
    its lead's activity before as_of, its attribute values and the rules, so a run
    computes the examples not stored yet (the new score date, new leads, a new holdout
    date) after a pre-hook deleted the stored rows that changed: examples in another
    role, those of leads whose events were (re)checked on a day before as_of, those
    whose attributes changed (attributes_key), and every row when the rules or a
    setting changed (settings_key). -#}
{#- Brought forward, as the engagement windows: a new example whose lead has a stored
    example at most `forward_days` earlier (its base: yesterday's score date for an open
    lead) takes each behaviour rule's weighted sum from the base's, decayed by
    0.5^(k / half-life) for the k days between them, plus the k new days' activity,
    instead of joining every day of the lead's history. The unrounded sums are stored
    per example (behaviour_sums: one per behaviour rule, by rule_id; a changed rule
    changes settings_key, which recomputes every row from all days). base_as_of: the
    base (null when computed from all days). Stored examples the spine no longer lists
    go in the post-hook, after the run, since yesterday's are today's bases. -#}
{%- set incremental = is_incremental() and events_watermark_available() %}
{%- set forward_days = 7 %}
{#- (not from a table stored before the bookkeeping columns existed: dbt's schema check
    then stops the run and names them) -#}
{%- set forward = incremental and 'behaviour_sums' in (
    adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list) %}

with

spine as (
    select
        spine.lead_id,
        spine.as_of,
        spine.snapshot_role
    from {{ ref('int_lead_snapshots_filtered') }} as spine
    {%- if incremental %}
    left join {{ this }} as stored
        on
            spine.lead_id = stored.lead_id
            and spine.as_of = stored.as_of
    {%- endif %}
    where spine.snapshot_role in ('scoring', 'holdout')
    {%- if incremental %}
        and stored.lead_id is null
    {%- endif %}
),

-- the attribute values as the rules compare them (normalize_key), once per example: the
-- points and the attributes_key read them
features as (
    select
        {%- for column in var('rules_attribute_columns') %}
        {{ normalize_key('features.' ~ column) }} as {{ column }},
        {%- endfor %}
        features.lead_id,
        features.as_of
    from {{ ref('int_lead_features_joined') }} as features
    inner join spine
        on
            features.lead_id = spine.lead_id
            and features.as_of = spine.as_of
),

rules as (
    select * from {{ ref('scoring_rules') }}
),

attributes as (
    {%- for column in var('rules_attribute_columns') %}
    select
        lead_id,
        as_of,
        '{{ column }}' as feature,
        {{ column }} as attribute_value
    from features
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

attribute_points as (
    select
        attributes.lead_id,
        attributes.as_of,
        rules.rule_id,
        rules.description,
        rules.points
    from attributes
    inner join rules
        on
            rules.kind = 'attribute'
            and attributes.feature = rules.feature
            and attributes.attribute_value = {{ normalize_key('rules.value') }}
),

{#- behaviour rules are read from the seed when the model compiles: one weighted sum per
    rule in a single pass over the daily activity (a long, per-event-type table joined to
    every example cost minutes at 1M leads) -#}
{%- set behaviour_rules = [] -%}
{#- (not before the seed is loaded: `dbt compile` or sqlfluff on an empty database; not
    in a unit test, where the seed is a fixture CTE: attribute rules only there) -#}
{%- if execute and model.resource_type != 'unit_test'
    and load_relation(ref('scoring_rules')) is not none -%}
    {%- set found = run_query(
        "select rule_id, feature, half_life_days from " ~ ref('scoring_rules')
        ~ " where kind = 'behaviour' order by rule_id"
    ) -%}
    {%- for row in found.rows -%}
        {%- set feature = row[1] -%}
        {%- if feature in var('event_types') -%}
            {%- set column = feature ~ '_events' -%}
        {%- elif feature.startswith('page:') and feature[5:] in var('key_page_categories') -%}
            {%- set column = feature[5:] ~ '_page_views' -%}
        {%- else -%}
            {%- do exceptions.raise_compiler_error(
                "seed scoring_rules: behaviour rule '" ~ row[0] ~ "' counts '" ~ feature
                ~ "', which is neither an event type of var event_types nor page:<category> "
                ~ "of var key_page_categories. Fix the rule or add the type/category."
            ) -%}
        {%- endif -%}
        {%- do behaviour_rules.append(
            {'rule_id': row[0], 'column': column, 'half_life': row[2]}
        ) -%}
    {%- endfor -%}
{%- endif %}

{#- the decay weight of each day, once per half-life the rules use (not per rule) -#}
{%- set half_lives = [] -%}
{%- set counted = [] -%}
{%- for rule in behaviour_rules -%}
    {%- if rule.column not in counted -%}
        {%- do counted.append(rule.column) -%}
    {%- endif -%}
    {%- if rule.half_life is not none and rule.half_life not in half_lives -%}
        {%- do half_lives.append(rule.half_life) -%}
    {%- endif -%}
{%- endfor %}

{%- set decay = {} %}
{%- for rule in behaviour_rules %}
    {%- do decay.update({rule.rule_id: (
        ' * decay_' ~ (half_lives.index(rule.half_life) + 1)) if rule.half_life is not none else ''}) %}
{%- endfor %}
{%- if forward %}

-- the base of a new example: its lead's latest stored example at most forward_days
-- earlier (keys first, then the stored row)
base_keys as (
    {{ example_base_keys('spine', forward_days) }}
),

bases as (
    select
        base_keys.lead_id,
        base_keys.as_of,
        base_keys.base_as_of,
        {{ dbt.datediff('base_keys.base_as_of', 'base_keys.as_of', 'day') }} as base_age,
        stored.behaviour_sums
    from base_keys
    inner join {{ this }} as stored
        on
            base_keys.lead_id = stored.lead_id
            and base_keys.base_as_of = stored.as_of
),

-- the days between a base and its example (1..k days before as_of)
forward_dates as (
    select distinct
        cast({{ dbt.dateadd('day', '-offsets.days_before', 'ages.as_of') }} as date) as activity_date
    from (select distinct as_of, base_age from bases) as ages
    inner join (
        {%- for k in range(1, forward_days + 1) %}
        select {{ k }} as days_before
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as offsets
        on offsets.days_before <= ages.base_age
),
{%- endif %}

-- from all days: the examples without a base
spine_without_base as (
    select
        spine.lead_id,
        spine.as_of,
        cast(null as {{ dbt.type_timestamp() }}) as base_as_of
    from spine
    {%- if forward %}
    left join bases
        on
            spine.lead_id = bases.lead_id
            and spine.as_of = bases.as_of
    where bases.lead_id is null
    {%- endif %}
),

-- two reads of the daily activity: every day of the leads whose examples are computed
-- from all days, and the days since a base (the newest days: the table's older row
-- groups end before them, so DuckDB skips them by their min/max dates; one read with
-- `or` scanned every row, 2.3 s of the query at 1M leads)
activity as (
    select * from {{ ref('int_lead_activity_daily') }}
    {%- if forward %}
    where lead_id in (select spine_without_base.lead_id from spine_without_base)
    {%- endif %}
),
{%- if forward %}

activity_since_bases as (
    select * from {{ ref('int_lead_activity_daily') }}
    where activity_date in (select forward_dates.activity_date from forward_dates)
),
{%- endif %}

{#- each day before as_of with its decay weights, then each rule's weighted sum per
    example: every day of the examples without a base, the days since the base of the
    others -#}
{%- set day_sets = [('spine_without_base', 'activity', 'activity_before', 'behaviour_from_all_days')] %}
{%- if forward %}
    {%- do day_sets.append(('bases', 'activity_since_bases', 'days_since_base', 'forward_sums')) %}
{%- endif %}
{%- for examples, days, name, sums in day_sets %}

{{ name }} as (
    select
        {{ examples }}.lead_id,
        {{ examples }}.as_of,
        {%- for half_life in half_lives %}
        power(
            0.5,
            {{ dbt.datediff('activity.activity_date', examples ~ '.as_of', 'day') }} / {{ half_life }}
        ) as decay_{{ loop.index }},
        {%- endfor %}
        {%- for column in counted %}
        activity.{{ column }},
        {%- endfor %}
        activity.activity_date
    from {{ examples }}
    inner join {{ days }} as activity
        on
            {{ examples }}.lead_id = activity.lead_id
            and activity.activity_date < {{ examples }}.as_of
            -- (from the base on, when there is one)
            and ({{ examples }}.base_as_of is null or activity.activity_date >= {{ examples }}.base_as_of)
),

{{ sums }} as (
    select
        lead_id,
        as_of,
        {%- for rule in behaviour_rules %}
        sum({{ rule.column }}{{ decay[rule.rule_id] }}) as weighted_events_{{ loop.index }},
        {%- endfor %}
        cast(null as {{ dbt.type_timestamp() }}) as base_as_of
    from {{ name }}
    group by lead_id, as_of
),
{%- endfor %}
{%- if forward %}

-- the base's sums decay by 0.5^(k / half-life) over the k days; the new days add theirs
brought_forward as (
    select
        bases.lead_id,
        bases.as_of,
        {%- for rule in behaviour_rules %}
        {{ list_element('bases.behaviour_sums', loop.index) }}
        {%- if rule.half_life is not none %}
        * power(0.5, bases.base_age / {{ rule.half_life }})
        {%- endif %}
        + coalesce(sums.weighted_events_{{ loop.index }}, 0) as weighted_events_{{ loop.index }},
        {%- endfor %}
        bases.base_as_of
    from bases
    left join forward_sums as sums
        on
            bases.lead_id = sums.lead_id
            and bases.as_of = sums.as_of
),
{%- endif %}

behaviour_wide as (
    select * from behaviour_from_all_days
    {%- if forward %}
    union all
    select * from brought_forward
    {%- endif %}
),

behaviour_events as (
    {%- for rule in behaviour_rules %}
    select
        lead_id,
        as_of,
        '{{ rule.rule_id }}' as rule_id,
        weighted_events_{{ loop.index }} as weighted_events
    from behaviour_wide
    where weighted_events_{{ loop.index }} > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        lead_id,
        as_of,
        cast(null as {{ dbt.type_string() }}) as rule_id,
        0.0 as weighted_events
    from behaviour_wide
    where false
    {%- endfor %}
),

behaviour_raw_points as (
    select
        behaviour_events.lead_id,
        behaviour_events.as_of,
        rules.rule_id,
        rules.description,
        rules.max_points,
        rules.points * behaviour_events.weighted_events as raw_points
    from behaviour_events
    inner join rules
        on
            rules.kind = 'behaviour'
            and behaviour_events.rule_id = rules.rule_id
),

behaviour_points as (
    select
        lead_id,
        as_of,
        rule_id,
        description,
        case
            when max_points is null then raw_points
            when raw_points >= 0 then least(raw_points, abs(max_points))
            else greatest(raw_points, -abs(max_points))
        end as points
    from behaviour_raw_points
),

all_points as (
    select * from attribute_points
    union all
    select * from behaviour_points
),

{# positive and negative points never share a rule row, so one numbering per lead and
    sign gives both orders: positive by points descending, negative by points ascending
    (abs descending), ties by rule_id; rows of 0 points number after the negative ones #}
ranked as (
    select
        lead_id,
        as_of,
        description,
        points,
        row_number() over (
            partition by lead_id, as_of, points > 0 order by abs(points) desc, rule_id asc
        ) as sign_rank
    from all_points
),

per_lead as (
    select
        lead_id,
        as_of,
        round(sum(points), 2) as rules_points,
        {%- for i in range(1, 4) %}
        max(case when sign_rank = {{ i }} and points > 0 then description end) as rules_positive_reason_{{ i }},
        max(case when sign_rank = {{ i }} and points < 0 then description end) as rules_negative_reason_{{ i }},
        {%- endfor %}
        count(*) as rules_matched
    from ranked
    group by lead_id, as_of
),

final as (
    select
        spine.lead_id,
        spine.as_of,
        spine.snapshot_role,
        coalesce(per_lead.rules_points, 0) as rules_points,
        cast(least(100, greatest(0, round(coalesce(per_lead.rules_points, 0)))) as integer) as rules_score,
        {%- for i in range(1, 4) %}
        per_lead.rules_positive_reason_{{ i }},
        per_lead.rules_negative_reason_{{ i }},
        {%- endfor %}
        coalesce(per_lead.rules_matched, 0) as rules_matched,
        -- bookkeeping of the incremental runs: the attribute values the row scored, each
        -- behaviour rule's weighted sum unrounded (by rule_id; the next score date's
        -- example is brought forward from them) and the base it was brought forward
        -- from, the newest checked_at of int_events_checked it has seen (the watermark),
        -- the settings
        {{ rules_attributes_key('features', normalized=true) }} as attributes_key,
        {%- set sum_columns = [] %}
        {%- for rule in behaviour_rules %}
        {%- do sum_columns.append('coalesce(behaviour_wide.weighted_events_' ~ loop.index ~ ', 0)') %}
        {%- endfor %}
        {{ float_list(sum_columns) }} as behaviour_sums,
        behaviour_wide.base_as_of,
        (select max(checked.checked_at) from {{ ref('int_events_checked') }} as checked) as checked_through,
        '{{ events_settings_key('int_lead_rules_scores') }}' as settings_key
    from spine
    left join per_lead
        on
            spine.lead_id = per_lead.lead_id
            and spine.as_of = per_lead.as_of
    left join features
        on
            spine.lead_id = features.lead_id
            and spine.as_of = features.as_of
    left join behaviour_wide
        on
            spine.lead_id = behaviour_wide.lead_id
            and spine.as_of = behaviour_wide.as_of
)

select * from final
