{#- Rep verdicts. In the hubspot / salesforce modes they come from the CRM field a
    rep sets (var crm_feedback_field; stg_<crm>__sales_feedback). -#}
with

source as (
    {%- if crm_mode() in ('hubspot', 'salesforce') %}
    select * from {{ ref('stg_' ~ crm_mode() ~ '__sales_feedback') }}
    {%- else %}
    select * from {{ raw_relation('sales_feedback') }}
    {%- endif %}
),

renamed as (
    select
        cast(lead_id as {{ dbt.type_string() }}) as source_lead_id,
        cast(rep_id as {{ dbt.type_string() }}) as rep_id,
        replace({{ normalize_key('verdict') }}, ' ', '_') as verdict,
        {{ parse_timestamp('created_at') }} as created_at
    from source
),

final as (
    select * from renamed
)

select * from final
