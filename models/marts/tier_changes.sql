{#- Leads whose tier changed in the latest build (for escalation alerts): the tier
    before and after, and whether it went up or down. -#}
with

history as (
    select * from {{ ref('score_history') }}
),

latest_change as (
    select max(valid_from) as changed_at from history
),

versions as (
    select
        lead_id,
        score,
        tier,
        valid_from,
        is_current,
        lag(tier) over (partition by lead_id order by valid_from) as previous_tier,
        lag(score) over (partition by lead_id order by valid_from) as previous_score
    from history
),

tier_ranks as (
    select * from {{ ref('score_tiers') }}
),

final as (
    select
        versions.lead_id,
        versions.previous_tier,
        versions.tier as current_tier,
        versions.previous_score,
        versions.score as current_score,
        versions.valid_from as changed_at,
        case
            when current_rank.tier_rank < previous_rank.tier_rank then 'escalated'
            else 'de-escalated'
        end as direction
    from versions
    cross join latest_change
    inner join tier_ranks as current_rank on versions.tier = current_rank.tier
    inner join tier_ranks as previous_rank on versions.previous_tier = previous_rank.tier
    where
        versions.is_current
        and versions.valid_from = latest_change.changed_at
        and versions.previous_tier != versions.tier
)

select * from final
