{#- The public score table: one row per open lead. Leads sales does not own yet
    (stage before var handoff_stage) have status 'scored', a score and a tier; leads
    already handed over have status 'in_pipeline' and no score, tier, action or
    reasons (they never enter the outreach tiers). score_source 'model' when a
    champion model exists (score = calibrated probability in percent), 'rules' during
    cold start (score = the points of seed scoring_rules, 0-100). Every lead also
    carries its rules score. Percentile among open leads; tier by var tier_basis
    (probability -> seed min_score, percentile -> seed min_percentile), with an
    optional weekly capacity for hot (var hot_capacity_per_week); action and SLA from
    the seed; the top three reasons each way, all from the scorer of the lead (model
    or rules), never mixed. Expected deal value = probability x the typical won amount
    of the lead's segment (int_lead_expected_values; null under rules and in flat
    mode). -#}
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

open_leads as (
    {#- the stage of every open lead at the score date; flat mode: no stages #}
    {%- if is_flat_mode() %}
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as current_stage,
        false as is_sales_owned,
        cast(null as timestamp) as as_of
    where false
    {%- else %}
    select
        lead_id,
        current_stage,
        is_sales_owned,
        as_of
    from {{ ref('int_lead_snapshots_filtered') }}
    where snapshot_role = 'scoring'
    {%- endif %}
),

deal_values as (
    {%- if is_flat_mode() %}
    -- flat mode: no deals
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as value_segment,
        cast(null as double) as typical_won_amount
    where false
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
        {#- one explainer per lead: the scorer's own reasons in every slot (mixing the
            model's and the baseline's per slot repeated sentences) #}
        {%- for i in range(1, 4) %}
        case
            when predictions.probability is null then rules.rules_positive_reason_{{ i }}
            else predictions.positive_reason_{{ i }}
        end as positive_reason_{{ i }},
        case
            when predictions.probability is null then rules.rules_negative_reason_{{ i }}
            else predictions.negative_reason_{{ i }}
        end as negative_reason_{{ i }},
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

scored_leads as (
    select
        tiered.lead_id,
        leads.email,
        leads.owner_id,
        leads.channel,
        'scored' as status,
        open_leads.current_stage as lifecycle_stage,
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
    left join open_leads on tiered.lead_id = open_leads.lead_id
),

pipeline_leads as (
    select
        open_leads.lead_id,
        leads.email,
        leads.owner_id,
        leads.channel,
        'in_pipeline' as status,
        open_leads.current_stage as lifecycle_stage,
        cast(null as {{ dbt.type_string() }}) as score_source,
        cast(null as double) as probability,
        cast(null as integer) as score,
        cast(null as double) as percentile,
        cast(null as {{ dbt.type_string() }}) as tier,
        cast(null as integer) as tier_rank,
        cast(null as {{ dbt.type_string() }}) as recommended_action,
        cast(null as integer) as follow_up_sla_hours,
        cast(null as integer) as rules_score,
        {%- for i in range(1, 4) %}
        cast(null as {{ dbt.type_string() }}) as positive_reason_{{ i }},
        {%- endfor %}
        {%- for i in range(1, 4) %}
        cast(null as {{ dbt.type_string() }}) as negative_reason_{{ i }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as reasons_json,
        leads.is_email_bounced,
        leads.is_unsubscribed,
        cast(null as {{ dbt.type_string() }}) as model_id,
        cast(open_leads.as_of as timestamp) as as_of,
        (select max(cast(predictions.scored_at as timestamp)) from predictions) as scored_at,
        cast(null as {{ dbt.type_string() }}) as value_segment,
        cast(null as double) as typical_won_amount,
        cast(null as double) as expected_value
    from open_leads
    inner join leads on open_leads.lead_id = leads.lead_id
    where open_leads.is_sales_owned
),

final as (
    select * from scored_leads
    union all
    select * from pipeline_leads
)

select * from final
