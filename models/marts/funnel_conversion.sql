{#- Funnel-stage conversion per cohort month (lead creation) and channel: for each
    funnel stage (seed lifecycle_stages with stage_order >= 1), the leads that
    entered it, how many advanced to a later stage, the rate, and the median days
    spent in the stage by those who advanced. Every lead enters 'lead' at creation.
    Recent cohorts are still in flight: their rates rise as they mature. -#}
with

leads as (
    {%- if is_flat_mode() %}
    {#- flat mode: a flat export has no stage history, the funnel is empty #}
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as timestamp) as created_at,
        cast(null as {{ dbt.type_string() }}) as channel
    where false
    {%- else %}
    select * from {{ ref('int_leads_deduplicated') }}
    where not is_deleted
    {%- endif %}
),

stage_changes as (
    {{ stage_changes_from(1) }}
),

stage_order as (
    select * from {{ ref('lifecycle_stages') }}
),

entries as (
    select
        lead_id,
        stage,
        stage_order,
        min(changed_at) as entered_at
    from stage_changes
    group by lead_id, stage, stage_order
    union all
    select
        leads.lead_id,
        stage_order.stage,
        stage_order.stage_order,
        leads.created_at as entered_at
    from leads
    inner join stage_order on stage_order.stage_order = 1
    where not exists (
        select 1 from stage_changes
        where stage_changes.lead_id = leads.lead_id and stage_changes.stage_order = 1
    )
),

advanced as (
    select
        entries.lead_id,
        entries.stage,
        entries.stage_order,
        entries.entered_at,
        min(later.entered_at) as next_entered_at
    from entries
    left join entries as later
        on
            entries.lead_id = later.lead_id
            and later.stage_order > entries.stage_order
    group by entries.lead_id, entries.stage, entries.stage_order, entries.entered_at
),

cohorted as (
    select
        advanced.*,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as cohort_month,
        leads.channel
    from advanced
    inner join leads on advanced.lead_id = leads.lead_id
),

final as (
    select
        cohort_month,
        channel,
        stage,
        stage_order,
        count(*) as entered,
        count(next_entered_at) as advanced,
        round(cast(count(next_entered_at) as double) / count(*), 6) as conversion_rate,
        percentile_cont(0.5) within group (
            order by {{ dbt.datediff('entered_at', 'next_entered_at', 'day') }}
        ) as median_days_in_stage
    from cohorted
    where stage_order < (select max(stage_order.stage_order) from stage_order)
    group by cohort_month, channel, stage, stage_order
)

select * from final
