{#- Distribution of each monitored feature (vars drift_*_features) and of the score
    in two populations: reference = training examples (score: holdout predictions),
    current = open leads at the score date no older than max_example_lead_age_days
    (the population the model was trained on). Numeric features are cut at the
    reference deciles; categories are their own bins; missing values one bin. -#}
with

reference as (
    select * from {{ ref('ml_training_examples') }}
    where snapshot_role = 'train'
),

current_leads as (
    select * from {{ ref('ml_scoring_examples') }}
    where lead_age_days <= {{ var('max_example_lead_age_days') }}
),

numeric_values as (
    {%- for feature in var('drift_numeric_features') %}
    select
        '{{ feature }}' as feature,
        'reference' as population,
        cast({{ feature }} as double) as value
    from reference
    union all
    select
        '{{ feature }}' as feature,
        'current' as population,
        cast({{ feature }} as double) as value
    from current_leads
    union all
    {%- endfor %}
    select
        'score' as feature,
        'reference' as population,
        probability as value
    from {{ ref('ml_holdout_predictions') }}
    union all
    select
        'score' as feature,
        'current' as population,
        probability as value
    from {{ ref('ml_lead_predictions') }}
    where probability is not null
),

edges as (
    select
        feature,
        decile,
        max(value) as upper_edge
    from (
        select
            feature,
            value,
            ntile(10) over (partition by feature order by value) as decile
        from numeric_values
        where population = 'reference' and value is not null
    ) as deciles
    group by feature, decile
),

numeric_counted as (
    -- one row per distinct value: counts and days repeat, so the range join to the
    -- edges below sees far fewer rows than there are leads
    select
        feature,
        population,
        value,
        count(*) as value_rows
    from numeric_values
    group by feature, population, value
),

numeric_binned as (
    select
        numeric_counted.feature,
        numeric_counted.population,
        numeric_counted.value_rows,
        case
            when numeric_counted.value is null then 'missing'
            else coalesce(cast(min(edges.decile) as {{ dbt.type_string() }}), 'above reference')
        end as bin
    from numeric_counted
    left join edges
        on
            numeric_counted.feature = edges.feature
            and numeric_counted.value <= edges.upper_edge
    group by
        numeric_counted.feature,
        numeric_counted.population,
        numeric_counted.value,
        numeric_counted.value_rows
),

categorical_values as (
    {%- for feature in var('drift_categorical_features') %}
    select
        '{{ feature }}' as feature,
        'reference' as population,
        coalesce(cast({{ feature }} as {{ dbt.type_string() }}), 'missing') as bin,
        1 as value_rows
    from reference
    union all
    select
        '{{ feature }}' as feature,
        'current' as population,
        coalesce(cast({{ feature }} as {{ dbt.type_string() }}), 'missing') as bin,
        1 as value_rows
    from current_leads
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

all_bins as (
    select
        feature,
        'numeric' as kind,
        population,
        bin,
        value_rows
    from numeric_binned
    union all
    select
        feature,
        'categorical' as kind,
        population,
        bin,
        value_rows
    from categorical_values
),

counted as (
    select
        feature,
        kind,
        bin,
        cast(sum(case when population = 'reference' then value_rows else 0 end) as bigint)
            as reference_rows,
        cast(sum(case when population = 'current' then value_rows else 0 end) as bigint)
            as current_rows
    from all_bins
    group by feature, kind, bin
),

final as (
    select
        feature,
        kind,
        bin,
        reference_rows,
        current_rows,
        cast(reference_rows as double) / nullif(sum(reference_rows) over (partition by feature), 0)
            as reference_share,
        cast(current_rows as double) / nullif(sum(current_rows) over (partition by feature), 0)
            as current_share
    from counted
)

select * from final
