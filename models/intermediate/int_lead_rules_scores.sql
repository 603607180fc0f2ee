{#- The traditional points score (seed scoring_rules) of every open lead at the score
    date and of every holdout example, from data before as_of: attribute points plus
    decayed, capped behaviour points. rules_score = points clamped to 0-100; the top
    three positive and negative rules are the reasons. Used for cold start and as the
    baseline the model must beat. -#}
with

spine as (
    select
        lead_id,
        as_of,
        snapshot_role
    from {{ ref('int_lead_snapshots_filtered') }}
    where snapshot_role in ('scoring', 'holdout')
),

features as (
    select * from {{ ref('int_lead_features_joined') }}
    where snapshot_role in ('scoring', 'holdout')
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

behaviour_counts as (
    {%- for t in var('event_types') %}
    select
        lead_id,
        activity_date,
        '{{ t }}' as feature,
        {{ t }}_events as events
    from activity
    where {{ t }}_events > 0
    union all
    {%- endfor %}
    {%- for c in var('key_page_categories') %}
    select
        lead_id,
        activity_date,
        'page:{{ c }}' as feature,
        {{ c }}_page_views as events
    from activity
    where {{ c }}_page_views > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

behaviour_sums as (
    select
        spine.lead_id,
        spine.as_of,
        rules.rule_id,
        rules.description,
        rules.max_points,
        sum(
            rules.points * behaviour_counts.events
            * case
                when rules.half_life_days is null then 1
                else power(
                    0.5,
                    {{ dbt.datediff('behaviour_counts.activity_date', 'spine.as_of', 'day') }}
                    / rules.half_life_days
                )
            end
        ) as raw_points
    from spine
    inner join behaviour_counts
        on
            spine.lead_id = behaviour_counts.lead_id
            and behaviour_counts.activity_date < spine.as_of
    inner join rules
        on
            rules.kind = 'behaviour'
            and behaviour_counts.feature = rules.feature
    group by spine.lead_id, spine.as_of, rules.rule_id, rules.description, rules.max_points
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

ranked as (
    select
        lead_id,
        as_of,
        description,
        points,
        row_number() over (
            partition by lead_id, as_of order by points desc, rule_id asc
        ) as positive_rank,
        row_number() over (
            partition by lead_id, as_of order by points asc, rule_id asc
        ) as negative_rank
    from all_points
),

per_lead as (
    select
        lead_id,
        as_of,
        round(sum(points), 2) as rules_points,
        {%- for i in range(1, 4) %}
        max(case when positive_rank = {{ i }} and points > 0 then description end) as rules_positive_reason_{{ i }},
        max(case when negative_rank = {{ i }} and points < 0 then description end) as rules_negative_reason_{{ i }},
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
        coalesce(per_lead.rules_matched, 0) as rules_matched
    from spine
    left join per_lead
        on
            spine.lead_id = per_lead.lead_id
            and spine.as_of = per_lead.as_of
)

select * from final
