{#- The public score table: one row per open lead. score_source 'model' when a
    champion model exists (score = calibrated probability in percent), 'rules' during
    cold start (score = the points of seed scoring_rules, 0-100). Every lead also
    carries its rules score. Percentile among open leads; tier by var tier_basis
    (probability -> seed min_score, percentile -> seed min_percentile), with an
    optional weekly capacity for hot (var hot_capacity_per_week); action and SLA from
    the seed; the top three reasons each way. Expected deal value = probability x the
    typical won amount of the lead's segment (int_lead_expected_values; null under
    rules and in flat mode). -#}
{%- set basis_column = tier_basis()['value'] -%}
{%- set threshold_column = tier_basis()['threshold'] -%}
{%- set capacity = var('hot_capacity_per_week') or 0 %}

with

predictions as (
    select * from {{ ref('ml_lead_predictions') }}
),

rules as (
    {#- flat mode: the logistic-regression baseline stands in for the points table #}
    select * from {{ ref('flat_baseline_scores') if is_flat_mode() else ref('int_lead_rules_scores') }}
    where snapshot_role = 'scoring'
),

leads as (
    {#- flat mode: the flat export has no e-mail, owner or channel (null) #}
    select * from {{ ref('flat_leads') if is_flat_mode() else ref('int_leads_deduplicated') }}
),

tiers as (
    select * from {{ ref('score_tiers') }}
),

deal_values as (
    {%- if is_flat_mode() %}
    -- flat mode: no deals
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as value_segment,
        cast(null as double) as typical_won_amount
    {%- else %}
    select * from {{ ref('int_lead_expected_values') }}
    {%- endif %}
),

scored as (
    select
        predictions.lead_id,
        predictions.probability,
        predictions.model_id,
        predictions.as_of,
        predictions.scored_at,
        rules.rules_score,
        case when predictions.probability is null then 'rules' else 'model' end as score_source,
        case
            when predictions.probability is null then rules.rules_score
            else cast(round(predictions.probability * 100) as integer)
        end as score,
        {%- for i in range(1, 4) %}
        coalesce(predictions.positive_reason_{{ i }}, rules.rules_positive_reason_{{ i }})
            as positive_reason_{{ i }},
        coalesce(predictions.negative_reason_{{ i }}, rules.rules_negative_reason_{{ i }})
            as negative_reason_{{ i }},
        {%- endfor %}
        predictions.reasons_json
    from predictions
    inner join rules on predictions.lead_id = rules.lead_id
),

ranked as (
    select
        *,
        round(100 * cume_dist() over (order by score, coalesce(probability, 0)), 2) as percentile,
        row_number() over (
            order by score desc, coalesce(probability, 0) desc, lead_id
        ) as capacity_rank
    from scored
),

basis_tier as (
    select
        ranked.lead_id,
        tiers.tier_rank
    from ranked
    inner join tiers on ranked.{{ basis_column }} >= tiers.{{ threshold_column }}
    qualify row_number() over (partition by ranked.lead_id order by tiers.tier_rank) = 1
),

tiered as (
    select
        ranked.*,
        -- with a weekly capacity N, only the N best are hot; the rest of the band is warm
        case
            when ranked.capacity_rank <= {{ capacity }} then 1
            when {{ capacity }} > 0 and basis_tier.tier_rank = 1 then 2
            else basis_tier.tier_rank
        end as tier_rank
    from ranked
    left join basis_tier on ranked.lead_id = basis_tier.lead_id
),

final as (
    select
        tiered.lead_id,
        leads.email,
        leads.owner_id,
        leads.channel,
        tiered.score_source,
        cast(tiered.probability as double) as probability,
        tiered.score,
        cast(tiered.percentile as double) as percentile,
        tiers.tier,
        tiers.tier_rank,
        tiers.recommended_action,
        tiers.follow_up_sla_hours,
        tiered.rules_score,
        {%- for i in range(1, 4) %}
        tiered.positive_reason_{{ i }},
        {%- endfor %}
        {%- for i in range(1, 4) %}
        tiered.negative_reason_{{ i }},
        {%- endfor %}
        tiered.reasons_json,
        leads.is_email_bounced,
        leads.is_unsubscribed,
        tiered.model_id,
        cast(tiered.as_of as timestamp) as as_of,
        cast(tiered.scored_at as timestamp) as scored_at,
        deal_values.value_segment,
        cast(deal_values.typical_won_amount as double) as typical_won_amount,
        cast(tiered.probability * deal_values.typical_won_amount as double) as expected_value
    from tiered
    inner join leads on tiered.lead_id = leads.lead_id
    left join deal_values on tiered.lead_id = deal_values.lead_id
    inner join tiers on tiered.tier_rank = tiers.tier_rank
)

select * from final
