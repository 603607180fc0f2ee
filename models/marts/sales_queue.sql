{{ config(enabled=not is_flat_mode()) }}

{#- The queue a rep works: one row per lead sales does not own yet (status 'scored')
    in an outreach tier with a recommended sales action (seed score_tiers, tiers at
    or above var sales_queue_max_tier_rank: hot and warm by default), ordered by
    priority (queue_rank: best tier first, then highest score). The follow-up is due
    follow_up_sla_hours after the lead entered its current tier (the first version
    of its current tier in score_history, i.e. the build that moved it there). -#}
with

scores as (
    select * from {{ ref('lead_scores') }}
    where
        status = 'scored'
        and tier_rank <= {{ var('sales_queue_max_tier_rank') }}
),

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

channels as (
    select * from {{ ref('channels') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

history as (
    select * from {{ ref('score_history') }}
),

events as (
    select * from {{ ref('int_events_cleaned') }}
),

tier_versions as (
    -- a join, not `in (select ...)`: Spark 4.3 failed the unit test's plan of the
    -- subquery over literal rows (ClassCastException on UnionExec); lead_id is unique
    select
        history.lead_id,
        history.tier,
        history.valid_from,
        lag(history.tier) over (partition by history.lead_id order by history.valid_from)
            as previous_tier
    from history
    inner join scores on history.lead_id = scores.lead_id
),

tier_entered as (
    -- the latest version that changed the tier starts the current stay in the tier
    select
        lead_id,
        max(valid_from) as tier_entered_at
    from tier_versions
    where previous_tier is null or previous_tier != tier
    group by lead_id
),

last_activity as (
    select
        events.lead_id,
        events.event_type,
        events.occurred_at
    from events
    inner join scores
        on
            events.lead_id = scores.lead_id
            and events.occurred_at < scores.as_of
    qualify row_number() over (
        partition by events.lead_id order by events.occurred_at desc, events.event_type asc
    ) = 1
),

final as (
    select
        cast(row_number() over (
            order by
                scores.tier_rank asc, scores.score desc, scores.probability desc, scores.lead_id asc
        ) as integer) as queue_rank,
        scores.lead_id,
        scores.email,
        coalesce(accounts.company_name, leads.company_domain) as company_name,
        leads.job_title,
        scores.owner_id,
        coalesce(channels.display_name, scores.channel) as channel_name,
        coalesce(stages.display_name, scores.lifecycle_stage) as lifecycle_stage_name,
        scores.score,
        scores.tier,
        scores.recommended_action,
        scores.follow_up_sla_hours,
        cast(tier_entered.tier_entered_at as timestamp) as tier_entered_at,
        cast(
            {{ dbt.dateadd('hour', 'scores.follow_up_sla_hours', 'tier_entered.tier_entered_at') }}
            as timestamp
        ) as follow_up_due_at,
        replace(last_activity.event_type, '_', ' ') as last_activity,
        cast(last_activity.occurred_at as timestamp) as last_activity_at,
        {{ dbt.concat([
            "coalesce(scores.positive_reason_1, '')",
            "case when scores.positive_reason_2 is not null then '; ' || scores.positive_reason_2 else '' end",
            "case when scores.positive_reason_3 is not null then '; ' || scores.positive_reason_3 else '' end",
        ]) }} as reasons,
        {{ dbt.concat([
            "coalesce(scores.negative_reason_1, '')",
            "case when scores.negative_reason_2 is not null then '; ' || scores.negative_reason_2 else '' end",
            "case when scores.negative_reason_3 is not null then '; ' || scores.negative_reason_3 else '' end",
        ]) }} as concerns,
        scores.is_email_bounced,
        scores.is_unsubscribed,
        scores.as_of
    from scores
    inner join leads on scores.lead_id = leads.lead_id
    left join accounts on leads.account_id = accounts.account_id
    left join channels on scores.channel = channels.channel
    left join stages on scores.lifecycle_stage = stages.stage
    left join tier_entered on scores.lead_id = tier_entered.lead_id
    left join last_activity on scores.lead_id = last_activity.lead_id
)

select * from final
order by queue_rank
