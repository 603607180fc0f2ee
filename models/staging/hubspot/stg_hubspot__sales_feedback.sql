{#- HubSpot rep verdicts -> contract table sales_feedback: every value a rep set on
    the contact property named by var crm_feedback_field (its internal name), from
    contact_property_history (value, timestamp; source_id = the user who set it),
    keyed to the surviving contact. No rows without the var or without the history
    table: a property's current value has no time of its own, so it could not be
    used point in time. -#}
{%- do source('hubspot', 'contact_property_history') -%}
{%- set field = var('crm_feedback_field', none) -%}
with

id_map as (
    select * from {{ ref('stg_hubspot__contact_merges') }}
),

history as (
    select
        history.contact_id,
        history.source_id,
        history.value,
        history.timestamp
    from {{ connector_table('hubspot', 'contact_property_history', {
        'contact_id': 'string',
        'name': 'string',
        'value': 'string',
        'source_id': 'string',
        'timestamp': 'timestamp',
    }) }} as history
    where
        {{ 'false' if not field or not connector_has('hubspot', 'contact_property_history') else '1 = 1' }}
        and lower(history.name) = lower({{ sql_string(field or '') }})
        and nullif(trim(history.value), '') is not null
),

final as (
    select
        coalesce(id_map.lead_id, history.contact_id) as lead_id,
        history.source_id as rep_id,
        history.value as verdict,
        history.timestamp as created_at
    from history
    left join id_map on history.contact_id = id_map.contact_id
)

select * from final
