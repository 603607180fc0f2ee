{#- The as-of dates of all examples, one row each, with their role:
    train    - matured snapshot (as_of + horizon <= score date) whose horizon also ends
               before the first holdout date, so training labels were known then;
    gap      - matured, but its horizon overlaps the holdout: not used (no spine rows);
    holdout  - the latest var('holdout_snapshots') matured snapshots (out-of-time);
    scoring  - the score date: var('score_as_of'), else the day after the latest
               valid activity in the data.
    Snapshot dates are counted from var('snapshot_origin_date'), so they do not move
    when new data arrives. With var('scoring_only') only the score date is kept. -#}
with

activity as (
    select max(occurred_at) as last_at from {{ ref('int_events_cleaned') }}
    union all
    select max(created_at) as last_at from {{ ref('int_leads_deduplicated') }}
    union all
    select max(changed_at) as last_at from {{ ref('int_stage_changes_mapped') }}
),

latest as (
    select max(last_at) as last_at from activity
),

bounds as (
    select
        {%- if var('score_as_of') %}
        cast({{ var_string("score_as_of") }} as {{ dbt.type_timestamp() }}) as score_as_of,
        {%- else %}
        {{ dbt.dateadd('day', 1, dbt.date_trunc('day', 'latest.last_at')) }} as score_as_of,
        {%- endif %}
        (select min(leads.created_at) from {{ ref('int_leads_deduplicated') }} as leads) as first_created_at
    from latest
),

series as (
    {{ integer_series(4) }}
),

snapshots as (
    select
        {{ dbt.dateadd(
            'day',
            'series.n * ' ~ var('snapshot_interval_days'),
            "cast(" ~ var_string('snapshot_origin_date') ~ " as " ~ dbt.type_timestamp() ~ ")"
        ) }} as as_of,
        bounds.score_as_of,
        bounds.first_created_at
    from series
    cross join bounds
),

matured as (
    select
        as_of,
        row_number() over (order by as_of desc) as recency_rank
    from snapshots
    where
        as_of > first_created_at
        and {{ dbt.dateadd('day', var('prediction_horizon_days'), 'as_of') }} <= score_as_of
),

holdout_start as (
    select min(as_of) as first_holdout_as_of
    from matured
    where recency_rank <= {{ var('holdout_snapshots') }}
),

final as (
    {%- if not var('scoring_only') %}
    select
        matured.as_of,
        case
            when matured.recency_rank <= {{ var('holdout_snapshots') }} then 'holdout'
            when
                {{ dbt.dateadd('day', var('prediction_horizon_days'), 'matured.as_of') }}
                <= holdout_start.first_holdout_as_of
                then 'train'
            else 'gap'
        end as snapshot_role
    from matured
    cross join holdout_start
    union all
    {%- endif %}
    select
        score_as_of as as_of,
        'scoring' as snapshot_role
    from bounds
)

select * from final
