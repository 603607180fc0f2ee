{#- The public score table: one row per open lead, with the calibrated conversion
    probability, a 0-100 score (the probability in percent), the tier from seed
    score_tiers with its recommended action and follow-up SLA, the owner, and the
    model that produced it. -#}
with

predictions as (
    select * from {{ ref('ml_lead_predictions') }}
),

leads as (
    select * from {{ ref('int_leads_deduplicated') }}
),

tiers as (
    select * from {{ ref('score_tiers') }}
),

scored as (
    select
        predictions.lead_id,
        predictions.probability,
        cast(round(predictions.probability * 100) as integer) as score,
        predictions.model_id,
        predictions.as_of,
        predictions.scored_at
    from predictions
),

final as (
    select
        scored.lead_id,
        leads.email,
        leads.owner_id,
        leads.channel,
        cast(scored.probability as double) as probability,
        scored.score,
        tiers.tier,
        tiers.tier_rank,
        tiers.recommended_action,
        tiers.follow_up_sla_hours,
        scored.model_id,
        cast(scored.as_of as timestamp) as as_of,
        cast(scored.scored_at as timestamp) as scored_at
    from scored
    inner join leads on scored.lead_id = leads.lead_id
    inner join tiers on scored.score between tiers.min_score and tiers.max_score
)

select * from final
