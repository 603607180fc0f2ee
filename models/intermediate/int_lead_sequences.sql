{#- The moment each lead completed the planted-style sequence: a first page
    (var sequence_first_page) within var('sequence_first_page_hours') of creation, then
    a second page (var sequence_second_page) within var('sequence_second_page_days')
    after it. Features compare this moment with as_of, so it never leaks. -#}
{%- set spine = ref('int_lead_snapshots_filtered') %}
{%- set scored_leads_filter = (
    "lead_id in (select spine.lead_id from " ~ spine ~ " as spine)"
) if var('scoring_only') else "true" %}

with

leads as (
    select
        lead_id,
        created_at
    from {{ ref('int_leads_deduplicated') }}
),

views as (
    select
        lead_id,
        occurred_at,
        page_category
    from {{ ref('int_events_cleaned') }}
    where
        event_type = 'page_view'
        -- a scoring-only build reads the page views of the leads it scores only
        and {{ scored_leads_filter }}
),

first_steps as (
    select
        views.lead_id,
        min(views.occurred_at) as first_step_at
    from views
    inner join leads on views.lead_id = leads.lead_id
    where
        views.page_category = {{ var_string("sequence_first_page") }}
        and views.occurred_at >= leads.created_at
        and views.occurred_at < {{ dbt.dateadd(
            'hour', var('sequence_first_page_hours'), 'leads.created_at'
        ) }}
    group by views.lead_id
),

second_steps as (
    select
        first_steps.lead_id,
        min(views.occurred_at) as sequence_completed_at
    from first_steps
    inner join views
        on
            first_steps.lead_id = views.lead_id
            and views.page_category = {{ var_string("sequence_second_page") }}
            and views.occurred_at > first_steps.first_step_at
            and views.occurred_at <= {{ dbt.dateadd(
                'day', var('sequence_second_page_days'), 'first_steps.first_step_at'
            ) }}
    group by first_steps.lead_id
),

final as (
    select
        first_steps.lead_id,
        first_steps.first_step_at,
        second_steps.sequence_completed_at
    from first_steps
    left join second_steps on first_steps.lead_id = second_steps.lead_id
)

select * from final
