{{ config(
    materialized=events_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ stale_examples_pre_hook('int_lead_rules_scores') }}",
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
    date) after a pre-hook deleted the stored rows that changed: examples no longer in
    the spine or in another role, those of leads whose events were (re)checked on a
    day before as_of, those whose attributes changed (attributes_key), and every row
    when the rules or a setting changed (settings_key). -#}
{%- set incremental = is_incremental() and events_watermark_available() %}

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

features as (
    select features.*
    from {{ ref('int_lead_features_joined') }} as features
    inner join spine
        on
            features.lead_id = spine.lead_id
            and features.as_of = spine.as_of
),

rules as (
    select * from {{ ref('scoring_rules') }}
),

activity as (
    select * from {{ ref('int_lead_activity_daily') }}
),

attributes as (
    {%- for column in var('rules_attribute_columns') %}
    select
        lead_id,
        as_of,
        '{{ column }}' as feature,
        {{ normalize_key(column) }} as attribute_value
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

activity_before as (
    select
        spine.lead_id,
        spine.as_of,
        {%- for half_life in half_lives %}
        power(
            0.5,
            {{ dbt.datediff('activity.activity_date', 'spine.as_of', 'day') }} / {{ half_life }}
        ) as decay_{{ loop.index }},
        {%- endfor %}
        {%- for column in counted %}
        activity.{{ column }},
        {%- endfor %}
        activity.activity_date
    from spine
    inner join activity
        on
            spine.lead_id = activity.lead_id
            and activity.activity_date < spine.as_of
),

behaviour_wide as (
    select
        lead_id,
        as_of,
        {%- for rule in behaviour_rules %}
        sum(
            {{ rule.column }}
            {%- if rule.half_life is not none %}
            * decay_{{ half_lives.index(rule.half_life) + 1 }}
            {%- endif %}
        ) as weighted_events_{{ loop.index }},
        {%- endfor %}
        count(*) as active_days
    from activity_before
    group by lead_id, as_of
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

behaviour_sums as (
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
    from behaviour_sums
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
        -- bookkeeping of the incremental runs: the attribute values the row scored, the
        -- newest checked_at of int_events_checked it has seen (the watermark), settings
        {{ rules_attributes_key('features') }} as attributes_key,
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
)

select * from final
