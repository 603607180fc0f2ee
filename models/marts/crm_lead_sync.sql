{#- What Hightouch / Census push to the CRM: one row per open lead, keyed by
    lead_id, with only deterministic columns (no build timestamps), property names
    a CRM admin would create, and score_updated_at = when the score or tier last
    changed (from the snapshot), so unchanged leads are not re-synced. Leads sales
    owns (status in_pipeline) are synced with an empty score and tier; queue leads
    (marts.sales_queue) carry the time they entered their tier and the follow-up due
    time. The CRM key and the score fields only: no e-mail or other personal data
    leaves through the sync. -#}
with

scores as (
    select * from {{ ref('lead_scores') }}
    {%- if crm_mode() == 'salesforce' %}
    -- a converted Salesforce lead is read-only (the person is a contact now): not synced
    where lead_id not in (
        select converted.lead_id from {{ ref('stg_salesforce__leads') }} as converted
        where converted.is_converted
    )
    {%- endif %}
),

history as (
    select * from {{ ref('score_history') }}
    where is_current
),

queue as (
    {#- the follow-up due time of the leads in the sales queue (flat mode: no queue) #}
    {%- if is_flat_mode() %}
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as timestamp) as tier_entered_at,
        cast(null as timestamp) as follow_up_due_at
    where false
    {%- else %}
    select
        lead_id,
        tier_entered_at,
        follow_up_due_at
    from {{ ref('sales_queue') }}
    {%- endif %}
),

final as (
    select
        scores.lead_id,
        scores.score as ml_lead_score,
        scores.tier as ml_lead_tier,
        scores.score_source as ml_lead_score_source,
        scores.recommended_action as ml_recommended_action,
        scores.follow_up_sla_hours as ml_follow_up_sla_hours,
        {{ dbt.concat([
            "coalesce(scores.positive_reason_1, '')",
            "case when scores.positive_reason_2 is not null then '; ' || scores.positive_reason_2 else '' end",
            "case when scores.positive_reason_3 is not null then '; ' || scores.positive_reason_3 else '' end",
        ]) }} as ml_lead_score_reasons,
        scores.model_id as ml_model_id,
        history.valid_from as score_updated_at,
        scores.status as ml_lead_status,
        queue.tier_entered_at as ml_tier_entered_at,
        queue.follow_up_due_at as ml_follow_up_due_at
    from scores
    inner join history on scores.lead_id = history.lead_id
    left join queue on scores.lead_id = queue.lead_id
)

select * from final
