{#- Salesforce rep verdicts -> contract table sales_feedback: every value a rep set
    on the lead field named by var crm_feedback_field (its API name, e.g.
    Sales_Verdict__c; field history tracking on), from lead_history (new_value,
    created_date; created_by_id = the user), keyed to the surviving lead. No rows
    without the var or without lead_history: a field's current value has no time of
    its own, so it could not be used point in time. -#}
{%- do source('salesforce', 'lead_history') -%}
{%- set field = var('crm_feedback_field', none) -%}
with

person_ids as (
    select * from {{ ref('stg_salesforce__person_ids') }}
),

history as (
    select
        history.lead_id,
        history.created_by_id,
        history.new_value,
        history.created_date
    from {{ connector_table('salesforce', 'lead_history', {
        'lead_id': 'string',
        'field': 'string',
        'new_value': 'string',
        'created_by_id': 'string',
        'created_date': 'timestamp',
    }) }} as history
    where
        {{ 'false' if not field or not connector_has('salesforce', 'lead_history') else '1 = 1' }}
        and lower(history.field) = lower({{ sql_string(field or '') }})
        and nullif(trim(history.new_value), '') is not null
),

final as (
    select
        coalesce(person_ids.lead_id, history.lead_id) as lead_id,
        history.created_by_id as rep_id,
        history.new_value as verdict,
        history.created_date as created_at
    from history
    left join person_ids on history.lead_id = person_ids.person_id
)

select * from final
