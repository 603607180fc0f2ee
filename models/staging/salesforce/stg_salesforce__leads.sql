{#- Salesforce leads -> contract table leads. Leads merged into another are left out
    (their activity follows the master record); deleted leads are kept with
    is_deleted. account_id points at the lead's own firmographics
    (stg_salesforce__accounts): the converted account is known only after conversion.
    is_converted is beyond the contract: crm_lead_sync leaves converted leads out. -#}
{%- set answers = var('salesforce_qualification_fields') -%}
{%- set columns = {
    'id': 'string',
    'master_record_id': 'string',
    'email': 'string',
    'title': 'string',
    'company': 'string',
    'website': 'string',
    'lead_source': 'string',
    'country': 'string',
    'created_date': 'timestamp',
    'last_modified_date': 'timestamp',
    'owner_id': 'string',
    'email_bounced_date': 'timestamp',
    'email_bounced_reason': 'string',
    'has_opted_out_of_email': 'boolean',
    'is_converted': 'boolean',
} -%}
{#- custom fields: Fivetran writes Budget_Range__c as budget_range_c; either spelling
    in the var is read from whichever the table has -#}
{%- for answer, field in answers.items() -%}
{%- do columns.update({answer: ('string', connector_column_choice('salesforce', 'lead', [field]))}) -%}
{%- endfor -%}
with

leads as (
    select * from {{ connector_table('salesforce', 'lead', columns, keep_deleted=true) }} as lead
),

final as (
    select
        id as lead_id,
        email,
        title as job_title,
        company as company_name,
        {{ website_domain('website') }} as company_domain,
        'lead:' || id as account_id,
        lead_source,
        country,
        created_date as created_at,
        last_modified_date as updated_at,
        owner_id,
        is_removed as is_deleted,
        email_bounced_date is not null or email_bounced_reason is not null as email_bounced,
        coalesce(has_opted_out_of_email, false) as unsubscribed,
        budget_range,
        purchase_timeline,
        stated_need,
        coalesce(is_converted, false) as is_converted
    from leads
    where not (is_removed and master_record_id is not null)
)

select * from final
